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

// Like WriteFileAtomic, but for files that must survive a crash and keep their permissions
// (keys, certificates, the PKI's index): the temp file is created with `mode` (fchmod'ed, so
// the umask cannot loosen or tighten it), fsync'd, renamed over `path`, and the directory
// fsync'd. A private key is therefore never readable by others, not even for a moment.
[[nodiscard]] Status WriteFileSynced(const std::string& path, std::string_view content,
                                     unsigned mode);

// The whole content of `path`; NotFound naming the path if it cannot be opened, IoError if
// reading fails part-way.
[[nodiscard]] Result<std::string> ReadFileToString(const std::string& path);

}  // namespace tern
