// DiskSpaceOf: statvfs, in one place.
#include "tern/common/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

namespace tern {

Result<DiskSpace> DiskSpaceOf(const std::string& path) {
  struct statvfs v {};
  if (path.empty() || statvfs(path.c_str(), &v) != 0) {
    return Status::IoError("cannot read the free space of '" + path +
                           "': " + std::strerror(path.empty() ? ENOENT : errno));
  }
  const uint64_t unit = v.f_frsize ? v.f_frsize : v.f_bsize;
  return DiskSpace{static_cast<uint64_t>(v.f_bavail) * unit,
                   static_cast<uint64_t>(v.f_blocks) * unit,
                   static_cast<uint64_t>(v.f_bfree) * unit};
}

}  // namespace tern
