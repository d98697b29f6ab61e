// Statements: see statements.h.
#include "statements.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "tern/common/bytes.h"
#include "tern/common/dispatch.h"
#include "tern/common/protocol.h"
#include "tern/common/sha256.h"

namespace tern::edge {
namespace {
constexpr const char* kMetaKey = "replay";
constexpr const char* kMembersKey = "@members";
constexpr const char* kMembersDigestKey = "@members_sha256";
constexpr const char* kCoreCertKey = "core_cert";  // the core's certificate, PEM
}  // namespace

Result<std::unique_ptr<Statements>> Statements::Open(LocalStore* store, Metrics* m, std::string who,
                                                     const NodeIdentity* identity) {
  TERN_ASSIGN_OR_RETURN(auto seq, SeqCounter::Open(store, kSeqBlock, SeqFloorNow()));
  std::unique_ptr<Statements> s(new Statements(store, m, std::move(who), std::move(seq), identity));
  TERN_ASSIGN_OR_RETURN(s->will_seq_, s->sealer_.Next());
  if (identity) {
    TERN_ASSIGN_OR_RETURN(auto pem, store->GetMeta(kCoreCertKey));
    if (pem) {
      // Checked again: it may have been revoked or have expired since.
      auto info = identity->Check(*pem, "", crypto::Role::kCore);
      if (info.ok()) {
        s->core_key_ = info->key;
        s->core_name_ = info->name;
      } else {
        spdlog::warn("{}: the core's certificate kept in {} is no longer good: {}", s->who_,
                     store->path(), info.status().message());
      }
    }
  }
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
    v = book_.Admit(topic, payload, sender, identity_ ? KeyOfLocked(sender) : nullptr,
                    identity_ != nullptr);
    if (std::holds_alternative<Unsealed>(v)) dirty_ = true;
  }
  if (auto* r = std::get_if<Refusal>(&v)) {
    Refuse(*r, kind, topic, sender);
    return std::nullopt;
  }
  return std::move(std::get<Unsealed>(v).body);
}

const crypto::PublicKey* Statements::KeyOfLocked(const std::string& sender) const {
  if (sender == kCoreSender || (!core_name_.empty() && sender == core_name_)) {
    return core_key_.empty() ? nullptr : &core_key_;
  }
  auto it = peer_keys_.find(sender);
  return it == peer_keys_.end() || it->second.second.empty() ? nullptr : &it->second.second;
}

void Statements::TrustCore(const std::string& pem, const crypto::CertInfo& info) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (core_key_ == info.key && core_name_ == info.name) return;
    core_key_ = info.key;
    core_name_ = info.name;
  }
  spdlog::info("{}: the core is '{}' (certificate serial {})", who_, info.name, info.serial);
  if (Status s = store_->PutMeta(kCoreCertKey, pem); !s.ok()) {
    spdlog::warn("{}: the core's certificate not kept: {}", who_, s.ToString());
  }
}

std::optional<std::string> Statements::AdmitReply(const std::string& topic,
                                                  std::string_view payload, bool window) {
  const std::string kind = "registration";
  auto fail = [&](const Refusal& r) {
    Refuse(r, kind, topic, kCoreSender);
    return std::nullopt;
  };
  auto u = Unseal(topic, payload, nullptr);
  if (!u.ok()) return fail({RefusalReason(u.status()), u.status().message()});
  if (identity_) {
    std::string pem;
    auto j = ParseJsonBounded(u->body);
    if (j.ok() && j->is_object()) {
      auto it = j->find("core_cert");
      if (it != j->end() && it->is_string()) pem = it->get<std::string>();
    }
    crypto::PublicKey key;
    std::optional<crypto::CertInfo> info;
    if (!pem.empty()) {
      auto checked = identity_->Check(pem, "", crypto::Role::kCore);
      if (!checked.ok()) return fail({"cert", checked.status().message()});
      info = std::move(checked).value();
      key = info->key;
    } else {
      std::lock_guard<std::mutex> lk(mu_);
      key = core_key_;
    }
    if (key.empty()) return fail({"unknown_sender", "no certificate of the core known"});
    u = Unseal(topic, payload, &key);
    if (!u.ok()) return fail({RefusalReason(u.status()), u.status().message()});
    if (info) TrustCore(pem, *info);
  }
  if (window) {
    bool fresh = false;
    {
      std::lock_guard<std::mutex> lk(mu_);
      fresh = book_.Accept(kCoreSender, u->seq);
      dirty_ = dirty_ || fresh;
    }
    if (!fresh) {
      return fail({"replay", "seq " + std::to_string(u->seq) + " seen before or too old"});
    }
  }
  return std::move(u->body);
}

void Statements::LearnKeys(const msg::Members& m) {
  if (!identity_) return;
  std::map<std::string, std::pair<uint32_t, crypto::PublicKey>> keys;
  for (const auto& n : m.nodes) {
    auto k = n.key.empty() ? Result<crypto::PublicKey>(crypto::PublicKey())
                           : crypto::PublicKey::FromHex(n.key);
    if (!n.name.empty()) keys[n.name] = {n.addr, k.ok() ? *k : crypto::PublicKey()};
  }
  std::lock_guard<std::mutex> lk(mu_);
  peer_keys_ = std::move(keys);
}

bool Statements::VerifyChunk(const std::string& from, uint32_t origin, std::string_view id,
                             std::string_view sig, const std::string& topic,
                             const std::string& kind) {
  if (!identity_) return true;
  Refusal r;
  {
    std::lock_guard<std::mutex> lk(mu_);
    const bool is_core = !core_name_.empty() && from == core_name_;
    // The signature must be the origin's: the member at address `origin`, or else the core
    // (its results carry the core's address, which is no member's). The sender may be
    // another store: a copy the core asked for carries the origin's signature kept with it.
    const crypto::PublicKey* key = core_key_.empty() ? nullptr : &core_key_;
    for (const auto& [name, entry] : peer_keys_) {
      if (entry.first == origin) key = entry.second.empty() ? nullptr : &entry.second;
    }
    const crypto::PublicKey* sender = KeyOfLocked(from);
    if (!sender && !is_core) {
      r = {"unknown_sender", "no key for '" + from + "'"};
    } else if (!key) {
      r = {"unknown_sender", "no key for chunk origin " + std::to_string(origin)};
    } else if (VerifyChunkId(*key, id, sig)) {
      return true;
    } else if (sender && sender != key && VerifyChunkId(*sender, id, sig)) {
      r = {"wrong_origin", "chunk origin " + std::to_string(origin) + " signed by " + from};
    } else {
      r = {"bad_signature", "chunk " + ToHex(id).substr(0, 16) + " not signed by its origin " +
                                std::to_string(origin) + " (sent by " + from + ")"};
    }
  }
  Refuse(r, kind, topic, from);
  return false;
}

std::optional<std::string> Statements::AdmitMembers(const std::string& topic,
                                                    std::string_view payload) {
  const crypto::PublicKey* key = nullptr;
  crypto::PublicKey core;
  if (identity_) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      core = core_key_;
    }
    if (core.empty()) {
      Refuse({"unknown_sender", "no certificate of the core known"}, "members", topic, kCoreSender);
      return std::nullopt;
    }
    key = &core;
  }
  auto u = Unseal(topic, payload, key);
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
