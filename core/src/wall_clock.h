// Wall-clock milliseconds since the epoch, for what is stamped and shown (scheduler ages,
// node states in core.db). Timeouts use MonotonicMs() (tern/common/hlc.h) instead.
// Thread-safety: a free function.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern::core {

inline uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace tern::core
