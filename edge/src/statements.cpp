// Statements: see statements.h.
#include "statements.h"

#include <nlohmann/json.hpp>

#include "tern/common/bytes.h"
#include "tern/common/dispatch.h"
#include "tern/common/sha256.h"

namespace tern::edge {
namespace {
constexpr const char* kMetaKey = "replay";
constexpr const char* kMembersKey = "@members";
constexpr const char* kMembersDigestKey = "@members_sha256";
}  // namespace

Result<std::unique_ptr<Statements>> Statements::Open(LocalStore* store, Metrics* m,
                                                     std::string who) {
  TERN_ASSIGN_OR_RETURN(auto seq, SeqCounter::Open(store));
  std::unique_ptr<Statements> s(new Statements(store, m, std::move(who), std::move(seq)));
  TERN_ASSIGN_OR_RETURN(s->will_seq_, s->sealer_.Next());
  TERN_ASSIGN_OR_RETURN(auto saved, store->GetMeta(kMetaKey));
  if (!saved) return s;
  auto j = nlohmann::json::parse(*saved, nullptr, false);
  if (!j.is_object()) return Status::Corruption("replay windows in " + store->path());
  for (const auto& [sender, v] : j.items()) {
    if (sender == kMembersKey && v.is_number_unsigned()) {
      s->members_seq_ = v.get<uint64_t>();
      continue;
    }
    if (sender == kMembersDigestKey && v.is_string()) {
      s->members_digest_ = v.get<std::string>();
      continue;
    }
    auto raw =
        v.is_string() ? FromHex(v.get<std::string>()) : Result<std::string>(Status::Corruption(""));
    auto w = raw.ok() ? ReplayWindow::Load(*raw) : Result<ReplayWindow>(raw.status());
    if (!w.ok()) {
      return Status::Corruption("replay window of '" + sender + "' in " + store->path());
    }
    s->book_.Restore(sender, *w);
  }
  (void)s->book_.Dirty();
  return s;
}

void Statements::Refuse(const Refusal& r, const std::string& kind, const std::string& topic,
                        const std::string& sender) {
  m_->Add("refused_" + r.reason);
  msg::Reject(*m_, who_, kind,
              "refused (" + r.reason + ") from '" + sender + "' on " + topic + ": " + r.detail);
}

std::optional<std::string> Statements::Admit(const std::string& topic, std::string_view payload,
                                             const std::string& sender, const std::string& kind) {
  std::variant<Unsealed, Refusal> v;
  {
    std::lock_guard<std::mutex> lk(mu_);
    v = book_.Admit(topic, payload, sender, nullptr, false);
    if (std::holds_alternative<Unsealed>(v)) dirty_ = true;
  }
  if (auto* r = std::get_if<Refusal>(&v)) {
    Refuse(*r, kind, topic, sender);
    return std::nullopt;
  }
  return std::move(std::get<Unsealed>(v).body);
}

std::optional<std::string> Statements::AdmitMembers(const std::string& topic,
                                                    std::string_view payload) {
  auto u = Unseal(topic, payload, nullptr);
  if (!u.ok()) {
    Refuse({RefusalReason(u.status()), u.status().message()}, "members", topic, kCoreSender);
    return std::nullopt;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    // The same number again only with the very same text (the retained copy of it).
    const std::string digest = ToHex(DigestBytes(Sha256(payload)));
    if (u->seq > members_seq_ || (u->seq == members_seq_ && digest == members_digest_)) {
      dirty_ = dirty_ || u->seq != members_seq_;
      members_seq_ = u->seq;
      members_digest_ = digest;
      return std::move(u->body);
    }
  }
  Refuse({"replay", "member list " + std::to_string(u->seq) + " is older than the one taken"},
         "members", topic, kCoreSender);
  return std::nullopt;
}

bool IsHolder(const PeerTable& peers, const std::string& from, uint32_t holder,
              const std::string& topic, Metrics& m, const std::string& who) {
  const uint32_t addr = peers.AddrOf(from);
  if (addr == 0) {
    m.Add("refused_unknown_sender");
    msg::Reject(m, who, "peer", "'" + from + "' is not in the member list, on " + topic);
    return false;
  }
  if (holder != 0 && addr != holder) {
    m.Add("refused_wrong_holder");
    msg::Reject(m, who, "peer",
                "holder " + std::to_string(holder) + " named by " + from + " on " + topic);
    return false;
  }
  return true;
}

Status Statements::Persist() {
  nlohmann::json j = nlohmann::json::object();
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!dirty_) return Status::Ok();
    (void)book_.Dirty();
    // The whole set: a handful of senders (the core and the peers that stored our chunks).
    for (const auto& [sender, w] : book_.windows()) j[sender] = ToHex(w.Save());
    j[kMembersKey] = members_seq_;
    j[kMembersDigestKey] = members_digest_;
    dirty_ = false;
  }
  return store_->PutMeta(kMetaKey, j.dump());
}

}  // namespace tern::edge
