// Hybrid logical clock (Kulkarni et al.), packed into one 64-bit integer.
#include "tern/common/hlc.h"

#include <chrono>

namespace tern {

HybridClock::HybridClock(WallMs wall_ms) : wall_ms_(std::move(wall_ms)) {
  if (!wall_ms_) wall_ms_ = [] { return tern::WallMs(); };
}

uint64_t HybridClock::Now() {
  uint64_t wall = wall_ms_() << 16;
  std::lock_guard<std::mutex> lk(mu_);
  last_ = wall > last_ ? wall : last_ + 1;
  return last_;
}

void HybridClock::Observe(uint64_t remote) {
  uint64_t wall = wall_ms_() << 16;
  std::lock_guard<std::mutex> lk(mu_);
  uint64_t m = remote > last_ ? remote : last_;
  last_ = wall > m ? wall : m + 1;
}

void HybridClock::Restore(uint64_t last) {
  std::lock_guard<std::mutex> lk(mu_);
  if (last > last_) last_ = last;
}

uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

uint64_t MonotonicMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

uint64_t MonotonicUs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace tern
