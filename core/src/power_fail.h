// PowerFailPolicy: what the core does when the UPS reports a mains failure (the board's
// power-fail input, BoardHooks::power) and when mains power returns. Within the hold-up
// budget (`board.holdup`, default 2 s) it
//   - stops taking new uplinks: the uplink gate answers each with `throttle` (the edges keep
//     the chunk in their outboxes and send it again after retry_after_ms), and
//   - commits what it has: a checkpoint turn of the commit worker commits its pending batch,
//     after which the policy records the checkpoint in `<data_dir>/power-checkpoint.json`
//     (fsync'd; read again at the next start, so it is visible after a restart) and sets the
//     gauge board_checkpoint_ms (how long the last checkpoint took, from the failure being
//     seen to the marker written).
// A checkpoint not done within the budget is logged (WARN) and counted
// (board_checkpoint_overruns). When power returns the gate takes uplinks again.
// Logs: WARN on the failure, INFO on the checkpoint and on the return.
// The core's side is given as functions (PowerFailActions) so a test can play the worker.
// Thread-safety: every method may be called from any thread (one mutex inside); the actions
// are called without it held.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tern/common/metrics.h"
#include "tern/common/status.h"

namespace tern::core {

struct PowerFailActions {
  // Stops (true) or resumes (false) taking new uplinks. On a failure `committed` is non-null:
  // the caller must run it once the commit that carries the stop has succeeded.
  std::function<void(bool hold, std::function<void()> committed)> hold_uplinks;
};

class PowerFailPolicy {
 public:
  // `marker_path`: where the checkpoint is recorded. `now_ms`: a monotonic clock (ms).
  // `m` (outlives the policy) gets board_power_fail_events' companions: board_checkpoint_ms,
  // board_checkpoints, board_checkpoint_overruns.
  PowerFailPolicy(uint64_t holdup_ms, std::string marker_path, Metrics* m, PowerFailActions a,
                  std::function<uint64_t()> now_ms);

  // The power-fail input changed (true: failed). Repeats of the same level are ignored.
  void OnPower(bool failed);
  // Checks the running checkpoint against the budget (call now and then, e.g. every refresh).
  void Tick();
  // {"on_backup":bool, "holdup_ms":N, "checkpoint_ms":N|null (the last one), "checkpoint":
  //  "none"|"running"|"done"|"overrun", "last_checkpoint": the marker file's object or null}
  nlohmann::json Json() const;

  // The marker file's object ({"v":1,"event":"power_fail_checkpoint","wall_ms":N,
  // "checkpoint_ms":N,"holdup_ms":N,"within_budget":bool}); NotFound if there is none,
  // Corruption naming the path if it does not parse.
  [[nodiscard]] static Result<nlohmann::json> ReadMarker(const std::string& path);

 private:
  void Committed(uint64_t started_ms);

  const uint64_t holdup_ms_;
  const std::string marker_path_;
  Metrics* m_;
  PowerFailActions a_;
  std::function<uint64_t()> now_ms_;
  mutable std::mutex mu_;
  bool on_backup_ = false;
  std::optional<uint64_t> started_ms_;  // the running checkpoint's start
  std::optional<uint64_t> last_ms_;     // how long the last checkpoint took
  bool overrun_ = false;
  nlohmann::json last_marker_;  // null until one is read or written
};

}  // namespace tern::core
