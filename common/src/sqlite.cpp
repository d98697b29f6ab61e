// The one file that includes SQLite.
#include "tern/common/sqlite.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tern/common/sqlite_backup.h"

namespace tern {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::BindText(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::BindBlob(int i, std::string_view v) {
  // A zero-length blob with a null pointer would bind NULL; keep it a blob.
  sqlite3_bind_blob64(stmt_, i, v.empty() ? "" : v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = db_->Error(rc, sqlite3_sql(stmt_));
  sqlite3_reset(stmt_);
  return s;
}

Status Statement::Run() {
  auto r = Step();
  Reset();
  return r.ok() ? Status::Ok() : r.status();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int c) const { return sqlite3_column_int64(stmt_, c); }
double Statement::Double(int c) const { return sqlite3_column_double(stmt_, c); }
std::string_view Statement::Text(int c) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
           : std::string_view();
}
std::string_view Statement::Blob(int c) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
           : std::string_view();
}
bool Statement::IsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, const Options& o) {
  sqlite3* raw = nullptr;
  int flags = o.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) return db->Error(rc, "open");
  sqlite3_busy_timeout(raw, o.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  if (!o.read_only) {
    TERN_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
    TERN_RETURN_IF_ERROR(
        db->Exec(o.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  }
  TERN_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  TERN_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-" + std::to_string(o.cache_kib)));
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Error(int rc, std::string_view what) const {
  std::string msg = "sqlite " + path_ + ": " + std::string(what) + ": " +
                    (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_FULL:
      return Status::ResourceExhausted("disk full: " + msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return Status::InvalidArgument(msg);
    case SQLITE_CANTOPEN:
      return Status::NotFound(msg);
    default:
      return Status::IoError(msg);
  }
}

Status Database::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, sql);
}

Result<std::unique_ptr<Statement>> Database::Prepare(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return std::unique_ptr<Statement>(new Statement(this, s));
}

Status Database::Begin() { return Exec("BEGIN IMMEDIATE"); }
Status Database::Commit() { return Exec("COMMIT"); }
Status Database::Rollback() { return Exec("ROLLBACK"); }

Status Database::Migrate(const std::vector<std::string>& steps) {
  TERN_ASSIGN_OR_RETURN(auto q, Prepare("PRAGMA user_version"));
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  int64_t have = row ? q->Int(0) : 0;
  q.reset();
  if (have > static_cast<int64_t>(steps.size())) {
    return Status::FailedPrecondition("sqlite " + path_ + ": schema version " +
                                      std::to_string(have) + " is newer than this build (" +
                                      std::to_string(steps.size()) + ")");
  }
  for (size_t v = static_cast<size_t>(have); v < steps.size(); ++v) {
    TERN_RETURN_IF_ERROR(Begin());
    Status s = Exec(steps[v]);
    if (s.ok()) s = Exec("PRAGMA user_version=" + std::to_string(v + 1));
    if (!s.ok()) {
      (void)Rollback();  // the migration error is the one to report; a failed rollback
                         // leaves the transaction to SQLite, which ends it on close
      return s.WithContext("migration to schema " + std::to_string(v + 1));
    }
    TERN_RETURN_IF_ERROR(Commit());
  }
  return Status::Ok();
}

Result<std::string> Database::IntegrityCheck() {
  TERN_ASSIGN_OR_RETURN(auto q, Prepare("PRAGMA integrity_check"));
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? std::string(q->Text(0)) : std::string("no answer");
}

int64_t Database::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Result<Statement*> PrepareOnce(Database& db, std::unique_ptr<Statement>& slot, const char* sql) {
  if (!slot) {
    TERN_ASSIGN_OR_RETURN(slot, db.Prepare(sql));
  }
  return slot.get();
}

Status BackupDatabase(const std::string& from, const std::string& to) {
  std::error_code ec;
  const std::string what = "backup of " + from + " to " + to;
  if (std::filesystem::exists(to, ec))
    return Status::FailedPrecondition(what + ": " + to + " exists");
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto fail = [&](int code, sqlite3* on, const std::string& step) {
    std::string msg = what + ": " + step + ": " + (on ? sqlite3_errmsg(on) : sqlite3_errstr(code));
    sqlite3_close_v2(dst);
    sqlite3_close_v2(src);
    std::filesystem::remove(to, ec);
    if ((code & 0xFF) == SQLITE_FULL) return Status::ResourceExhausted("disk full: " + msg);
    if ((code & 0xFF) == SQLITE_CANTOPEN && on == src) return Status::NotFound(msg);
    return Status::IoError(msg);
  };
  int rc = sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) return fail(rc, src, "open " + from);
  sqlite3_busy_timeout(src, 5000);
  rc = sqlite3_open_v2(to.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) return fail(rc, dst, "open " + to);
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (b == nullptr) return fail(sqlite3_errcode(dst), dst, "backup_init");
  // All pages in one step: the copy is of one read snapshot. A writer holding a lock the
  // step needs makes it BUSY/LOCKED for a moment; retried for up to 10 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  const int fin = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return fail(rc, dst, "backup_step");
  if (fin != SQLITE_OK) return fail(fin, dst, "backup_finish");
  // The pages carry the source's WAL mode; a backup is one file to copy around.
  rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc, dst, "journal_mode=DELETE");
  sqlite3_close_v2(src);
  src = nullptr;
  rc = sqlite3_close(dst);
  if (rc != SQLITE_OK) return fail(rc, dst, "close");
  return Status::Ok();
}

}  // namespace tern
