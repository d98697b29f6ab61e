// A hybrid logical clock: 48 bits of wall-clock milliseconds and a 16-bit logical counter.
//
// Stamps never go backwards on one node even if the wall clock does, and Observe() keeps
// causality across nodes. Across restarts too: the owner persists stamps it hands out (the
// edge keeps its highest committed stamp in edge.db's meta "hlc") and Restore()s the last one
// at start, so a wall clock that is behind after a reboot cannot make stamps go back. Timeouts and
// expiry never use these stamps; they use std::chrono::steady_clock (monotonic), so a box that
// boots in 1970 expires nothing. Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>

namespace tern {

class HybridClock {
 public:
  using WallMs = std::function<uint64_t()>;
  // `wall_ms` defaults to the system clock; tests inject their own.
  explicit HybridClock(WallMs wall_ms = nullptr);

  // A stamp greater than every stamp this clock returned or observed before.
  uint64_t Now();
  // Merges a stamp received from another node.
  void Observe(uint64_t remote);
  // Every later stamp is greater than `last` (the persisted last stamp of a previous run).
  void Restore(uint64_t last);

  static uint64_t PhysicalMs(uint64_t stamp) { return stamp >> 16; }
  static uint64_t Logical(uint64_t stamp) { return stamp & 0xFFFF; }

 private:
  WallMs wall_ms_;
  std::mutex mu_;
  uint64_t last_ = 0;
};

// Milliseconds on the monotonic clock, for timeouts and ages.
// Wall-clock milliseconds since the epoch: for what is stamped and shown (row stamps,
// scheduler ages, the HLC's physical part), never for timeouts.
uint64_t WallMs();
uint64_t MonotonicMs();
uint64_t MonotonicUs();

}  // namespace tern
