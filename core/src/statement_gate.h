// The core's gate for inbound statements: every JSON message on reg/<n>, hb/<n>, stored/<n>
// and peer/<n>/<core> passes it before any dispatcher decodes it. It takes the seal off
// (statements.h), refuses a number the sender used before or one older than its replay
// window, and hands the message on as its sender encoded it. A node's Last Will (`offline`)
// is sealed at connect time with a number set aside for it, which its `register` announces;
// that number is accepted once on hb/<n> whatever the window says, and nothing else is an
// `offline`.
//
// In pki mode every statement must carry its sender's signature: a node's statements verify
// with the key it enrolled (Membership::KeyOf), and a `register` with the key of the
// certificate it carries, which must be the site CA's, unrevoked, issued to the name in the
// topic with role edge (refused_cert otherwise).
// Refusals are counted as `refused_<reason>` (no_seq, replay, ...) and as `rejected_<kind>`
// for the topic kind, and logged rate-limited with the topic and the claimed sender
// (msg::Reject). The windows and Last-Will numbers are written to core.db by Flush(), which
// the core calls in the same transaction as what the admitted messages changed, so after a
// crash a statement is either refused again or its effect was rolled back with its window.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "membership.h"
#include "tern/common/metrics.h"
#include "tern/common/node_identity.h"
#include "tern/common/statements.h"
#include "tern/core/statement_store.h"

namespace tern::core {

class StatementGate {
 public:
  // `store`, `members`, `m` and `identity` outlive the gate. `identity` null: insecure mode
  // (sequence numbers only, no signatures).
  StatementGate(StatementStore* store, const Membership* members, Metrics* m,
                const NodeIdentity* identity)
      : store_(store), members_(members), m_(m), identity_(identity) {}
  // Restores the windows and Last-Will numbers kept in core.db.
  [[nodiscard]] Status Load();

  struct Admitted {
    uint64_t seq = 0;
    std::string body;   // the message as its sender encoded it
    bool will = false;  // sealed with the sender's Last-Will number
    // A `register` in pki mode: what its (verified) certificate says.
    std::optional<crypto::CertInfo> cert;
  };
  // The statement `payload` on `topic` from node `sender` (the name in the topic), or
  // nullopt when it is refused (counted, logged as a `kind` message).
  std::optional<Admitted> Admit(const std::string& topic, std::string_view payload,
                                const std::string& sender, const std::string& kind);
  // Why the last refused statement was refused ("<reason>: <detail>").
  const std::string& last_refusal() const { return last_refusal_; }
  // Puts the window of the last admitted statement's sender back as it was before (a
  // `register` the registrar then refused: a second box under an enrolled name must not
  // move the enrolled node's window past the numbers it uses, which would silence it).
  void UndoLastAdmit();
  // `name` registered and announced the number its Last Will is sealed with.
  void SetWill(const std::string& name, uint64_t will_seq);
  // Writes what changed since the last Flush (inside the caller's transaction).
  [[nodiscard]] Status Flush();

 private:
  // The key a statement from `sender` must verify with (pki mode), or a refusal. For a
  // `register`, the certificate's, checked and returned in `cert`.
  std::optional<const crypto::PublicKey*> KeyFor(const std::string& topic, std::string_view payload,
                                                 const std::string& sender, const std::string& kind,
                                                 std::optional<crypto::CertInfo>* cert);
  void Refuse(const std::string& reason, const std::string& kind, const std::string& topic,
              const std::string& sender, const std::string& detail);
  StatementStore* store_;
  const Membership* members_;
  Metrics* m_;
  const NodeIdentity* identity_;
  ReplayBook book_;
  std::map<std::string, uint64_t> will_;  // name -> its Last Will's number (0: none armed)
  std::set<std::string> dirty_;           // names whose will_ changed
  std::string last_refusal_;
  std::string undo_sender_;                  // the last Admit's sender ("" after an undo)
  std::optional<ReplayWindow> undo_window_;  // its window before (nullopt: it had none)
};

}  // namespace tern::core
