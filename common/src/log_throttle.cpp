// LogThrottle: see log_throttle.h.
#include "tern/common/log_throttle.h"

#include "tern/common/hlc.h"

namespace tern {

std::optional<int64_t> LogThrottle::Pass(uint64_t now_ms) {
  std::lock_guard<std::mutex> lk(mu_);
  ++seen_;
  if (seen_ > burst_ && now_ms < last_logged_ms_ + every_ms_) {
    ++suppressed_;
    return std::nullopt;
  }
  last_logged_ms_ = now_ms;
  const int64_t left_out = suppressed_;
  suppressed_ = 0;
  return left_out;
}

std::optional<int64_t> LogThrottle::Pass() { return Pass(MonotonicMs()); }

std::string LogThrottle::MoreSince(int64_t suppressed) {
  return suppressed > 0 ? " (" + std::to_string(suppressed) + " more since)" : std::string();
}

}  // namespace tern
