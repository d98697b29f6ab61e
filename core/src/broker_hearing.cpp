// BrokerHearing: see broker_hearing.h.
#include "broker_hearing.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "tern/common/dispatch.h"

namespace tern::core {

BrokerHearing::BrokerHearing(uint64_t bound_ms, Metrics* m)
    : bound_ms_(std::max<uint64_t>(bound_ms, 4)), interval_ms_(bound_ms_ / 4), m_(m) {}

std::optional<std::string> BrokerHearing::EchoDue(uint64_t now_ms) {
  std::lock_guard<std::mutex> lk(mu_);
  if (now_ms < next_send_ms_) return std::nullopt;
  next_send_ms_ = now_ms + interval_ms_;
  // Stamps only grow, so an echo proves the broker passed on something this recent.
  last_sent_ = std::max(last_sent_ + 1, now_ms);
  return std::to_string(last_sent_);
}

void BrokerHearing::OnEcho(std::string_view payload, uint64_t now_ms) {
  uint64_t stamp = 0;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), stamp);
  std::unique_lock<std::mutex> lk(mu_);
  if (ec != std::errc() || end != payload.data() + payload.size() || stamp == 0 ||
      stamp > last_sent_) {
    lk.unlock();
    return msg::Reject(*m_, "core", "echo", "an echo the core did not send");
  }
  if (stamp <= heard_stamp_) return;  // an older one, overtaken: says nothing new
  heard_stamp_ = stamp;
  last_heard_ms_ = now_ms;
}

bool BrokerHearing::heard() const {
  std::lock_guard<std::mutex> lk(mu_);
  return !deaf_;
}

BrokerHearing::Hearing BrokerHearing::Check(uint64_t now_ms) {
  std::lock_guard<std::mutex> lk(mu_);
  // Heard: the newest echo that came back was sent less than `bound` ago. (Measured from its
  // send stamp: a broker that hands back a backlog after a stall is not heard until the
  // echoes it returns are fresh.)
  const bool heard = last_heard_ms_ != 0 && now_ms <= heard_stamp_ + bound_ms_;
  if (!heard) {
    if (!deaf_) {
      deaf_ = true;
      deaf_since_ms_ = now_ms;
      m_->Add("broker_silences");
      spdlog::warn(
          "core: no echo from the broker for {} ms: liveness paused, nobody becomes suspect or "
          "dead until the broker is heard again",
          bound_ms_);
    }
    return Hearing::kDeaf;
  }
  if (!deaf_) return Hearing::kHeard;
  deaf_ = false;
  if (deaf_since_ms_ != 0) {
    spdlog::info(
        "core: the broker is heard again after {} ms; every node's heartbeat clock restarts",
        now_ms - deaf_since_ms_);
  }
  return Hearing::kRegained;
}

}  // namespace tern::core
