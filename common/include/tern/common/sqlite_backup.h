// A consistent copy of a live SQLite database, through SQLite's online backup API
// (implemented in sqlite.cpp, the one file that includes sqlite3.h). Kept apart from
// sqlite.h so that the many users of the wrapper do not depend on it.
// Thread-safety: thread-safe (each call opens its own connections).
#pragma once

#include <string>

#include "tern/common/status.h"

namespace tern {

// Copies the database at `from`, as of one consistent moment, into the new file `to`:
// writers on other connections (another process) go on meanwhile (WAL), and the copy is a
// self-contained file (rollback journal, no -wal beside it). `from` is opened read-only and
// must exist (NotFound otherwise); `to` must not exist (FailedPrecondition otherwise); a
// failed copy is removed. Errors name both paths; a full disk is ResourceExhausted.
[[nodiscard]] Status BackupDatabase(const std::string& from, const std::string& to);

}  // namespace tern
