// This edge's statements, both ways (docs/security.md, "Signed statements").
//
// Outbound: the node's SeqCounter (its reservation kept in the store's meta table, one
// durable write per 65536 numbers) behind a Sealer, and the Last Will, sealed once at start
// with a number set aside for it; `register` announces that number, and the core takes an
// `offline` only with it.
//
// Inbound: every JSON message on down/<self>, reg/<self>/reply, members and peer/<n>/<self>
// passes Admit() before a dispatcher decodes it: the seal comes off and the sender's replay
// window refuses a number seen before or older than the window. The core's topics share one
// window (sender kCoreSender); a peer's messages are the peer's, by the name in the topic.
// The member list is a snapshot, not an event: the newest (or the very same text again, as
// the retained copy arrives after every reconnect and restart) is taken, an older one
// refused.
// Signatures (pki mode, `identity` given): statements are signed with the node's key; every
// inbound statement must verify with its sender's key: the core's from its certificate (in
// every registration reply, checked against the site CA with role core, and kept in the
// store's meta table so a restart knows it before the core answers), a peer's from the
// latest verified member list. Chunk envelopes carry their origin's signature of the chunk
// id (VerifyChunk).
// Refusals count `refused_<reason>` and `rejected_<kind>` and are logged (msg::Reject).
// The windows live in the store's meta table ("replay"), written by Persist() when changed
// (the agent calls it with every heartbeat and at stop).
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/node_identity.h"
#include "tern/common/statements.h"
#include "tern/edge/local_store.h"
#include "tern/edge/peers.h"

namespace tern::edge {

inline constexpr const char* kCoreSender = "@core";  // not a node name: '@' is not allowed

class Statements {
 public:
  // Continues the store's numbers and restores its windows and the core's certificate.
  // `store`, `m` and `identity` outlive it; `identity` null = insecure mode (no signatures).
  [[nodiscard]] static Result<std::unique_ptr<Statements>> Open(
      LocalStore* store, Metrics* m, std::string who, const NodeIdentity* identity = nullptr);

  Sealer* sealer() { return &sealer_; }
  // The number set aside for the Last Will, and the will itself for `topic` (hb/<self>).
  uint64_t will_seq() const { return will_seq_; }
  std::string Will(const std::string& topic, const std::string& offline_json) const {
    return sealer_.SealWith(topic, offline_json, will_seq_);
  }

  // The message as its sender encoded it, or nullopt when refused (counted, logged as a
  // `kind` message). `sender`: kCoreSender, or the peer's name.
  std::optional<std::string> Admit(const std::string& topic, std::string_view payload,
                                   const std::string& sender, const std::string& kind);
  // A member list: the newest or the same again.
  std::optional<std::string> AdmitMembers(const std::string& topic, std::string_view payload);
  // A registration reply (registered / refused) on reg/<self>/reply. In pki mode it must
  // verify with the core's key: the certificate it carries (checked against the site CA,
  // role core; then trusted and kept) or the one known before. `window`: also the core's
  // replay window (the main connection; the registration connection relies on the nonce).
  std::optional<std::string> AdmitReply(const std::string& topic, std::string_view payload,
                                        bool window);
  // The keys of the members in a verified member list (pki mode; ignored otherwise).
  void LearnKeys(const msg::Members& m);
  // True if `sig` is the signature of chunk `id` by its origin (always true in insecure
  // mode): `origin` is the chunk header's, the member at that address signs, or the core
  // when no member has it (the core's results). `from` (the sender) must be a member or the
  // core; it need not be the origin (a copy the core asked another store to send carries the
  // origin's kept signature). Counts and logs a refusal (as a `kind` message) otherwise:
  // `wrong_origin` when the sender signed another origin's chunk itself.
  bool VerifyChunk(const std::string& from, uint32_t origin, std::string_view id,
                   std::string_view sig, const std::string& topic, const std::string& kind);
  bool signing() const { return identity_ != nullptr; }
  // Writes the windows if they changed. Never on the store's writer thread.
  [[nodiscard]] Status Persist();

 private:
  Statements(LocalStore* store, Metrics* m, std::string who, std::unique_ptr<SeqCounter> seq,
             const NodeIdentity* identity)
      : store_(store),
        m_(m),
        who_(std::move(who)),
        identity_(identity),
        seq_(std::move(seq)),
        sealer_(seq_.get(), identity ? &identity->key() : nullptr) {}
  void Refuse(const Refusal& r, const std::string& kind, const std::string& topic,
              const std::string& sender);
  // Takes `pem` as the core's certificate (already checked). Persists it when new.
  void TrustCore(const std::string& pem, const crypto::CertInfo& info);
  // The key `sender` signs with (kCoreSender or a name), or null. Under mu_.
  const crypto::PublicKey* KeyOfLocked(const std::string& sender) const;

  LocalStore* store_;
  Metrics* m_;
  const std::string who_;
  const NodeIdentity* identity_;
  std::unique_ptr<SeqCounter> seq_;
  Sealer sealer_;
  uint64_t will_seq_ = 0;
  std::mutex mu_;
  ReplayBook book_;             // under mu_
  uint64_t members_seq_ = 0;    // under mu_
  std::string members_digest_;  // under mu_: SHA-256 (hex) of the list taken last, as it came
  bool dirty_ = false;          // under mu_
  crypto::PublicKey core_key_;  // under mu_: empty until the core's certificate is known
  std::string core_name_;       // under mu_: its CN
  std::map<std::string, std::pair<uint32_t, crypto::PublicKey>> peer_keys_;  // under mu_
};

// True if `from` (the name in a peer/<from>/<self> topic) is in the latest member list and,
// unless `holder` is 0, has address `holder`: a statement about a copy counts only from the
// holder itself. Counts refused_unknown_sender / refused_wrong_holder and logs otherwise.
bool IsHolder(const PeerTable& peers, const std::string& from, uint32_t holder,
              const std::string& topic, Metrics& m, const std::string& who);

}  // namespace tern::edge
