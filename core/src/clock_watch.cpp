// ClockWatch: see clock_watch.h.
#include "clock_watch.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace tern::core {

bool ClockWatch::OnHeartbeat(uint32_t addr, const std::string& name, uint64_t remote_ms,
                             uint64_t local_ms) {
  if (remote_ms == 0) return flagged_[addr];
  const int64_t skew = static_cast<int64_t>(remote_ms) - static_cast<int64_t>(local_ms);
  skew_[addr] = skew;
  const bool now = std::llabs(skew) > max_skew_ms_;
  bool& was = flagged_[addr];
  if (now && !was) {
    m_->Add("clock_skew_warnings");
    spdlog::warn(
        "core: node '{}' (address {}) has a wall clock {} ms {} the core's (clock.max_skew {} "
        "ms); its stamps and ages are off by as much",
        name, addr, std::llabs(skew), skew > 0 ? "ahead of" : "behind", max_skew_ms_);
  } else if (!now && was) {
    spdlog::info("core: node '{}' (address {}) has its wall clock within {} ms of the core's again",
                 name, addr, max_skew_ms_);
  }
  was = now;
  int64_t n = 0;
  for (const auto& [a, f] : flagged_) n += f ? 1 : 0;
  m_->Set("clock_skew_nodes", n);
  return now;
}

}  // namespace tern::core
