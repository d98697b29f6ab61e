// A thin wrapper over SQLite: open with tern's durability settings, prepared statements,
// transactions and schema migrations. The one file that includes sqlite3.h is sqlite.cpp.
//
// Durable databases run in WAL mode with synchronous=FULL: a Commit() that returns OK has
// been fsync'd. Throughput comes from group commit (many rows per transaction) in the callers.
// Errors name the database path and the failing statement; SQLITE_FULL maps to
// ResourceExhausted so callers can apply their disk-full policy.
// Thread-safety: a Database and its Statements belong to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tern {

class Database;

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class Statement {
 public:
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, double v);
  Statement& BindText(int i, std::string_view v);
  Statement& BindBlob(int i, std::string_view v);
  Statement& BindNull(int i);

  // Steps once: true if a row is ready, false when done.
  Result<bool> Step();
  // Steps to completion (for statements that return no rows) and resets.
  Status Run();
  // Resets for re-execution and clears bindings.
  void Reset();

  int64_t Int(int col) const;
  double Double(int col) const;
  std::string_view Text(int col) const;
  std::string_view Blob(int col) const;
  bool IsNull(int col) const;

 private:
  friend class Database;
  Statement(Database* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
  Database* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  struct Options {
    bool read_only = false;
    bool durable = true;  // WAL + synchronous=FULL; false = WAL + NORMAL (tests, caches)
    int busy_timeout_ms = 5000;
    int cache_kib = 16384;
  };

  // Opens (creating unless read_only) the database at `path`.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, const Options& opts);
  static Result<std::unique_ptr<Database>> Open(const std::string& path) {
    return Open(path, Options{});
  }
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(const std::string& sql);
  Result<std::unique_ptr<Statement>> Prepare(const std::string& sql);

  Status Begin();  // BEGIN IMMEDIATE: take the write lock now, not at the first write
  Status Commit();
  Status Rollback();

  // Brings the schema to steps.size() by running steps[user_version..] each in a transaction.
  // A database newer than this build (user_version > steps.size()) is refused.
  Status Migrate(const std::vector<std::string>& steps);

  // "ok", or the first problem PRAGMA integrity_check reports.
  Result<std::string> IntegrityCheck();

  int64_t LastInsertRowid() const;
  int Changes() const;
  const std::string& path() const { return path_; }

  // The Status for a failed SQLite call, naming this database and `what`.
  Status Error(int rc, std::string_view what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// Resets (and clears the bindings of) a statement when the scope ends, whatever path leaves
// it: a statement left mid-step keeps its read snapshot open and blocks checkpoints.
class ResetGuard {
 public:
  explicit ResetGuard(Statement* s) : s_(s) {}
  ~ResetGuard() { s_->Reset(); }
  ResetGuard(const ResetGuard&) = delete;
  ResetGuard& operator=(const ResetGuard&) = delete;

 private:
  Statement* s_;
};

// The statement in `slot`, preparing `sql` on `db` first if the slot is empty. Preparing on
// first use lets a read-only handle on an older schema use every statement whose tables
// exist; a missing table's error surfaces only from the call that needs it.
[[nodiscard]] Result<Statement*> PrepareOnce(Database& db, std::unique_ptr<Statement>& slot,
                                             const char* sql);

}  // namespace tern
