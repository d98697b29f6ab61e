// Registrar: the permanent address, obtained once from the core.
#include "registrar.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <random>

#include "start_gate.h"
#include "tern/common/bytes.h"
#include "tern/common/dispatch.h"
#include "tern/common/mqtt.h"

namespace tern::edge {

Registrar::Registrar(const EdgeOptions& o, LocalStore* store, SettingsState* settings, Metrics* m)
    : o_(o), store_(store), settings_(settings), m_(m) {
  std::random_device rd;
  std::string raw;
  for (int i = 0; i < 16; ++i) raw.push_back(static_cast<char>(rd() & 0xff));
  nonce_ = ToHex(raw);
  auto id = store_->NodeId();
  if (id.ok()) {
    node_id_ = *id;
  } else {
    spdlog::error("edge {}: no store id: {}", o_.name, id.status().ToString());
  }
}

std::string Registrar::Announcement() const {
  msg::Register r;
  r.name = o_.name;
  r.capacity = o_.capacity_bytes;
  r.node_id = node_id_;
  r.nonce = nonce_;
  if (!statements_) return r.Encode();
  r.will_seq = statements_->will_seq();
  r.cert = cert_pem_;
  auto sealed = statements_->sealer()->Seal(Topics(o_.topic_prefix).Reg(o_.name), r.Encode());
  if (sealed.ok()) return std::move(sealed).value();
  m_->Add("seal_errors");
  spdlog::error("edge {}: announcement not sealed: {}", o_.name, sealed.status().ToString());
  return "";
}

bool Registrar::Ours(const std::string& nonce) const {
  if (nonce == nonce_) return true;
  m_->Add("refused_stale_reply");
  return false;
}

Result<uint32_t> Registrar::Obtain() {
  TERN_ASSIGN_OR_RETURN(auto stored, store_->GetMeta("addr"));
  if (stored) {
    char* end = nullptr;
    unsigned long a = std::strtoul(stored->c_str(), &end, 10);
    if (a == 0 || a > 0xFFFFFFFFul || *end != '\0') {
      return Status::Corruption("stored address '" + *stored + "' in " + store_->path());
    }
    return static_cast<uint32_t>(a);
  }
  const Topics topics(o_.topic_prefix);
  MqttOptions mo;
  mo.host = o_.mqtt_host;
  mo.port = o_.mqtt_port;
  mo.brokers = o_.mqtt_brokers;
  mo.client_id = o_.name + ".reg";
  UseTls(&mo, o_.security_mode, o_.tls_ca, o_.tls_cert, o_.tls_key);
  uint32_t got = 0;  // under mu_
  std::string refused;
  std::vector<msg::SeqFloor> floors;  // under mu_
  msg::Dispatcher replies(m_, "edge " + o_.name, "registration");
  replies.On<msg::Registered>([&](const msg::Registered& r, const std::string&) {
    if (!Ours(r.nonce)) return;
    std::lock_guard<std::mutex> lk(mu_);
    got = r.addr;
    floors = r.seq_floors;
    cv_.notify_all();
  });
  replies.On<msg::RegistrationRefused>([&](const msg::RegistrationRefused& r, const std::string&) {
    if (!Ours(r.nonce)) return;
    std::lock_guard<std::mutex> lk(mu_);
    refused = r.reason;
    cv_.notify_all();
  });
  // Made after what its handler uses, so it is destroyed (waiting for a running handler)
  // before them.
  TERN_ASSIGN_OR_RETURN(auto reg, o_.transport(mo));
  reg->OnMessage([&](const std::string& t, std::string_view p) {
    // The core seals its replies; the nonce, not the window, says this one answers us.
    std::optional<std::string> body;
    if (statements_) {
      body = statements_->AdmitReply(t, p, /*window=*/false);
    } else if (auto u = Unseal(t, p, nullptr); u.ok()) {
      body = std::move(u->body);
    } else {
      m_->Add("refused_" + RefusalReason(u.status()));
      msg::Reject(*m_, "edge " + o_.name, "registration", u.status().message() + " on " + t);
    }
    // Counted and logged by the dispatcher when it does not decode; we keep waiting.
    if (body) (void)replies.Dispatch(t, *body);
  });
  TERN_RETURN_IF_ERROR(reg->Subscribe(topics.RegReply(o_.name)));
  TERN_RETURN_IF_ERROR(reg->Start());
  int tries = 0;
  bool broker_answered = false;  // whether the wait is for the core or for the broker
  while (true) {
    if (reg->connected()) {
      broker_answered = true;
      // Sealed afresh each time (a copy the core took would be refused as a replay); not
      // retried: the loop publishes it again in a second.
      const std::string req = Announcement();
      if (!req.empty()) (void)reg->Publish(topics.Reg(o_.name), req);
    }
    std::unique_lock<std::mutex> lk(mu_);
    if (cv_.wait_for(lk, std::chrono::seconds(1),
                     [&] { return cancel_ || got != 0 || !refused.empty(); })) {
      break;
    }
    if (++tries == 5 || tries % 30 == 0) {
      if (reg->connected()) {
        spdlog::warn(
            "edge {}: the broker answers but the core does not: no address after {} s "
            "(is tern-core running on this broker?)",
            o_.name, tries);
      } else {
        spdlog::warn(
            "edge {}: the broker does not answer: no address after {} s (is the MQTT "
            "broker running and reachable at the configured address?)",
            o_.name, tries);
      }
    }
  }
  uint32_t addr = 0;
  std::string why;
  {
    std::lock_guard<std::mutex> lk(mu_);
    addr = got;
    why = refused;
  }
  const std::string missing =
      broker_answered ? "stopped before the core assigned an address: the broker answered, "
                        "the core did not"
                      : "stopped before the core assigned an address: the broker never answered";
  // Said now: stopping the client may wait out its reconnect back-off, and the process may
  // be ended before that (common/daemon.h).
  if (addr == 0 && why.empty()) spdlog::warn("edge {}: {}", o_.name, missing);
  reg->Stop();
  if (!why.empty()) {
    // One line that says it all: the process ends with status 3 right after it (main.cpp).
    m_->Add("registration_refused");
    spdlog::critical(
        "edge {}: the core refused the name '{}': {}; this box's store id is {}. Two boxes "
        "must not share a node.name: give this one its own name (to replace the enrolled box "
        "instead, with PKI: revoke its certificate, ternctl pki revoke). Exiting with status {}",
        o_.name, o_.name, why, node_id_.empty() ? "(unreadable)" : node_id_, kExitIdentityRefused);
    return Status::FailedPrecondition(std::string(kRegistrationRefused) + ": " + why);
  }
  if (addr == 0) return Status::Unavailable(missing);
  // A store without an address is new: if the core has seen our sources before (this node
  // lost its data directory), they start above the core's marks, never again at 0. Kept
  // before the address, so a crash between the two asks the core again.
  for (const msg::SeqFloor& f : floors) {
    TERN_RETURN_IF_ERROR(store_->RaiseSeq(f.source, f.next_record, f.next_chunk));
    m_->Add("seq_floors_applied");
    spdlog::warn(
        "edge {}: the core has seen source '{}' from this node before; it starts at chunk {}, "
        "record {} (the data directory was empty)",
        o_.name, f.source, f.next_chunk, f.next_record);
  }
  TERN_RETURN_IF_ERROR(store_->PutMeta("addr", std::to_string(addr)));
  return addr;
}

void Registrar::Cancel() {
  std::lock_guard<std::mutex> lk(mu_);
  cancel_ = true;
  cv_.notify_all();
}

void Registrar::OnRegistered(const msg::Registered& m, uint32_t addr) {
  if (!Ours(m.nonce)) return;
  if (m.settings) settings_->Apply(*m.settings);
  if (m.addr != addr) {
    m_->Add("address_conflicts");
    spdlog::error("edge {}: core says our address is {}, the store says {}; keeping {}", o_.name,
                  m.addr, addr, addr);
  }
}

}  // namespace tern::edge
