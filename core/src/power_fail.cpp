// PowerFailPolicy: see power_fail.h.
#include "power_fail.h"

#include <spdlog/spdlog.h>

#include "tern/common/files.h"
#include "tern/common/hlc.h"

namespace tern::core {

PowerFailPolicy::PowerFailPolicy(uint64_t holdup_ms, std::string marker_path, Metrics* m,
                                 PowerFailActions a, std::function<uint64_t()> now_ms)
    : holdup_ms_(holdup_ms),
      marker_path_(std::move(marker_path)),
      m_(m),
      a_(std::move(a)),
      now_ms_(std::move(now_ms)) {
  for (const char* c : {"board_checkpoints", "board_checkpoint_overruns"}) m_->Add(c, 0);
  auto marker = ReadMarker(marker_path_);
  if (marker.ok()) {
    last_marker_ = *marker;
    spdlog::info("core: the last power-fail checkpoint ({}) took {} ms", marker_path_,
                 marker->value("checkpoint_ms", -1));
  } else if (marker.status().code() != Status::Code::kNotFound) {
    spdlog::warn("core: {}", marker.status().ToString());
  }
}

void PowerFailPolicy::OnPower(bool failed) {
  uint64_t started = 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (failed == on_backup_) return;
    on_backup_ = failed;
    if (failed) {
      started = now_ms_();
      started_ms_ = started;
      overrun_ = false;
    }
  }
  if (failed) {
    spdlog::warn(
        "core: the UPS reports mains failure: on backup power; taking no new uplinks and "
        "checkpointing (hold-up budget {} ms)",
        holdup_ms_);
    a_.hold_uplinks(true, [this, started] { Committed(started); });
  } else {
    spdlog::info("core: mains power is back; taking uplinks again");
    a_.hold_uplinks(false, nullptr);
  }
}

void PowerFailPolicy::Committed(uint64_t started_ms) {
  const uint64_t took = now_ms_() - started_ms;
  const bool within = took <= holdup_ms_;
  nlohmann::json marker = {{"v", 1},
                           {"event", "power_fail_checkpoint"},
                           {"wall_ms", WallMs()},
                           {"checkpoint_ms", took},
                           {"holdup_ms", holdup_ms_},
                           {"within_budget", within}};
  Status s = WriteFileSynced(marker_path_, marker.dump() + "\n", 0644);
  const uint64_t total = now_ms_() - started_ms;  // the marker is part of the checkpoint
  marker["checkpoint_ms"] = total;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (started_ms_ == started_ms) started_ms_.reset();
    last_ms_ = total;
    last_marker_ = marker;
  }
  m_->Set("board_checkpoint_ms", static_cast<int64_t>(total));
  m_->Add("board_checkpoints");
  if (total > holdup_ms_) {
    bool first = false;
    {
      std::lock_guard<std::mutex> lk(mu_);
      first = !overrun_;
      overrun_ = true;
    }
    if (first) m_->Add("board_checkpoint_overruns");
    spdlog::warn("core: the power-fail checkpoint took {} ms, over the hold-up budget of {} ms",
                 total, holdup_ms_);
  }
  if (!s.ok()) {
    m_->Add("board_errors");
    spdlog::error("core: power-fail checkpoint committed, but its marker was not written: {}",
                  s.ToString());
    return;
  }
  spdlog::info("core: power-fail checkpoint done in {} ms (hold-up budget {} ms), recorded in {}",
               total, holdup_ms_, marker_path_);
}

void PowerFailPolicy::Tick() {
  std::lock_guard<std::mutex> lk(mu_);
  if (!started_ms_ || overrun_ || now_ms_() - *started_ms_ <= holdup_ms_) return;
  overrun_ = true;
  m_->Add("board_checkpoint_overruns");
  spdlog::warn("core: the power-fail checkpoint is not done after the hold-up budget of {} ms",
               holdup_ms_);
}

nlohmann::json PowerFailPolicy::Json() const {
  std::lock_guard<std::mutex> lk(mu_);
  const char* state = started_ms_ ? (overrun_ ? "overrun" : "running") : last_ms_ ? "done" : "none";
  return {{"on_backup", on_backup_},
          {"holdup_ms", holdup_ms_},
          {"checkpoint", state},
          {"checkpoint_ms", last_ms_ ? nlohmann::json(*last_ms_) : nlohmann::json()},
          {"last_checkpoint", last_marker_}};
}

Result<nlohmann::json> PowerFailPolicy::ReadMarker(const std::string& path) {
  TERN_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corruption("power-fail checkpoint marker " + path + " does not parse");
  }
  return j;
}

}  // namespace tern::core
