// Whether the core hears the broker right now: the liveness gate. A connected socket says
// little (a stalled broker keeps it open until keepalive expires), so the core publishes a
// small echo to its own topic (`echo/<core>`, QoS 0) every `bound / 4` and the broker sends
// it back. The broker is heard while the last echo came back less than `bound` ago; while it
// is not, silence says nothing about the nodes, so nobody becomes suspect or dead. When it
// is heard again after such a gap, every node's heartbeat clock restarts (the caller does
// that on kRegained, as on a reconnect).
// Counters: broker_silences (gaps), rejected_echo (an echo the core did not send; through
// msg::Reject). heard() goes into the status as `broker_heard`.
// Thread-safety: thread-safe; OnEcho runs on the transport's thread, the rest on the
// commit worker's.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "tern/common/metrics.h"

namespace tern::core {

class BrokerHearing {
 public:
  // `bound_ms`: the longest an echo may take before the broker counts as not heard.
  BrokerHearing(uint64_t bound_ms, Metrics* m);

  // The payload of the next echo if one is due at `now_ms` (then it counts as sent).
  std::optional<std::string> EchoDue(uint64_t now_ms);
  // An echo came back at `now_ms`. One the core did not send is rejected and counted.
  void OnEcho(std::string_view payload, uint64_t now_ms);

  enum class Hearing { kHeard, kDeaf, kRegained };
  // kHeard: an echo came back within the bound. kDeaf: none did (also before the first).
  // kRegained: heard now after being deaf (reported once per gap; restart the clocks).
  Hearing Check(uint64_t now_ms);

  // As of the last Check.
  bool heard() const;
  uint64_t bound_ms() const { return bound_ms_; }
  uint64_t interval_ms() const { return interval_ms_; }

 private:
  const uint64_t bound_ms_, interval_ms_;
  Metrics* m_;
  mutable std::mutex mu_;
  uint64_t next_send_ms_ = 0;   // 0: send at once
  uint64_t last_sent_ = 0;      // the stamp (send time) of the newest echo sent
  uint64_t last_heard_ms_ = 0;  // when the newest echo came back (0: never)
  uint64_t heard_stamp_ = 0;    // ... and the stamp it carried
  bool deaf_ = true;            // as of the last Check
  uint64_t deaf_since_ms_ = 0;  // 0: deaf since the start
};

}  // namespace tern::core
