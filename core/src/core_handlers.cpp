// Core::Impl's handlers: each inbound message (through the StatementGate and a dispatcher,
// or the UplinkGate for chunks), what runs before and after each commit, and the sealing of
// everything the core publishes. The wiring is in core.cpp.
#include <spdlog/spdlog.h>

#include "core_impl.h"

namespace tern::core {

void Core::Impl::OnMessage(const std::string& topic, const std::string& payload, Batch& b) {
  batch_ = &b;
  const Topics::Parts t = topics_.Parse(topic);
  if (t.kind == "up" && !t.from.empty()) {
    msg::Guarded(m_, "core", topic, [&] { OnUplink(topic, payload); });
  } else if (t.kind == "stored" && !t.from.empty()) {
    Hear(stored_, topic, payload, t.from);
  } else if (t.kind == "peer" && t.to == o_.name && payload.rfind("TRNM", 0) == 0) {
    // A binary envelope: a store's answer (kGot) to a read (chunk_fetcher.h), which counts
    // and logs what it refuses.
    if (fetcher_) {
      (void)fetcher_->OnGot(t.from, payload);
    } else {
      msg::Reject(m_, "core", "peer", "envelope without a reader on " + topic);
    }
  } else if (t.kind == "peer" && t.to == o_.name) {
    Hear(peer_, topic, payload, t.from);
  } else if (t.kind == "hb" && !t.from.empty()) {
    Hear(hb_, topic, payload, t.from);
  } else if (t.kind == "reg" && !t.from.empty()) {
    Hear(reg_, topic, payload, t.from);
  } else {
    msg::Reject(m_, "core", "unknown", "topic " + topic);
  }
  batch_ = nullptr;
}

void Core::Impl::Hear(msg::Dispatcher& d, const std::string& topic, std::string_view payload,
                      const std::string& sender) {
  auto a = statements_->Admit(topic, payload, sender, d.kind());
  if (!a) {
    // A node refused at the gate (its certificate, say) learns why instead of waiting.
    if (&d == &reg_) {
      if (auto r = registrar_->Refusal(topic, payload, statements_->last_refusal())) {
        batch_->Publish(std::move(*r));
      }
    }
    return;
  }
  admitted_ = &*a;
  d.Dispatch(topic, a->body);
  admitted_ = nullptr;
}

std::optional<std::string> Core::Impl::Seal(const Outgoing& m) {
  if (topics_.Parse(m.topic).kind == "put") return m.payload;  // a chunk envelope
  auto s = sealer_->Seal(m.topic, m.payload);
  if (s.ok()) return std::move(s).value();
  m_.Add("seal_errors");
  spdlog::error("core: not sent on {}: {}", m.topic, s.status().ToString());
  return std::nullopt;
}

void Core::Impl::BeforeCommit(Batch& b, uint64_t now) {
  if (board_events_) RecordBoardEvents(b, /*flush=*/false);
  TouchReturned(b);
  ledger_->Settle(b, now);
  // The windows go into the transaction that holds what their messages changed.
  if (Status s = statements_->Flush(); !s.ok()) {
    m_.Add("manifest_errors");
    spdlog::error("core: replay windows: {}", s.ToString());
  }
  if (transport_->connected()) {
    if (auto echo = hearing_.EchoDue(now)) {
      // QoS 0: never waits for the in-flight window; a lost one is the next one's job.
      (void)transport_->Publish(echo_topic_, *echo, 0, false, std::chrono::milliseconds(0));
    }
  }
  if (now - last_live_ms_ >= kLivenessEveryMs) {
    // No news is not bad news while the core itself is cut off, or the broker stalls with
    // the connection still open: liveness runs only while the core's own echo comes back.
    switch (hearing_.Check(now)) {
      case BrokerHearing::Hearing::kHeard:
        for (const auto& c : members_.CheckLiveness(now)) RecordState(c);
        break;
      case BrokerHearing::Hearing::kRegained:
        members_.RestartClocks(now);
        break;
      case BrokerHearing::Hearing::kDeaf:
        break;
    }
    auto u = settings_->Reload(members_, /*announce=*/true);
    ApplyWeights(u.weights);
    b.PublishAll(std::move(u.announcements));
    last_live_ms_ = now;
  }
  if (transport_->connected()) {
    b.PublishAll(placer_->Tick(now, members_, [this](const ChunkId& id) {
      auto h = db_->Holders(id);
      return h.ok() ? *h : std::vector<uint32_t>();
    }));
  }
  RepairTurn(b, now);
}

void Core::Impl::AfterCommit(uint64_t now) {
  if (members_.PublishDue(now, static_cast<uint64_t>(o_.members_interval_ms))) {
    // Retained; on failure it stays due and goes out next turn.
    msg::Members m = members_.ToMessage();
    m.wall_ms = WallMs();  // for the edges' preflight clock-offset check
    auto text = Seal({topics_.Members(), m.Encode(), true});
    if (text && transport_->Publish(topics_.Members(), *text, 1, true).ok()) {
      members_.Published(now);
    }
  }
  if (now - last_status_ms_ >= static_cast<uint64_t>(o_.status_ms)) {
    ReportStatus();
    last_status_ms_ = now;
  }
}

void Core::Impl::OnRegister(const RegisterRequest& r, const std::string& topic) {
  const crypto::CertInfo* cert = admitted_ && admitted_->cert ? &*admitted_->cert : nullptr;
  auto o = registrar_->OnRegister(r, topic, cert);
  // Refused (another box under an enrolled name, say): its numbers must not count against
  // the enrolled node's.
  if (o.addr == 0) statements_->UndoLastAdmit();
  if (o.addr != 0) statements_->SetWill(topics_.Parse(topic).from, r.decoded->will_seq);
  if (o.reply) batch_->Publish(std::move(*o.reply));
  if (o.weight) ApplyWeights({{o.addr, *o.weight}});
  if (o.store_replaced) repairer_->ScanSoon();
}

void Core::Impl::OnHeartbeat(const msg::Heartbeat& hb, const std::string& topic) {
  const uint32_t addr = SenderOf(topic);  // the topic, not the body, says who it is
  if (!members_.Contains(addr))
    return msg::Reject(m_, "core", "hb", "unregistered address on " + topic);
  RecordState(members_.OnHeartbeat(addr, hb, MonotonicMs()));
  placement_.OnHeartbeat(addr, hb);
  (void)clocks_.OnHeartbeat(addr, topics_.Parse(topic).from, hb.wall_ms, WallMs());
}

void Core::Impl::OnOffline(const msg::Offline&, const std::string& topic) {
  const uint32_t addr = SenderOf(topic);
  if (!members_.Contains(addr))
    return msg::Reject(m_, "core", "hb", "unregistered address on " + topic);
  if (!admitted_ || !admitted_->will) {  // only the node's own Last Will says it left
    m_.Add("refused_not_will");
    return msg::Reject(m_, "core", "hb",
                       "offline not sealed with the Last Will's number on " + topic);
  }
  RecordState(members_.OnOffline(addr));
}

void Core::Impl::OnUplink(const std::string& topic, std::string_view payload) {
  auto o = gate_->OnUplink(topic, payload, MonotonicMs());
  if (o.reply) batch_->Publish(std::move(*o.reply));
  if (o.accepted) batch_->Touch(*o.accepted, /*reack=*/true);
  if (o.spooled) batch_->AfterCommit([this, e = *o.spooled] { processing_->Schedule(e); });
}

void Core::Impl::OnProcessed(const ChunkId& id, const ChunkHeader& h,
                             const std::vector<ProcessorOutput>& outs, Batch& b) {
  auto r = builder_->OnProcessed(id, h, outs, members_.NameOf(h.origin));
  for (auto& row : r.results) placer_->Add(row.id, std::move(row.wire), h.origin);
  // Tell the edge, and anyone outside, once the transaction holding the results commits.
  b.PublishAll(std::move(r.notes));
}

// The state column in core.db is informational (ternctl nodes); a failed write is counted.
void Core::Impl::RecordState(const std::optional<StateChange>& c) {
  if (!c) return;
  NodeStateChanged(*c);
  // Transitions into the states that take a node out of placement (nodes_suspect,
  // nodes_offline, nodes_dead); Membership logs each one.
  if (c->to != NodeState::kLive && c->to != NodeState::kUnknown) {
    m_.Add("nodes_" + std::string(NodeStateName(c->to)));
  }
  Status s =
      db_->SetNodeState(c->addr, std::string(NodeStateName(c->to)), static_cast<int64_t>(WallMs()));
  if (!s.ok()) m_.Add("manifest_errors");
}

void Core::Impl::ApplyWeights(const std::vector<std::pair<uint32_t, int>>& weights) {
  for (const auto& [addr, weight] : weights) {
    if (Status s = processing_->SetEdgeWeight(addr, weight); !s.ok()) {
      spdlog::warn("core: scheduler weight of node {}: {}", addr, s.ToString());
    }
  }
}

void Core::Impl::ReportStatus() {
  StatusFacts f;
  f.name = o_.name;
  f.connected = transport_ && transport_->connected();
  f.broker_heard = hearing_.heard();
  f.addr = core_addr_;
  f.http_port = http_port_;
  auto spool = db_->SpoolDepth();
  auto chunks = db_->ChunkCount();
  f.spool_depth = spool.ok() ? *spool : -1;
  f.manifest_chunks = chunks.ok() ? *chunks : -1;
  f.results_placing = placer_->size();
  f.excess_pending = acks_->excess_pending();
  f.scheduler = processing_->StatusJson();
  f.nodes = members_.ToStatusJson();
  if (board_) f.board = board_->Snapshot();
  f.live_mask = members_.LiveMask();
  f.edge_down = members_.AnyDown();
  f.store_fill_permille = members_.StoreFillPermille();
  status_->Report(f);
}

}  // namespace tern::core
