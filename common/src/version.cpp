// Version and git commit, from the header cmake/TernVersion.cmake generates at build time.
#include "tern/common/version.h"

#include "tern_version_gen.h"

namespace tern {

const char* Version() { return TERN_VERSION; }
const char* GitCommit() { return TERN_GIT_COMMIT; }
std::string VersionLine(std::string_view program) {
  return std::string(program) + " " + Version() + " (git " + GitCommit() + ")";
}

}  // namespace tern
