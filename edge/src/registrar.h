// The registrar: this node's permanent address and its announcements to the core.
//
// The core maps a name to an address once and for ever. The first start waits for it: a
// short-lived second connection (client id "<name>.reg", made through the options'
// TransportFactory) publishes `register` on reg/<name> every second until the core answers
// `registered` (or `refused`, which fails the start) on reg/<name>/reply. The address is
// then kept in the store's meta table and used ever after; the reply's sequence floors (the
// core's marks of sources this node had before it lost its store) are kept first, so each
// source starts above them (`seq_floors_applied`, a WARN line per source). Every later (re)connect
// of the main client re-announces the node (Announcement()), and the core's reply on the main
// client is checked (OnRegistered): a different address is counted (`address_conflicts`)
// and logged, ours is kept; the settings in it are applied. Every announcement carries the
// store's node_id (the core binds the name to it) and this run's random nonce; only a reply
// echoing the nonce is taken (a retained or replayed reply for someone else is counted as
// `refused_stale_reply` and ignored). In pki mode the announcement carries the node's
// certificate and every reply must verify with the core's key (Statements::AdmitReply).
// Replies that do not decode are counted as `rejected_registration`.
// Thread-safety: Obtain from one thread; Cancel from any; OnRegistered from the network
// thread; Announcement from any.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "settings_state.h"
#include "statements.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/statements.h"
#include "tern/common/status.h"
#include "tern/edge/local_store.h"
#include "tern/edge/options.h"

namespace tern::edge {

class Registrar {
 public:
  // None of the pointers is owned; all outlive the registrar. `settings` receives the
  // settings in registration replies.
  Registrar(const EdgeOptions& o, LocalStore* store, SettingsState* settings, Metrics* m);

  // The node's address: the stored one, or the core's answer (stored before returning).
  // FailedPrecondition if the core refused the name; Unavailable if Cancel() came first.
  [[nodiscard]] Result<uint32_t> Obtain();
  // Makes a waiting Obtain() give up.
  void Cancel();

  // Seal announcements through `statements` (not owned; null: unsealed, for tests), announce
  // the number its Last Will is sealed with, carry `cert_pem` (pki mode: the node's
  // certificate), and check the core's replies with it. Before Obtain.
  void UseStatements(Statements* statements, std::string cert_pem) {
    statements_ = statements;
    cert_pem_ = std::move(cert_pem);
  }
  // The `register` message this node publishes on reg/<name>, sealed with a fresh number
  // (empty, counted as `seal_errors`, if none could be reserved).
  std::string Announcement() const;
  // The core's reply to an announcement on the main client; `addr` is ours.
  void OnRegistered(const msg::Registered& m, uint32_t addr);
  // True if a reply carries this run's nonce; counts `refused_stale_reply` if not.
  bool Ours(const std::string& nonce) const;
  const std::string& nonce() const { return nonce_; }

 private:
  const EdgeOptions& o_;
  LocalStore* store_;
  SettingsState* settings_;
  Metrics* m_;
  std::string nonce_;    // this run's, fixed at construction
  std::string node_id_;  // the store's; empty if it could not be read (then refused later)
  Statements* statements_ = nullptr;
  std::string cert_pem_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancel_ = false;  // under mu_
};

}  // namespace tern::edge
