// `ternctl backup --to FILE [--data-dir DIR] [--force]`: a consistent copy of the core's
// database (core.db: the manifest, every node's address, the settings) taken while the core
// runs, through SQLite's online backup API. Offline like `token`: run it on the core's box.
// Restore: stop the core, copy the file back over <data dir>/core.db (and delete any
// core.db-wal and core.db-shm beside it), start the core (docs/deploy.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tern::tools {

struct BackupCmdArgs {
  CLI::App* cmd = nullptr;
  std::string to, data_dir;
  bool force = false, json = false;
};

// Adds the `backup` subcommand to `app`.
void AddBackupCommand(CLI::App& app, BackupCmdArgs* args);
// Runs it if it was selected: the exit code (0 copied and the copy passed PRAGMA
// integrity_check; 1 refused: --to exists without --force, or the copy failed its check;
// 2 bad arguments or I/O, e.g. no database there), or -1. Without --data-dir the database is
// `core_db` (--core-db, or --site's).
int RunBackupCommand(const std::string& core_db, const BackupCmdArgs& args);

}  // namespace tern::tools
