// The free and total bytes of the filesystem a path is on (statvfs), for the preflight's
// "free disk" check and the edge's disk gauges (disk_free_bytes, disk_size_bytes in its
// heartbeat, tern_edge_disk_* on the core's /metrics).
// Thread-safety: a free function, safe from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "tern/common/status.h"

namespace tern {

struct DiskSpace {
  uint64_t avail_bytes = 0;  // what an unprivileged writer may still use (f_bavail)
  uint64_t total_bytes = 0;  // the filesystem's size (f_blocks)
  uint64_t free_bytes = 0;   // free, including what only root may use (f_bfree)

  // The used share as df shows it: used / (used + avail), used = total - free. 0 when
  // nothing is known.
  double UsedShare() const {
    const uint64_t used = total_bytes > free_bytes ? total_bytes - free_bytes : 0;
    const uint64_t room = used + avail_bytes;
    return room == 0 ? 0.0 : static_cast<double>(used) / static_cast<double>(room);
  }
};

// The filesystem holding `path` (which must exist). Errors name the path and the reason.
[[nodiscard]] Result<DiskSpace> DiskSpaceOf(const std::string& path);

}  // namespace tern
