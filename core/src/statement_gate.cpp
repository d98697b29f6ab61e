// StatementGate: see statement_gate.h.
#include "statement_gate.h"

#include "tern/common/dispatch.h"
#include "tern/common/protocol.h"

namespace tern::core {

Status StatementGate::Load() {
  TERN_ASSIGN_OR_RETURN(auto senders, store_->Senders());
  for (const auto& s : senders) {
    auto w = ReplayWindow::Load(s.window);
    if (!w.ok()) return w.status().WithContext("replay window of '" + s.name + "'");
    book_.Restore(s.name, *w);
    if (s.will_seq != 0) will_[s.name] = s.will_seq;
  }
  (void)book_.Dirty();  // as loaded: nothing to write back
  return Status::Ok();
}

void StatementGate::Refuse(const std::string& reason, const std::string& kind,
                           const std::string& topic, const std::string& sender,
                           const std::string& detail) {
  m_->Add("refused_" + reason);
  last_refusal_ = reason + ": " + detail;
  msg::Reject(*m_, "core", kind,
              "refused (" + reason + ") from '" + sender + "' on " + topic + ": " + detail);
}

std::optional<const crypto::PublicKey*> StatementGate::KeyFor(
    const std::string& topic, std::string_view payload, const std::string& sender,
    const std::string& kind, std::optional<crypto::CertInfo>* cert) {
  if (!identity_) return nullptr;
  if (kind != "register") {
    const crypto::PublicKey* key = members_->KeyOf(sender);
    if (!key) Refuse("unknown_sender", kind, topic, sender, "no enrolled key");
    return key ? std::optional<const crypto::PublicKey*>(key) : std::nullopt;
  }
  // A registration proves itself: its certificate names the sender, its signature the key.
  auto u = Unseal(topic, payload, nullptr);
  auto j = u.ok() ? ParseJsonBounded(u->body) : Result<nlohmann::json>(u.status());
  std::string pem;
  if (j.ok() && j->is_object()) {
    auto it = j->find("cert");
    if (it != j->end() && it->is_string()) pem = it->get<std::string>();
  }
  if (pem.empty()) {
    Refuse("cert", kind, topic, sender, "no certificate in the registration");
    return std::nullopt;
  }
  auto info = identity_->Check(pem, sender, crypto::Role::kEdge);
  if (!info.ok()) {
    Refuse("cert", kind, topic, sender, info.status().message());
    return std::nullopt;
  }
  *cert = std::move(info).value();
  return &(*cert)->key;
}

std::optional<StatementGate::Admitted> StatementGate::Admit(const std::string& topic,
                                                            std::string_view payload,
                                                            const std::string& sender,
                                                            const std::string& kind) {
  Admitted a;
  auto key = KeyFor(topic, payload, sender, kind, &a.cert);
  if (!key) return std::nullopt;
  auto u = Unseal(topic, payload, *key);
  if (!u.ok()) {
    Refuse(RefusalReason(u.status()), kind, topic, sender, u.status().message());
    return std::nullopt;
  }
  a.seq = u->seq;
  a.body = std::move(u->body);
  auto w = will_.find(sender);
  if (w != will_.end() && w->second == a.seq) {
    // The Last Will, once: its number lies below everything the node said since it connected.
    a.will = true;
    will_.erase(w);
    dirty_.insert(sender);
    return a;
  }
  const ReplayWindow* before = book_.Find(sender);
  undo_window_ = before ? std::optional<ReplayWindow>(*before) : std::nullopt;
  undo_sender_ = sender;
  if (!book_.Accept(sender, a.seq)) {
    Refuse("replay", kind, topic, sender,
           "seq " + std::to_string(a.seq) + " seen before or older than the window");
    return std::nullopt;
  }
  return a;
}

void StatementGate::UndoLastAdmit() {
  if (undo_sender_.empty()) return;
  if (undo_window_) {
    book_.Restore(undo_sender_, *undo_window_);
  } else {
    book_.Reset(undo_sender_);
  }
  dirty_.insert(undo_sender_);  // Flush writes the window as it is now
  undo_sender_.clear();
}

void StatementGate::SetWill(const std::string& name, uint64_t will_seq) {
  auto it = will_.find(name);
  if (will_seq == 0) {
    if (it == will_.end()) return;
    will_.erase(it);
  } else {
    if (it != will_.end() && it->second == will_seq) return;
    will_[name] = will_seq;
  }
  dirty_.insert(name);
}

Status StatementGate::Flush() {
  std::map<std::string, std::string> windows;
  for (auto& [name, saved] : book_.Dirty()) windows[name] = std::move(saved);
  for (const std::string& name : dirty_) {
    if (!windows.count(name)) {
      const ReplayWindow* w = book_.Find(name);
      windows[name] = w ? w->Save() : ReplayWindow().Save();
    }
  }
  dirty_.clear();
  for (const auto& [name, saved] : windows) {
    auto it = will_.find(name);
    TERN_RETURN_IF_ERROR(
        store_->PutSender({name, saved, it == will_.end() ? uint64_t{0} : it->second}));
  }
  return Status::Ok();
}

}  // namespace tern::core
