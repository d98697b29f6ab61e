// SettingsBook: see settings_book.h.
#include "settings_book.h"

#include <spdlog/spdlog.h>

namespace tern::core {

msg::SettingsBody ToSettingsBody(const EdgeSettings& e) {
  msg::SettingsBody b;
  b.name = e.name;
  b.priority = e.priority < 0 ? "keep" : PriorityName(static_cast<Priority>(e.priority));
  b.weight = e.weight;
  b.kinds = e.kinds;
  b.max_bytes_per_s = e.max_bytes_per_s;
  b.protocol = e.protocol;
  return b;
}

const EdgeSettings& SettingsBook::Of(const std::string& name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    EdgeSettings d;
    d.name = name;
    it = by_name_.emplace(name, d).first;
  }
  return it->second;
}

Result<EdgeSettings> SettingsBook::Load(const std::string& name) {
  auto st = db_->Settings(name);
  if (st.ok()) by_name_[name] = *st;
  return st;
}

SettingsBook::Update SettingsBook::Reload(const Membership& members, bool announce) {
  Update u;
  auto v = db_->SettingsVersion();
  if (!v.ok() || *v == version_) return u;
  version_ = *v;
  for (const auto& [addr, mb] : members.members()) {
    auto st = db_->Settings(mb.name);
    if (!st.ok()) continue;  // unreadable now; the next version bump tries again
    auto old = by_name_.find(mb.name);
    const bool changed = old == by_name_.end() || old->second.ToJson() != st->ToJson();
    by_name_[mb.name] = *st;
    u.weights.emplace_back(addr, st->weight);
    if (announce && changed) {
      spdlog::info("core: settings of {} are now {}", mb.name, st->ToJson().dump());
      msg::Settings s{ToSettingsBody(*st)};
      u.announcements.push_back({topics_.Down(mb.name), s.Encode()});
      m_->Add("settings_sent");
    }
  }
  return u;
}

}  // namespace tern::core
