// Small file helpers shared by the daemons.
// Thread-safety: free functions; concurrent writers of one path must be serialised by the caller.
#pragma once

#include <string>
#include <string_view>

#include "tern/common/status.h"

namespace tern {

// Replaces `path` with `content` so that readers see the old or the new file, never a
// partial one (write "<path>.tmp", then rename). Not fsync'd: for status files, not data.
Status WriteFileAtomic(const std::string& path, std::string_view content);

}  // namespace tern
