// Rate limiting of a log line that a lasting fault repeats (a full disk fails every retry,
// several times a second): the first `burst` occurrences are logged, then at most one per
// `every_ms`, and that one says how many were left out since the last logged one
// ("... (N more since)"). The counter beside the line still counts every occurrence.
// msg::Reject (dispatch.h) limits hostile input the same way by its counter's value; this is
// the time-based form, for faults that last.
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace tern {

class LogThrottle {
 public:
  explicit LogThrottle(uint64_t every_ms = 10000, int64_t burst = 3)
      : every_ms_(every_ms), burst_(burst) {}

  // Whether to log this occurrence (at monotonic `now_ms`); if so, how many occurrences were
  // left out since the last logged one.
  std::optional<int64_t> Pass(uint64_t now_ms);
  std::optional<int64_t> Pass();  // now

  // " (N more since)" for N > 0, else "": the suffix of the logged line.
  static std::string MoreSince(int64_t suppressed);

 private:
  const uint64_t every_ms_;
  const int64_t burst_;
  std::mutex mu_;
  int64_t seen_ = 0;        // occurrences so far
  int64_t suppressed_ = 0;  // left out since the last logged one
  uint64_t last_logged_ms_ = 0;
};

}  // namespace tern
