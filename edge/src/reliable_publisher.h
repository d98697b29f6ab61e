// Statements about this node's store (stored, dropped, put_ack/put_nack/restate_nack) must
// not vanish because the transport's in-flight window was full or the broker was away for a
// moment. ReliablePublisher publishes without blocking and, if that fails, tries again every
// `retry_ms` up to `max_attempts` times (five minutes by default: after that the peer's
// resend or the restatement at the next start covers it).
// Counters: `publish_retries` (each failed attempt), `publish_gave_up`.
// Thread-safety: Deliver runs on the event loop's thread (retries are scheduled there).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tern/common/metrics.h"
#include "tern/common/statements.h"
#include "tern/common/transport.h"

namespace tern::edge {

class ReliablePublisher {
 public:
  // Runs a task after a delay (EventLoop::After in the agent; a list in tests).
  using Schedule = std::function<void(uint64_t delay_ms, std::function<void()> task)>;

  // `sealer` seals each attempt with a fresh number (a retry after an outage must not be
  // older than the receiver's replay window); null publishes payloads as given (tests of the
  // retry logic). Counts `seal_errors` when no number could be reserved (the message is
  // dropped).
  ReliablePublisher(Transport* t, Schedule after, Metrics* m, std::string who,
                    int max_attempts = 600, uint64_t retry_ms = 500, Sealer* sealer = nullptr)
      : t_(t),
        after_(std::move(after)),
        m_(m),
        who_(std::move(who)),
        max_attempts_(max_attempts),
        retry_ms_(retry_ms),
        sealer_(sealer) {}

  // Publishes `payload` on `topic` (QoS 1, not retained) now or on a later attempt.
  void Deliver(const std::string& topic, std::string payload);
  // The same for a binary chunk envelope (a copy's put, a get's answer): never sealed, the
  // envelope carries its origin's signature itself.
  void DeliverEnvelope(const std::string& topic, std::string envelope);

 private:
  void Attempt(const std::string& topic, std::string payload, int attempt, bool seal);
  Transport* t_;
  Schedule after_;
  Metrics* m_;
  const std::string who_;
  const int max_attempts_;
  const uint64_t retry_ms_;
  Sealer* sealer_;
};

}  // namespace tern::edge
