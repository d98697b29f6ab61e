// Registrar: see registrar.h.
#include "registrar.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include "tern/common/dispatch.h"
#include "tern/common/statements.h"

namespace tern::core {

bool ValidNodeName(const std::string& n) {
  if (n.empty() || n.size() > msg::kMaxName) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

Registrar::Outcome Registrar::OnRegister(const RegisterRequest& r, const std::string& topic,
                                         const crypto::CertInfo* cert) {
  Outcome o;
  const std::string name = topic.substr(topics_.Reg("").size());
  const std::string nonce = r.decoded.ok() ? r.decoded->nonce : "";
  auto refuse = [&](const std::string& why) {
    msg::Reject(*m_, "core", "register", why + " on " + topic);
    if (ValidNodeName(name))
      o.reply = Outgoing{
          topics_.RegReply(name),
          msg::RegistrationRefused{why, nonce, identity_ ? identity_->cert_pem() : ""}.Encode()};
    return o;
  };
  if (!r.decoded.ok()) return refuse(r.decoded.status().message());
  const msg::Register& req = *r.decoded;
  if (req.name != name) return refuse("name '" + req.name + "' does not match topic");
  if (!ValidNodeName(name)) return refuse("name must be 1..64 of [A-Za-z0-9._-]");
  if (name == core_name_) return refuse("name '" + name + "' is the core's own");
  if (identity_ && !cert) return refuse("no verified certificate");
  std::string who;
  switch (CheckEnrolled(name, req, cert, &who)) {
    case Enrolment::kOk:
      break;
    case Enrolment::kRefused:
      return refuse("name '" + name + "' is enrolled to another node (" + who + ")");
    case Enrolment::kError:
      return o;  // the node asks again; maybe the disk recovered
  }
  // The store id the name was bound to before this registration ("" for a new name).
  auto before = db_->registry().NodeIdOf(name);
  auto addr = db_->Register(name, req.capacity);
  if (addr.ok()) {
    if (Enrol(name, req, cert) == Enrolment::kError) return o;
    if (before.ok() && !before->empty() && !req.node_id.empty() && *before != req.node_id) {
      // Only a node that may replace its store (pki: its certificate is the proof) gets here.
      m_->Add("stores_returned_empty");
      spdlog::warn(
          "core: node '{}' (address {}) came back with an empty store (store id {}, was {}); "
          "its sources start above their sequence marks, the copies its old store held are "
          "lost to it",
          name, *addr, req.node_id.substr(0, 16), before->substr(0, 16));
      // Its old holder rows name copies that are gone: remove them, so repair restores them.
      auto rows = db_->holders().RemoveAllOf(*addr);
      if (rows.ok()) {
        o.store_replaced = true;
        spdlog::warn(
            "core: removed {} holder rows of '{}' (its old store's copies); repair "
            "makes new copies from the others",
            *rows, name);
      } else {
        m_->Add("manifest_errors");
        spdlog::error("core: holder rows of '{}': {}", name, rows.status().ToString());
      }
    }
  } else {
    // No reply: the node asks again on its next try, maybe after the disk recovered.
    m_->Add("manifest_errors");
    spdlog::error("core: registering '{}': {}", name, addr.status().ToString());
    return o;
  }
  if (members_->Add(*addr, name)) {
    spdlog::info("core: new node '{}' gets address {}", name, *addr);
    m_->Add("nodes_registered");
  }
  if (cert) members_->SetKey(*addr, cert->key);
  msg::Registered reply;
  reply.name = name;
  reply.addr = *addr;
  reply.protocol = kProtocolVersion;
  reply.nonce = req.nonce;
  if (identity_) reply.core_cert = identity_->cert_pem();
  // Where each of its sources must start (a node that lost its store must not reuse numbers).
  if (auto marks = db_->seq_marks().Of(*addr); marks.ok()) {
    for (const SeqMark& mk : *marks) {
      reply.seq_floors.push_back({mk.source, mk.next_chunk, mk.next_record});
    }
  } else {
    m_->Add("manifest_errors");
    spdlog::error("core: sequence marks of '{}': {}", name, marks.status().ToString());
    return o;  // no reply: the node asks again; a reply without floors could reuse numbers
  }
  auto st = settings_->Load(name);
  if (st.ok()) {
    reply.settings = ToSettingsBody(*st);
    o.weight = st->weight;
  }  // else: registered without settings; the edge keeps its defaults until the next change
  o.addr = *addr;
  o.reply = Outgoing{topics_.RegReply(name), reply.Encode()};
  return o;
}

std::optional<Outgoing> Registrar::Refusal(const std::string& topic, std::string_view payload,
                                           const std::string& why) const {
  const std::string name = topic.substr(topics_.Reg("").size());
  if (!ValidNodeName(name)) return std::nullopt;
  auto u = Unseal(topic, payload, nullptr);
  auto j = u.ok() ? ParseJsonBounded(u->body) : Result<nlohmann::json>(u.status());
  if (!j.ok() || !j->is_object()) return std::nullopt;
  auto nonce = OptString(*j, "nonce", "", msg::kMaxName);
  if (!nonce.ok() || nonce->empty()) return std::nullopt;
  return Outgoing{
      topics_.RegReply(name),
      msg::RegistrationRefused{why, *nonce, identity_ ? identity_->cert_pem() : ""}.Encode()};
}

Registrar::Enrolment Registrar::CheckEnrolled(const std::string& name, const msg::Register& req,
                                              const crypto::CertInfo* cert, std::string* who) {
  auto fail = [&](const Status& s) {
    m_->Add("manifest_errors");
    spdlog::error("core: enrolment of '{}': {}", name, s.ToString());
    return Enrolment::kError;
  };
  if (!cert) {
    // Without PKI a name belongs to the first store that registered it; another box under
    // the same name is refused (and both are named in the log), never silently merged.
    auto bound = db_->registry().NodeIdOf(name);
    if (!bound.ok()) return fail(bound.status());
    if (bound->empty() || *bound == req.node_id) return Enrolment::kOk;
    m_->Add("refused_duplicate_name");
    *who = "enrolled store id " + *bound + ", this one " +
           (req.node_id.empty() ? std::string("(none)") : req.node_id);
    spdlog::error("core: a second node registers as '{}': {}", name, *who);
    return Enrolment::kRefused;
  }
  auto enrolled = db_->registry().CertOf(name);
  if (!enrolled.ok()) return fail(enrolled.status());
  if (enrolled->pem.empty()) return Enrolment::kOk;
  if (enrolled->pubkey == cert->key.Hex()) {
    // The same certificate with another store is a re-imaged box (its store follows the
    // certificate), unless the enrolled node is live right now: then it is a second box with
    // a copy of the certificate, and taking it would drop the live store's copies and make
    // the two fight over the name.
    auto bound = db_->registry().NodeIdOf(name);
    if (!bound.ok()) return fail(bound.status());
    if (bound->empty() || *bound == req.node_id || !LiveNamed(name)) return Enrolment::kOk;
    m_->Add("refused_duplicate_name");
    *who = "live with store id " + *bound + ", this one " +
           (req.node_id.empty() ? std::string("(none)") : req.node_id) +
           ", both with the certificate of serial " + cert->serial;
    spdlog::error("core: a second box registers as '{}' while it is live: {}", name, *who);
    return Enrolment::kRefused;
  }
  // Another certificate under an enrolled name: only once the enrolled one is no longer good.
  auto still = identity_->Check(enrolled->pem, name, crypto::Role::kEdge);
  if (still.ok()) {
    m_->Add("refused_duplicate_name");
    *who = "enrolled key " + enrolled->pubkey.substr(0, 16) + ", this one " +
           cert->key.Hex().substr(0, 16) + " (serial " + cert->serial + ")";
    spdlog::error(
        "core: a second certificate registers as '{}': {}; revoke the enrolled certificate to "
        "replace it",
        name, *who);
    return Enrolment::kRefused;
  }
  m_->Add("certs_replaced");
  spdlog::warn(
      "core: '{}' enrols a new certificate (serial {}); the old one is no longer valid: {}", name,
      cert->serial, still.status().message());
  return Enrolment::kOk;
}

bool Registrar::LiveNamed(const std::string& name) const {
  for (const auto& [addr, mb] : members_->members()) {
    if (mb.name == name) return mb.state == NodeState::kLive;
  }
  return false;
}

Registrar::Enrolment Registrar::Enrol(const std::string& name, const msg::Register& req,
                                      const crypto::CertInfo* cert) {
  Status s;
  if (!cert) {
    auto bound = db_->registry().NodeIdOf(name);
    s = bound.status();
    if (s.ok() && bound->empty() && !req.node_id.empty()) {
      s = db_->registry().BindNodeId(name, req.node_id);
    }
  } else {
    // The certificate is the proof; the store id follows it (a re-imaged box keeps its
    // certificate and brings a new store).
    s = db_->registry().BindCert(name, req.cert, cert->key.Hex());
    if (s.ok()) s = db_->registry().BindNodeId(name, req.node_id);
  }
  if (s.ok()) return Enrolment::kOk;
  m_->Add("manifest_errors");
  spdlog::error("core: registering '{}': {}", name, s.ToString());
  return Enrolment::kError;
}

}  // namespace tern::core
