// Registrar: see registrar.h.
#include "registrar.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include "tern/common/dispatch.h"

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

Registrar::Outcome Registrar::OnRegister(const RegisterRequest& r, const std::string& topic) {
  Outcome o;
  const std::string name = topic.substr(topics_.Reg("").size());
  const std::string nonce = r.decoded.ok() ? r.decoded->nonce : "";
  auto refuse = [&](const std::string& why) {
    msg::Reject(*m_, "core", "register", why + " on " + topic);
    if (ValidNodeName(name))
      o.reply = Outgoing{topics_.RegReply(name), msg::RegistrationRefused{why, nonce}.Encode()};
    return o;
  };
  if (!r.decoded.ok()) return refuse(r.decoded.status().message());
  const msg::Register& req = *r.decoded;
  if (req.name != name) return refuse("name '" + req.name + "' does not match topic");
  if (!ValidNodeName(name)) return refuse("name must be 1..64 of [A-Za-z0-9._-]");
  if (name == core_name_) return refuse("name '" + name + "' is the core's own");
  // Enrolment without PKI: a name belongs to the first store that registered it; another box
  // under the same name is refused (and both are named in the log), never silently merged.
  auto bound = db_->registry().NodeIdOf(name);
  if (!bound.ok()) {
    m_->Add("manifest_errors");
    spdlog::error("core: enrolment of '{}': {}", name, bound.status().ToString());
    return o;
  }
  if (!bound->empty() && *bound != req.node_id) {
    m_->Add("refused_duplicate_name");
    spdlog::error("core: a second node registers as '{}': enrolled store id {}, this one {}", name,
                  *bound, req.node_id.empty() ? "(none)" : req.node_id);
    return refuse("name '" + name + "' is enrolled to another node");
  }
  auto addr = db_->Register(name, req.store_path, req.capacity);
  if (addr.ok() && bound->empty() && !req.node_id.empty()) {
    if (Status s = db_->registry().BindNodeId(name, req.node_id); !s.ok()) addr = s;
  }
  if (!addr.ok()) {
    // No reply: the node asks again on its next try, maybe after the disk recovered.
    m_->Add("manifest_errors");
    spdlog::error("core: registering '{}': {}", name, addr.status().ToString());
    return o;
  }
  if (members_->Add(*addr, name)) {
    spdlog::info("core: new node '{}' gets address {}", name, *addr);
    m_->Add("nodes_registered");
  }
  msg::Registered reply;
  reply.name = name;
  reply.addr = *addr;
  reply.protocol = kProtocolVersion;
  reply.nonce = req.nonce;
  auto st = settings_->Load(name);
  if (st.ok()) {
    reply.settings = ToSettingsBody(*st);
    o.weight = st->weight;
  }  // else: registered without settings; the edge keeps its defaults until the next change
  o.addr = *addr;
  o.reply = Outgoing{topics_.RegReply(name), reply.Encode()};
  return o;
}

}  // namespace tern::core
