// The registry in core.db: each node's name, its permanent address, whether it is a store,
// its capacity, and the membership state last published for it (`nodes` table).
//
// Addresses come from an AUTOINCREMENT key, so a name keeps its address across restarts
// and an address is never handed out again, not even after its node was removed.
// Registry is one of the store classes Manifest owns (see manifest.h); it runs every
// statement on the `nodes` table and nothing else does.
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

// One registered node as the registry holds it.
struct NodeRecord {
  uint32_t addr = 0;
  std::string name;
  bool store = true;  // false for the core's own entry (not a store, not an edge)
  int64_t capacity = 0;
  int64_t registered_ms = 0;
  int64_t last_seen_ms = 0;  // wall clock, informational
  std::string state;         // as last published: live, suspect, dead, offline, unknown
  std::string pubkey;        // pki mode: the enrolled certificate's Ed25519 key (hex), or empty
  bool draining = false;     // an operator drained it: its copies move off, it gets no new ones
};

// The certificate a name is enrolled with (pki mode); empty strings if none.
struct EnrolledCert {
  std::string pem;
  std::string pubkey;  // hex
};

class Registry {
 public:
  // Prepares the registry's statements on `db`, which must outlive the Registry and have
  // the `nodes` table (Manifest::Schema()). `now_ms` is the wall clock stamped on new rows.
  // Fails, naming the database, if a statement cannot be prepared.
  [[nodiscard]] static Result<std::unique_ptr<Registry>> Open(Database& db,
                                                              std::function<int64_t()> now_ms);

  // The existing address of `name` (updating its capacity), or a new, never-used one;
  // `store` is false only for the core's own entry. Writes; run it inside the caller's
  // transaction. (Nodes once registered their store's file path here; schema v8 dropped it:
  // no node opens another node's files.)
  [[nodiscard]] Result<uint32_t> Register(const std::string& name, int64_t capacity,
                                          bool store = true);
  // The store id `name` is enrolled with: empty if the name is not registered or not bound.
  [[nodiscard]] Result<std::string> NodeIdOf(const std::string& name);
  // Binds `name` (registered) to the store id `node_id`. Writes; inside the caller's
  // transaction.
  [[nodiscard]] Status BindNodeId(const std::string& name, const std::string& node_id);
  // The certificate `name` is enrolled with (empty if none or not registered).
  [[nodiscard]] Result<EnrolledCert> CertOf(const std::string& name);
  // Binds `name` (registered) to the certificate `pem` with public key `pubkey` (hex).
  // Writes; inside the caller's transaction.
  [[nodiscard]] Status BindCert(const std::string& name, const std::string& pem,
                                const std::string& pubkey);
  // Records the membership state published for `addr`; last_seen_ms only moves forward.
  // Unknown addresses are ignored (OK).
  [[nodiscard]] Status SetState(uint32_t addr, const std::string& state, int64_t last_seen_ms);
  // Marks `addr` draining (or not). Writes; inside the caller's transaction. NotFound naming
  // the address if it is not registered.
  [[nodiscard]] Status SetDraining(uint32_t addr, bool draining);
  // Forgets the node `name` (NotFound naming it if there is none). Its address stays retired.
  [[nodiscard]] Status Remove(const std::string& name);
  // Every registered node, in address order.
  [[nodiscard]] Result<std::vector<NodeRecord>> Nodes();

  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

 private:
  Registry(Database& db, std::function<int64_t()> now_ms) : db_(db), now_ms_(std::move(now_ms)) {}
  Database& db_;
  std::function<int64_t()> now_ms_;
  std::unique_ptr<Statement> get_, ins_, upd_, state_, del_, all_, node_id_, bind_, cert_,
      bind_cert_, drain_;
};

}  // namespace tern::core
