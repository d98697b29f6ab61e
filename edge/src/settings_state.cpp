// SettingsState: the core's settings for this edge, applied at the source.
#include "settings_state.h"

#include <spdlog/spdlog.h>

namespace tern::edge {

bool SettingsState::Apply(const msg::SettingsBody& s) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (settings_ && *settings_ == s) return false;
    settings_ = s;
  }
  m_->Add("settings_received");
  spdlog::info("edge {}: settings from the core: {}", node_, s.ToJson().dump());
  return true;
}

Status SettingsState::Permits(RecordKind kind) const {
  std::string allowed;
  {
    std::lock_guard<std::mutex> lk(mu_);
    allowed = settings_ ? settings_->kinds : msg::SettingsBody().kinds;
  }
  std::string padded = "," + allowed + ",";
  if (padded.find(std::string(",") + KindName(kind) + ",") != std::string::npos) {
    return Status::Ok();
  }
  return Status::FailedPrecondition(std::string(KindName(kind)) + " data is not permitted for " +
                                    node_ + " by the core's settings (allowed: " + allowed + ")");
}

nlohmann::json SettingsState::ToJson() const {
  std::lock_guard<std::mutex> lk(mu_);
  return settings_ ? settings_->ToJson() : nlohmann::json::object();
}

}  // namespace tern::edge
