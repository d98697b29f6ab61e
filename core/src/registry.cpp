// Registry: the `nodes` table of core.db (names, never-reused addresses, node states).
#include "tern/core/registry.h"

#include "store_util.h"

namespace tern::core {

Result<std::unique_ptr<Registry>> Registry::Open(Database& db, std::function<int64_t()> now_ms) {
  std::unique_ptr<Registry> r(new Registry(db, std::move(now_ms)));
  TERN_ASSIGN_OR_RETURN(r->get_, db.Prepare("SELECT addr FROM nodes WHERE name = ?"));
  // Write statements prepare fine on a read-only handle; they would fail only if run.
  TERN_ASSIGN_OR_RETURN(r->ins_, db.Prepare("INSERT INTO nodes(name, store, capacity,"
                                            " registered_ms) VALUES(?, ?, ?, ?)"));
  TERN_ASSIGN_OR_RETURN(r->upd_,
                        db.Prepare("UPDATE nodes SET store = ?, capacity = ? WHERE addr = ?"));
  TERN_ASSIGN_OR_RETURN(r->state_, db.Prepare("UPDATE nodes SET state = ?, last_seen_ms ="
                                              " max(last_seen_ms, ?) WHERE addr = ?"));
  return r;
}

Result<uint32_t> Registry::Register(const std::string& name, int64_t capacity, bool store) {
  const int64_t is_store = store ? 1 : 0;
  int64_t addr = 0;
  {
    ResetGuard g(get_.get());
    get_->BindText(1, name);
    TERN_ASSIGN_OR_RETURN(bool row, get_->Step());
    if (row) addr = get_->Int(0);
  }
  if (addr == 0) {
    TERN_RETURN_IF_ERROR(
        ins_->BindText(1, name).Bind(2, is_store).Bind(3, capacity).Bind(4, now_ms_()).Run());
    addr = db_.LastInsertRowid();
  } else {
    TERN_RETURN_IF_ERROR(upd_->Bind(1, is_store).Bind(2, capacity).Bind(3, addr).Run());
  }
  return static_cast<uint32_t>(addr);
}

Result<std::string> Registry::NodeIdOf(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, node_id_, "SELECT node_id FROM nodes WHERE name = ?"));
  ResetGuard g(q);
  q->BindText(1, name);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? std::string(q->Text(0)) : std::string();
}

Status Registry::BindNodeId(const std::string& name, const std::string& node_id) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, bind_, "UPDATE nodes SET node_id = ? WHERE name = ?"));
  return q->BindText(1, node_id).BindText(2, name).Run();
}

Result<EnrolledCert> Registry::CertOf(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, cert_, "SELECT cert, pubkey FROM nodes WHERE name = ?"));
  ResetGuard g(q);
  q->BindText(1, name);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return EnrolledCert{};
  return EnrolledCert{std::string(q->Text(0)), std::string(q->Text(1))};
}

Status Registry::BindCert(const std::string& name, const std::string& pem,
                          const std::string& pubkey) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, bind_cert_, "UPDATE nodes SET cert = ?, pubkey = ? WHERE name = ?"));
  return q->BindText(1, pem).BindText(2, pubkey).BindText(3, name).Run();
}

Status Registry::SetState(uint32_t addr, const std::string& state, int64_t last_seen_ms) {
  return state_->BindText(1, state).Bind(2, last_seen_ms).Bind(3, int64_t{addr}).Run();
}

Status Registry::SetDraining(uint32_t addr, bool draining) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, drain_, "UPDATE nodes SET draining = ? WHERE addr = ?"));
  TERN_RETURN_IF_ERROR(q->Bind(1, int64_t{draining ? 1 : 0}).Bind(2, int64_t{addr}).Run());
  if (db_.Changes() == 0) {
    return Status::NotFound("node address " + std::to_string(addr) + " is not registered");
  }
  return Status::Ok();
}

Status Registry::Remove(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, del_, "DELETE FROM nodes WHERE name = ?"));
  TERN_RETURN_IF_ERROR(q->BindText(1, name).Run());
  if (db_.Changes() == 0) return Status::NotFound("node '" + name + "' is not registered");
  return Status::Ok();
}

Result<std::vector<NodeRecord>> Registry::Nodes() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, all_,
                  "SELECT addr, name, store, capacity, registered_ms,"
                  " last_seen_ms, state, pubkey, draining FROM nodes ORDER BY addr"));
  ResetGuard g(q);
  std::vector<NodeRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({static_cast<uint32_t>(q->Int(0)), std::string(q->Text(1)), q->Int(2) != 0,
                   q->Int(3), q->Int(4), q->Int(5), std::string(q->Text(6)),
                   std::string(q->Text(7)), q->Int(8) != 0});
  }
  return out;
}

}  // namespace tern::core
