// Shipper: own chunks from the local commit to the core's ack.
#include "shipper.h"

#include <spdlog/spdlog.h>

#include "chunk_write.h"
#include "tern/common/bytes.h"
#include "tern/common/hlc.h"

namespace tern::edge {
namespace {
double MsSince(uint64_t start_us) { return static_cast<double>(MonotonicUs() - start_us) / 1000.0; }
}  // namespace

Shipper::Shipper(const EdgeOptions& o, Deps d)
    : o_(o),
      d_(std::move(d)),
      outbox_({o.outbox_max_bytes, o.window_chunks, o.window_bytes}, d_.settings, d_.pressure),
      replicator_({d_.self, o.replicas, static_cast<uint64_t>(o.replica_timeout_ms),
                   static_cast<uint64_t>(o.uplink_timeout_ms), !o.placement_random},
                  d_.peers, d_.m),
      groups_(PlacementGroups(o)),
      ack_hist_(*d_.m) {
  // The outbox bound rides in the heartbeat's counters: with outbox_bytes it gives the fill.
  d_.m->Set("outbox_max_bytes", static_cast<int64_t>(o.outbox_max_bytes));
}

// ---------------------------------------------------------------- local commit

void Shipper::OnSealed(SealedChunk c) {
  d_.m->Add("chunks_sealed");
  outbox_.Reserve(c.wire.size());
  // Kept with the chunk: a copy the core asks for later goes out with it (StoreService).
  std::string sig = d_.sealer ? d_.sealer->SignChunk(c.id) : std::string();
  StoreWrite w = ChunkWrite(StoreWrite::Kind::kOwnChunk, c.id, c.header, c.wire, std::move(sig));
  w.key = "seq/" + c.header.source;
  w.value = std::to_string(c.next_record_seq) + " " + std::to_string(c.next_chunk_seq);
  w.seq_meta = true;  // a retry below commits older numbers than chunks sealed since
  auto shared = std::make_shared<SealedChunk>(std::move(c));
  d_.store->Submit(std::move(w), [this, shared](const Status& s) { Committed(shared, s); });
}

// Writer thread, after the transaction holding the chunk committed or failed.
void Shipper::Committed(const std::shared_ptr<SealedChunk>& c, const Status& s) {
  if (!s.ok()) {
    // Not durable: nothing was acked, the records stay counted in the outbox and we retry.
    d_.m->Add("local_store_errors");
    if (s.code() == Status::Code::kResourceExhausted) {
      outbox_.SetDiskFull(true);
      d_.m->Set("disk_full", 1);
    }
    d_.loop->After(200, [this, c] {
      outbox_.Release(c->wire.size());
      OnSealed(std::move(*c));
    });
    return;
  }
  outbox_.SetDiskFull(false);
  d_.m->Set("disk_full", 0);
  for (auto& f : c->on_durable) f();
  const double local_ms = MsSince(c->first_collected_us);
  d_.grades->local.Add(local_ms);
  ack_hist_.local.Observe(local_ms);
  d_.m->Add("grade_local");
  d_.m->Add("records_local", c->header.record_count);
  d_.loop->Post([this, c] {
    Pending p;
    p.id = c->id;
    p.priority = static_cast<int>(c->header.priority);
    p.bytes = c->wire.size();
    p.wire = std::move(c->wire);
    p.first_collected_us = c->first_collected_us;
    outbox_.AddCommitted(std::move(p));
  });
}

Status Shipper::Restore() {
  TERN_ASSIGN_OR_RETURN(auto rows, d_.store->LoadOutbox());
  outbox_.Restore(rows);
  // Copies the previous run placed are unknown to us now: find them before placing more.
  for (const auto& r : rows) replicator_.Recover(r.id);
  if (!rows.empty()) {
    spdlog::info("{}: {} chunks ({} bytes) in the outbox from before; resending", d_.who,
                 rows.size(), outbox_.bytes());
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- the window

// Loop thread: the store's reader is fine here, never on the network thread.
std::optional<std::string> Shipper::Load(const ChunkId& id) {
  auto w = d_.store->GetChunk(id);
  if (!w.ok() || !w->has_value()) return std::nullopt;
  return std::move(**w);
}

placement::Key Shipper::PlacementKey(std::string_view wire) const {
  // The wire form was built (or checked) by this edge: a header that does not decode cannot
  // happen, but would only cost co-location, so it gets the empty key rather than a stop.
  auto v = DecodeChunk(wire);
  if (!v.ok()) return {};
  auto g = groups_.find(v->header.source);
  return placement::KeyOf(g == groups_.end() ? std::string() : g->second, v->header.source,
                          v->header.t_first, static_cast<uint64_t>(o_.placement_window_ms));
}

void Shipper::Pump() {
  if (!d_.transport->connected()) return SetBlocked("not connected to the broker");
  const uint64_t now = MonotonicMs();
  auto fill = outbox_.FillWindow([this](const ChunkId& id) { return Load(id); });
  for (const ChunkId& id : fill.missing) {
    d_.m->Add("outbox_missing_chunks");
    spdlog::error("{}: outbox chunk {} is not in the local store", d_.who, ToHex(id).substr(0, 16));
  }
  for (const ChunkId& id : outbox_.window()) {
    const Pending& p = *outbox_.Find(id);
    if (!replicator_.Keyed(id)) {
      replicator_.SetKey(id, PlacementKey(p.wire), static_cast<Priority>(p.priority));
    }
    Plan plan = replicator_.Step(id, now);
    // The origin's signature of the id, once per chunk sent (none without a key).
    std::string sig;
    if ((!plan.puts.empty() || plan.uplink) && d_.sealer) sig = d_.sealer->SignChunk(id);
    for (uint32_t peer : plan.puts) {
      // The draw takes only named members of the latest list; a peer gone from it since is
      // planned again (and replaced) by the next Step.
      const std::string to = d_.peers->NameOf(peer);
      if (to.empty()) continue;
      Status s = d_.transport->Publish(
          d_.topics.Put(d_.name, to),
          EncodeEnvelope(EnvelopeType::kPut, d_.self, next_request_++, id, sig, p.wire));
      if (s.ok()) replicator_.PutSent(id, peer, now);  // else: planned again next pump
    }
    for (uint32_t peer : plan.restates) {
      const std::string to = d_.peers->NameOf(peer);
      if (to.empty()) continue;
      // A probe not sent is planned again; a restate after an uplink timeout is made again at
      // the next one.
      const std::string topic = d_.topics.Peer(d_.name, to);
      std::string text = msg::Restate{id, d_.self}.Encode();
      if (d_.sealer) {
        auto sealed = d_.sealer->Seal(topic, text);
        if (!sealed.ok()) {
          d_.m->Add("seal_errors");
          continue;
        }
        text = std::move(sealed).value();
      }
      if (d_.transport->Publish(topic, text).ok()) replicator_.RestateSent(id, peer);
    }
    if (plan.uplink) {
      Status s = d_.transport->Publish(
          d_.topics.Up(d_.name), EncodeEnvelope(EnvelopeType::kUp, d_.self, 0, id, sig, p.wire));
      if (s.ok()) replicator_.UplinkSent(id, now);  // else: planned again next pump
    }
  }
  SetBlocked(WhyBlocked());
}

std::string Shipper::WhyBlocked() {
  const bool short_now = replicator_.TakeShort();
  const int need = o_.replicas;
  if (need <= 0) return "";
  const int live = d_.peers->LiveCount();
  const std::string need_s = ", need " + std::to_string(need);
  if (live < need) {
    return std::to_string(live) + (live == 1 ? " live peer" : " live peers") + need_s;
  }
  if (short_now) {
    return std::to_string(live) + " live peers, but too few take the copies (refused)" + need_s;
  }
  return "";
}

void Shipper::SetBlocked(std::string reason) {
  const bool blocked = !reason.empty();
  bool was = false;
  {
    std::lock_guard<std::mutex> lk(blocked_mu_);
    was = !blocked_reason_.empty();
    blocked_reason_ = reason;
  }
  d_.m->Set("replication_blocked", blocked ? 1 : 0);
  if (blocked && outbox_.chunks() > 0 && blocked_log_.Pass()) {
    spdlog::warn(
        "{}: copies cannot be placed: {}; {} chunks ({} bytes) wait in the outbox (bound {} "
        "bytes)",
        d_.who, reason, outbox_.chunks(), outbox_.bytes(), o_.outbox_max_bytes);
  } else if (!blocked && was) {
    spdlog::info("{}: copies can be placed again", d_.who);
  }
}

// ---------------------------------------------------------------- what peers and the core say

void Shipper::OnPutAck(const msg::PutAck& m) {
  d_.loop->Post([this, id = m.id, holder = m.holder] {
    const Pending* p = outbox_.Find(id);
    if (!p) return;  // late duplicate: the chunk is finished
    int holders = replicator_.OnPutAck(id, holder);
    if (holders == 0) return;  // this peer's ack was counted before
    if (p->first_collected_us) {
      const double ms = MsSince(p->first_collected_us);
      (holders == 1 ? d_.grades->peer1 : d_.grades->peer2).Add(ms);
      (holders == 1 ? ack_hist_.peer1 : ack_hist_.peer2).Observe(ms);
    }
    d_.m->Add(holders == 1 ? "grade_peer1" : "grade_peer2");
  });
}

void Shipper::OnPutNack(const msg::PutNack& m) { Refusal(m.id, m.holder, m.reason, false); }
void Shipper::OnRestateNack(const msg::RestateNack& m) { Refusal(m.id, m.holder, m.reason, true); }

void Shipper::Refusal(const ChunkId& id, uint32_t holder, const std::string& reason, bool restate) {
  d_.loop->Post([this, id, holder, reason, restate] {
    if (!outbox_.Find(id)) return;
    if (!restate) {
      replicator_.OnRefusal(id, holder);
    } else if (!replicator_.OnRestateNack(id, holder)) {
      return;  // the answer to a probe: that peer has no copy, which is no refusal
    }
    d_.m->Add("replica_refusals");
    if (auto more = refusal_log_.Pass()) {
      spdlog::warn("{}: peer {} refused chunk {}: {}{}", d_.who, holder, ToHex(id).substr(0, 12),
                   reason, LogThrottle::MoreSince(*more));
    }
  });
}

void Shipper::OnAck(const msg::Ack& m) {
  d_.loop->Post([this, id = m.id, holders = m.holders] { Finish(id, holders); });
}

void Shipper::Finish(const ChunkId& id, const std::vector<uint32_t>& holders) {
  const Pending* p = outbox_.Find(id);
  if (!p) return;  // duplicate ack
  if (p->first_collected_us) {
    const double ms = MsSince(p->first_collected_us);
    d_.grades->core.Add(ms);
    ack_hist_.core.Observe(ms);
  }
  d_.m->Add("grade_core");
  if (holders.size() < 3) d_.m->Add("core_acks_short");  // should not happen; visible if it does
  Drop(id);
}

void Shipper::OnThrottle(const msg::Throttle& m) {
  d_.loop->Post([this, id = m.id, after = m.retry_after_ms] {
    if (!outbox_.Find(id)) return;
    d_.m->Add("uplinks_throttled");
    replicator_.OnThrottle(id, after, MonotonicMs());
  });
}

void Shipper::OnRefused(const msg::Refused& m) {
  d_.loop->Post([this, m, id = m.id, reason = m.reason] {
    if (!outbox_.Find(id)) return;
    d_.m->Add("core_refusals");
    if (m.next_chunk > 0) return SeqReused(id, m);
    spdlog::error("{}: the core refused chunk {}: {}; it stays in the stores, not processed",
                  d_.who, ToHex(id).substr(0, 16), reason);
    Drop(id);
  });
}

// Loop thread: the core acked another chunk under this one's (source, seq).
void Shipper::SeqReused(const ChunkId& id, const msg::Refused& m) {
  d_.m->Add("core_refusals_seq_reuse");
  std::string source = "?";
  uint64_t seq = 0;
  if (auto wire = Load(id)) {
    if (auto c = DecodeChunk(*wire); c.ok()) {
      source = c->header.source;
      seq = c->header.seq;
    }
  }
  spdlog::error(
      "{}: the core refused chunk {} (source '{}' seq {}): that seq was acked before (highest "
      "acked {}); the chunk stays in the local store, unacked; '{}' now starts at chunk {}, "
      "record {}: {}",
      d_.who, ToHex(id).substr(0, 16), source, seq, m.seq_high, source, m.next_chunk, m.next_record,
      m.reason);
  if (source != "?") {
    if (Status s = d_.store->RaiseSeq(source, m.next_record, m.next_chunk); !s.ok()) {
      d_.m->Add("local_store_errors");
      spdlog::error("{}: raising the sequence of '{}': {}", d_.who, source, s.ToString());
    }
    if (d_.raise_seq) d_.raise_seq(source, m.next_record, m.next_chunk);
  }
  Drop(id);
}

void Shipper::Drop(const ChunkId& id) {
  if (!outbox_.Remove(id)) return;
  replicator_.Forget(id);
  StoreWrite w{StoreWrite::Kind::kOutboxDone};
  w.id = id;
  // No callback: if the delete fails the row stays, and after a restart the chunk is sent
  // again and acked again, which costs a resend and nothing else.
  d_.store->Submit(std::move(w), nullptr);
}

nlohmann::json GradeLatencies::ToJson() const {
  auto grade = [](const LatencyRecorder& r) {
    return nlohmann::json{
        {"count", r.count()}, {"p50_ms", r.Percentile(50)}, {"p99_ms", r.Percentile(99)}};
  };
  return {{"local", grade(local)},
          {"peer1", grade(peer1)},
          {"peer2", grade(peer2)},
          {"core", grade(core)}};
}

}  // namespace tern::edge
