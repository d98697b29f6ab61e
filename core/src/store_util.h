// Small helpers the core's store classes (Registry, HolderIndex, SpoolStore, ResultStore,
// SettingsStore) share: statements prepared on first use, a guard that resets a statement
// whatever path leaves the scope (an un-reset statement would keep its read snapshot open),
// and the conversion of unsigned stamps to SQLite's signed integers.
// Internal to tern_core; not installed. Thread-safety: stateless helpers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core::store {

// The statement in `slot`, preparing `sql` on `db` first if the slot is empty. Lazy
// preparation lets a read-only handle on an older schema use every statement whose tables
// exist; the error of a missing table surfaces only from the call that needs it.
inline Result<Statement*> Lazy(Database& db, std::unique_ptr<Statement>& slot, const char* sql) {
  if (!slot) {
    TERN_ASSIGN_OR_RETURN(slot, db.Prepare(sql));
  }
  return slot.get();
}

// Resets (and clears the bindings of) a statement when the scope ends.
class ResetGuard {
 public:
  explicit ResetGuard(Statement* s) : s_(s) {}
  ~ResetGuard() { s_->Reset(); }
  ResetGuard(const ResetGuard&) = delete;
  ResetGuard& operator=(const ResetGuard&) = delete;

 private:
  Statement* s_;
};

// An HLC stamp or byte count as SQLite's INTEGER, saturating at INT64_MAX.
inline int64_t Int(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

}  // namespace tern::core::store
