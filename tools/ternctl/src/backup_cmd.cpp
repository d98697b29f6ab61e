// ternctl backup: copies core.db through the SQLite wrapper's online backup into a
// temporary file beside the target, checks the copy, then renames it into place, so an
// existing backup is replaced (with --force) only by a complete, checked one.
#include "backup_cmd.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli_util.h"
#include "tern/common/sqlite.h"
#include "tern/common/sqlite_backup.h"

namespace tern::tools {
namespace {

// Row count of `table` in `db`, or -1 when the table is not there (an empty database).
int64_t CountRows(Database& db, const char* table) {
  auto q = db.Prepare(std::string("SELECT count(*) FROM ") + table);
  if (!q.ok()) return -1;
  auto row = (*q)->Step();
  return row.ok() && *row ? (*q)->Int(0) : -1;
}

}  // namespace

void AddBackupCommand(CLI::App& app, BackupCmdArgs* a) {
  a->cmd = app.add_subcommand(
      "backup",
      "offline, on the core's box: copy core.db consistently while the core runs (SQLite "
      "online backup); restore = stop the core, copy the file back, start it");
  a->cmd->add_option("--to", a->to, "the backup file to write")->required();
  a->cmd->add_option("--data-dir", a->data_dir,
                     "the core's data directory (node.data_dir); default: --core-db's");
  a->cmd->add_flag("--force", a->force, "replace --to if it exists");
  a->cmd->add_flag("--json", a->json, "print the result as JSON");
}

int RunBackupCommand(const std::string& core_db, const BackupCmdArgs& a) {
  if (a.cmd == nullptr || !*a.cmd) return -1;
  namespace fs = std::filesystem;
  const std::string from = a.data_dir.empty() ? core_db : a.data_dir + "/core.db";
  std::error_code ec;
  if (!fs::is_regular_file(from, ec)) {
    return FailIn("backup", Status::IoError("no database at " + from +
                                            " (give the core's --data-dir, or --core-db)"));
  }
  if (fs::exists(a.to, ec) && !a.force) {
    return FailIn("backup", Status::FailedPrecondition(
                                a.to + " exists; not overwritten (--force replaces it)"));
  }
  const std::string part = a.to + ".partial-" + std::to_string(::getpid());
  fs::remove(part, ec);
  Database::Options ro;
  ro.read_only = true;
  Status s = BackupDatabase(from, part);
  if (!s.ok()) {
    // Not the operator's --to existing (checked above) nor a missing --data-dir: the
    // .partial file or the source could not be used, an I/O error (2).
    const bool io =
        s.code() == Status::Code::kFailedPrecondition || s.code() == Status::Code::kNotFound;
    return FailIn("backup", io ? Status::IoError(s.message()) : s);
  }
  int64_t chunks = -1;
  std::string check;
  {
    auto copy = Database::Open(part, ro);
    if (!copy.ok()) {
      fs::remove(part, ec);
      return FailIn("backup", copy.status());
    }
    auto ic = (*copy)->IntegrityCheck();
    check = ic.ok() ? *ic : ic.status().message();
    chunks = CountRows(**copy, "chunks");
  }
  if (check != "ok") {
    fs::remove(part, ec);
    // A refusal (1), not an I/O error: the database itself answered with problems.
    return FailIn("backup", Status::FailedPrecondition("the copy of " + from +
                                                       " failed PRAGMA integrity_check: " + check +
                                                       "; nothing written to " + a.to));
  }
  fs::rename(part, a.to, ec);
  if (ec) {
    fs::remove(part, ec);
    return FailIn("backup", Status::IoError("rename to " + a.to + ": " + ec.message()));
  }
  const auto bytes = fs::file_size(a.to, ec);
  if (a.json) {
    std::cout << Dump({{"ok", true},
                       {"from", from},
                       {"to", a.to},
                       {"bytes", ec ? 0 : bytes},
                       {"manifest_chunks", chunks},
                       {"integrity_check", check}})
              << "\n";
  } else {
    std::cout << "ternctl backup: " << from << " -> " << a.to << " (" << (ec ? 0 : bytes)
              << " bytes, " << chunks << " manifest chunks, integrity_check ok)\n";
  }
  return kExitOk;
}

}  // namespace tern::tools
