// How tern_tools opens a site's databases, shared by inspect.cpp and verify.cpp: core.db
// read-only through core::Manifest (its store classes own every statement) and an edge.db
// read-only through edge::LocalStore::OpenReadOnly. Nothing in tern_tools runs SQL itself.
// Thread-safety: free functions; each call opens its own connection.
#pragma once

#include <memory>
#include <string>

#include "tern/common/status.h"
#include "tern/core/manifest.h"
#include "tern/edge/local_store.h"

namespace tern::tools {

// core.db at `core_db`, read-only. NotFound naming the path (and the flags that choose it)
// if there is no such file; other errors carry the context "core database PATH".
[[nodiscard]] Result<std::unique_ptr<core::Manifest>> OpenCore(const std::string& core_db);

// The edge store at `path`, read-only. NotFound "no store path registered" for an empty
// path; otherwise LocalStore::OpenReadOnly's errors, which name the path.
[[nodiscard]] Result<std::unique_ptr<edge::LocalStoreReader>> OpenStore(const std::string& path);

}  // namespace tern::tools
