// Small helpers the core's store classes (Registry, HolderIndex, SpoolStore, ResultStore,
// SettingsStore) share: the conversion of unsigned stamps to SQLite's signed integers.
// (Statements prepared on first use and reset on every path: tern::PrepareOnce and
// tern::ResetGuard in the SQLite wrapper, shared with the edge's store.)
// Internal to tern_core; not installed. Thread-safety: stateless helpers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core::store {

// An HLC stamp or byte count as SQLite's INTEGER, saturating at INT64_MAX.
inline int64_t Int(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

}  // namespace tern::core::store
