// The gate every uplinked chunk (binary envelope on `up/<name>`) passes: the sender must be
// registered, the envelope and chunk must decode and agree on who sent them, the chunk's
// kind must be permitted for that edge (else `refused`), and a chunk not spooled before
// must fit the edge's byte-rate budget (else `throttle` with a retry-after). A chunk that
// passes is recorded with its origin as first holder and spooled (a resend is not spooled
// again: it only earns the edge another ack). A new chunk id whose (origin, source, seq) was
// acked before under another id is refused (`refused_seq_reuse`; seq_marks.h). The gate returns
// what follows; the caller publishes the reply, settles the chunk and schedules it after the
// commit. While held (the core on backup power, power_fail.h) every uplink from a registered
// sender is answered `throttle` instead, so nothing new is taken and the edges keep the chunk.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "batch.h"
#include "membership.h"
#include "settings_book.h"
#include "tern/common/metrics.h"
#include "tern/core/manifest.h"

namespace tern::core {

// An uplink byte budget: `rate` bytes/s with two seconds of burst.
class TokenBucket {
 public:
  // Takes `bytes` if the budget has them and returns 0; otherwise takes nothing and returns
  // how long (ms) until it would have them. A rate <= 0 means no limit.
  uint64_t Take(uint64_t bytes, int64_t rate, uint64_t now_ms);

 private:
  double tokens_ = 0;
  uint64_t last_ms_ = 0;
};

class UplinkGate {
 public:
  // Pointers outlive the gate. `m` counts uplinks, refused_permission, refused_seq_reuse,
  // throttled, manifest_errors and rejected_up. `verify`: pki mode; each chunk's origin signature
  // must verify with its sender's enrolled key (refused_bad_signature, refused_unknown_sender
  // otherwise).
  UplinkGate(Topics topics, Manifest* db, const Membership* members, SettingsBook* settings,
             Metrics* m, bool verify = false)
      : topics_(std::move(topics)),
        db_(db),
        members_(members),
        settings_(settings),
        m_(m),
        verify_(verify) {}

  struct Outcome {
    std::optional<Outgoing> reply;                // refused or throttle, to the origin
    std::optional<ChunkId> accepted;              // recorded: settle it and ack again
    std::optional<Manifest::SpoolEntry> spooled;  // newly spooled: schedule after the commit
  };
  // How long a held uplink's sender is asked to wait before sending it again.
  static constexpr uint64_t kHeldRetryMs = 1000;
  // Holds (true) or releases the gate. Held: each uplink is answered `throttle` (reason
  // "core on backup power", retry_after_ms kHeldRetryMs) and counted as uplinks_held.
  void Hold(bool held) { held_ = held; }
  bool held() const { return held_; }

  // Handles one message on `topic` (up/<name>), inside the worker's transaction.
  Outcome OnUplink(const std::string& topic, std::string_view payload, uint64_t now_ms);

 private:
  Outcome Reject(const std::string& detail);
  // A `refused` (reason "seq_reuse: ...", with the source's marks) if another chunk id of
  // (origin, source, seq) was acked before; counted as refused_seq_reuse and logged.
  std::optional<Outgoing> SeqReuse(const std::string& name, const ChunkId& id,
                                   const ChunkHeader& h);

  Topics topics_;
  Manifest* db_;
  const Membership* members_;
  SettingsBook* settings_;
  Metrics* m_;
  bool verify_;
  bool held_ = false;
  std::map<uint32_t, TokenBucket> buckets_;
};

}  // namespace tern::core
