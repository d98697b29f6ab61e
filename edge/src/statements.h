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
// Refusals count `refused_<reason>` and `rejected_<kind>` and are logged (msg::Reject).
// The windows live in the store's meta table ("replay"), written by Persist() when changed
// (the agent calls it with every heartbeat and at stop).
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "tern/common/metrics.h"
#include "tern/common/statements.h"
#include "tern/edge/local_store.h"
#include "tern/edge/peers.h"

namespace tern::edge {

inline constexpr const char* kCoreSender = "@core";  // not a node name: '@' is not allowed

class Statements {
 public:
  // Continues the store's numbers and restores its windows. `store` and `m` outlive it.
  [[nodiscard]] static Result<std::unique_ptr<Statements>> Open(LocalStore* store, Metrics* m,
                                                                std::string who);

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
  // Writes the windows if they changed. Never on the store's writer thread.
  [[nodiscard]] Status Persist();

 private:
  Statements(LocalStore* store, Metrics* m, std::string who, std::unique_ptr<SeqCounter> seq)
      : store_(store),
        m_(m),
        who_(std::move(who)),
        seq_(std::move(seq)),
        sealer_(seq_.get(), nullptr) {}
  void Refuse(const Refusal& r, const std::string& kind, const std::string& topic,
              const std::string& sender);

  LocalStore* store_;
  Metrics* m_;
  const std::string who_;
  std::unique_ptr<SeqCounter> seq_;
  Sealer sealer_;
  uint64_t will_seq_ = 0;
  std::mutex mu_;
  ReplayBook book_;             // under mu_
  uint64_t members_seq_ = 0;    // under mu_
  std::string members_digest_;  // under mu_: SHA-256 (hex) of the list taken last, as it came
  bool dirty_ = false;          // under mu_
};

// True if `from` (the name in a peer/<from>/<self> topic) is in the latest member list and,
// unless `holder` is 0, has address `holder`: a statement about a copy counts only from the
// holder itself. Counts refused_unknown_sender / refused_wrong_holder and logs otherwise.
bool IsHolder(const PeerTable& peers, const std::string& from, uint32_t holder,
              const std::string& topic, Metrics& m, const std::string& who);

}  // namespace tern::edge
