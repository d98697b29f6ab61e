// SettingsStore: the `edge_settings` and `settings_meta` tables of core.db.
#include "tern/core/settings_store.h"

#include "store_util.h"

namespace tern::core {

Result<EdgeSettings> SettingsStore::Get(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, get_,
                                    "SELECT priority, weight, kinds, max_bytes_per_s, protocol"
                                    " FROM edge_settings WHERE name = ?"));
  ResetGuard g(q);
  q->BindText(1, name);
  EdgeSettings e;
  e.name = name;
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row) {
    e.priority = static_cast<int>(q->Int(0));
    e.weight = static_cast<int>(q->Int(1));
    e.kinds = std::string(q->Text(2));
    e.max_bytes_per_s = q->Int(3);
    e.protocol = static_cast<int>(q->Int(4));
  }
  return e;
}

Result<std::vector<StoredEdgeSettings>> SettingsStore::List() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, list_,
                  "SELECT name, priority, weight, kinds, max_bytes_per_s, protocol, updated_ms"
                  " FROM edge_settings ORDER BY name"));
  ResetGuard g(q);
  std::vector<StoredEdgeSettings> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    StoredEdgeSettings s;
    s.settings.name = std::string(q->Text(0));
    s.settings.priority = static_cast<int>(q->Int(1));
    s.settings.weight = static_cast<int>(q->Int(2));
    s.settings.kinds = std::string(q->Text(3));
    s.settings.max_bytes_per_s = q->Int(4);
    s.settings.protocol = static_cast<int>(q->Int(5));
    s.updated_ms = q->Int(6);
    out.push_back(std::move(s));
  }
  return out;
}

Status SettingsStore::Put(const EdgeSettings& e) {
  TERN_RETURN_IF_ERROR(e.Validate());
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, put_,
                  "INSERT INTO edge_settings(name, priority, weight, kinds, max_bytes_per_s,"
                  " protocol, updated_ms) VALUES(?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET"
                  " priority = excluded.priority, weight = excluded.weight,"
                  " kinds = excluded.kinds, max_bytes_per_s = excluded.max_bytes_per_s,"
                  " protocol = excluded.protocol, updated_ms = excluded.updated_ms"));
  TERN_RETURN_IF_ERROR(q->BindText(1, e.name)
                           .Bind(2, int64_t{e.priority})
                           .Bind(3, int64_t{e.weight})
                           .BindText(4, e.kinds)
                           .Bind(5, e.max_bytes_per_s)
                           .Bind(6, int64_t{e.protocol})
                           .Bind(7, now_ms_())
                           .Run());
  TERN_ASSIGN_OR_RETURN(
      Statement * b,
      PrepareOnce(db_, bump_, "UPDATE settings_meta SET value = value + 1 WHERE key = 'version'"));
  return b->Run();
}

Result<int64_t> SettingsStore::Version() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, version_, "SELECT value FROM settings_meta WHERE key = 'version'"));
  ResetGuard g(q);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

}  // namespace tern::core
