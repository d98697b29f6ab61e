// A power cut for SQLite, for tests only: a VFS that wraps the default unix VFS and, at a
// chosen moment, undoes every write not yet made durable by an xSync, then _exit()s, the
// way SQLite's own crash tests model lost page cache.
//
// Per open file it journals the previous contents of every region written (or truncated
// away) since that file's last xSync, and the file's size at the first such change. At the
// cut (the Nth xWrite of the process, counted over every file) it writes those old bytes
// back, newest change first, truncates each file to its size at its last sync, and calls
// _exit(kPowerCutExit) without running destructors or flushing stdio. Deleting a file is
// treated as durable (SQLite syncs what matters before it deletes a WAL).
//
// This file IS an SQLite wrapper (a test VFS), so it includes sqlite3.h; nothing else in
// the tests does. Thread-safety: every wrapped call that changes journals takes one process
// mutex, so a cut on one thread sees the other threads' writes whole.
#pragma once

#include <cstdint>

namespace tern::testing {

// The exit status of a process stopped by the cut.
inline constexpr int kPowerCutExit = 42;

// Registers the power-cut VFS as SQLite's default. The cut happens at the `cut_after`th
// xWrite (1-based) of this process; 0 never cuts. Call once, before any database opens.
// Returns false if SQLite refused the registration.
bool InstallPowerCutVfs(uint64_t cut_after);

// xWrite calls seen so far (for the driver's log line).
uint64_t PowerCutWrites();

}  // namespace tern::testing
