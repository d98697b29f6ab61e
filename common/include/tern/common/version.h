// The build's identity, for `--version` on every binary and for logs: the project version
// (CMake's project(VERSION)) and the git commit the build came from (12 hex digits, with
// "-dirty" when the work tree had uncommitted changes; "unknown" outside a git checkout).
// The commit is read at every build (cmake/TernVersion.cmake), not only at configure time.
// Thread-safety: constants; callable from any thread.
#pragma once

#include <string>
#include <string_view>

namespace tern {

const char* Version();    // e.g. "0.1.0"
const char* GitCommit();  // e.g. "078c3b0a1b2c", "078c3b0a1b2c-dirty" or "unknown"
// The one line every binary's --version prints: "<program> <version> (git <commit>)".
std::string VersionLine(std::string_view program);

}  // namespace tern
