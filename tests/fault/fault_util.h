// Small helpers shared by the fault battery's scenarios: the scale (short in the default
// run, full under the CTest label `fault`, chosen by TERN_FAULT_SCALE=full, which the full
// registration sets) and the seed of a scenario's random choices (TERN_FAULT_SEED repeats a
// run; otherwise a fresh one, which the test prints).
// Thread-safety: pure functions of the environment.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

namespace tern::testing {

inline bool FaultFull() {
  const char* s = std::getenv("TERN_FAULT_SCALE");
  return s != nullptr && std::string(s) == "full";
}

// `short_n` in the default run, `full_n` under the label `fault`.
template <typename T>
T FaultScale(T short_n, T full_n) {
  return FaultFull() ? full_n : short_n;
}

inline uint64_t FaultSeed() {
  if (const char* s = std::getenv("TERN_FAULT_SEED"); s != nullptr && *s != '\0') {
    return std::strtoull(s, nullptr, 10);
  }
  return static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) %
         1000000007ull;
}

// The length of a fault itself (a stall, an outage): not a wait for a condition.
inline void HoldFault(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

}  // namespace tern::testing
