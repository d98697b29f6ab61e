// tern-core --check (docs/preflight.md): the shared checks (data directory and its lock, free
// disk, clock, PKI files, broker under the client id `<node.name>.check.<pid>`) and the
// core's own: can it bind its HTTP port (or is it bound by the core running on this data
// directory). Nothing is published; the data directory's lock is not taken.
// Thread-safety: free functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tern/common/config.h"
#include "tern/common/preflight.h"

namespace tern::core {

// Every check of `tern-core --check` on the validated config `c`, in report order.
std::vector<CheckLine> CorePreflight(const Config& c);

// The "HTTP port" line: http.port `port` on `bind` (-1 off, 0 any free port); `running_pid`
// is a tern-core holding this data directory's lock (the port may be its own).
CheckLine CheckHttpPort(const std::string& bind, int port, std::optional<int> running_pid);

}  // namespace tern::core
