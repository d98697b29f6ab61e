// StoreService: replicas kept for peers, restatements, excess-copy drops.
#include "store_service.h"

#include <spdlog/spdlog.h>

#include "chunk_write.h"
#include "tern/common/bytes.h"
#include "tern/common/dispatch.h"

namespace tern::edge {

// A verified put, handed from the network thread to the loop.
struct StoreService::Put {
  ChunkId id;
  std::string from;  // the sender's name, from the topic
  ChunkHeader header;
  std::string wire;
  std::string sig;  // the origin's signature of the id, kept with the copy
};

void StoreService::OnPut(const std::string& from_name, std::string_view payload) {
  auto env = DecodeEnvelope(payload);
  if (!env.ok()) return msg::Reject(*m_, who_, "put", env.status().message());
  if (env->type != EnvelopeType::kPut)
    return msg::Reject(*m_, who_, "put", "envelope is not a put");
  const std::string from = " from " + from_name;
  auto view = DecodeChunk(env->chunk);
  if (!view.ok()) return msg::Reject(*m_, who_, "put", view.status().message() + from);
  if (statements_ && !statements_->VerifyChunk(from_name, view->header.origin, env->id, env->sig,
                                               topics_.Put(from_name, name_), "put")) {
    return;
  }
  auto recs = DecodeRecords(*view);
  if (!recs.ok()) return msg::Reject(*m_, who_, "put", recs.status().message() + from);
  auto put = std::make_shared<Put>();
  put->id = ChunkId(env->id);
  put->from = from_name;
  put->header = view->header;
  put->wire = std::string(env->chunk);
  put->sig = std::string(env->sig);
  loop_->Post([this, put = std::shared_ptr<const Put>(std::move(put))] { Keep(put); });
}

// Loop thread: is it here already? Otherwise the writer commits it.
void StoreService::Keep(const std::shared_ptr<const Put>& put) {
  auto existing = store_->GetChunk(put->id);
  if (existing.ok() && existing->has_value()) {
    if (**existing == put->wire) {
      m_->Add("replicas_duplicate");
      return Answer(put, Status::Ok());  // already durable: re-acknowledge
    }
    m_->Add("replica_id_collisions");
    return Answer(put, Status::Corruption("different bytes stored under the same id"));
  }
  // A store under disk pressure refuses what its level does not take (pressure_ladder.h);
  // the sender places the copy on its next peer. Not a store error: nothing failed here.
  if (pressure_) {
    if (Status s = pressure_->AdmitReplica(put->header.priority); !s.ok()) {
      if (auto more = pressure_log_.Pass()) {
        spdlog::warn("{}: copy of {} from {} refused: {}{}", who_, ToHex(put->id).substr(0, 16),
                     put->from, s.message(), LogThrottle::MoreSince(*more));
      }
      publisher_->Deliver(topics_.Peer(name_, put->from),
                          msg::PutNack{put->id, self_, s.message()}.Encode());
      return;
    }
  }
  StoreWrite w = ChunkWrite(StoreWrite::Kind::kReplica, put->id, put->header, put->wire, put->sig);
  store_->Submit(std::move(w),
                 [this, put](const Status& s) { loop_->Post([this, put, s] { Answer(put, s); }); });
}

// Loop thread.
void StoreService::Answer(const std::shared_ptr<const Put>& put, const Status& s) {
  if (!s.ok()) {
    m_->Add("replica_store_errors");
    publisher_->Deliver(topics_.Peer(name_, put->from),
                        msg::PutNack{put->id, self_, s.message()}.Encode());
    return;
  }
  m_->Add("replicas_stored");
  publisher_->Deliver(
      topics_.Stored(name_),
      msg::Stored(NoticeFor(put->id, self_, put->header, put->wire.size())).Encode());
  publisher_->Deliver(topics_.Peer(name_, put->from), msg::PutAck{put->id, self_}.Encode());
}

void StoreService::OnRestate(const msg::Restate& m, const std::string& from) {
  loop_->Post([this, m, from] { Restate(m, from); });
}

// Loop thread: the read happens here, not on the network thread.
void StoreService::Restate(const msg::Restate& m, const std::string& from) {
  if (from.empty()) return;  // the core's name is not known yet (no member list): nobody to tell
  auto wire = store_->GetChunk(m.id);
  auto view = wire.ok() && wire->has_value() ? DecodeChunk(**wire)
                                             : Result<ChunkView>(Status::NotFound("not held"));
  if (view.ok()) {
    publisher_->Deliver(
        topics_.Stored(name_),
        msg::Stored(NoticeFor(m.id, self_, view->header, (*wire)->size())).Encode());
    publisher_->Deliver(topics_.Peer(name_, from), msg::PutAck{m.id, self_}.Encode());
  } else {
    // "restate_nack" (not "put_nack"): the copy is not here, which is news, not a refusal.
    publisher_->Deliver(topics_.Peer(name_, from),
                        msg::RestateNack{m.id, self_, "chunk not held here"}.Encode());
  }
  m_->Add("restated");
}

void StoreService::OnMembers(const msg::Members& m) {
  for (const auto& n : m.nodes) {
    if (n.addr != self_) continue;
    if (draining_.exchange(n.draining) != n.draining) {
      spdlog::warn("{}: {}", who_,
                   n.draining ? "draining: every copy here, own chunks too, leaves once three "
                                "good copies exist elsewhere"
                              : "no longer draining");
    }
    return;
  }
}

void StoreService::OnDelete(const msg::Delete& m) {
  // The core found an excess copy (more than three holders), or a copy on this draining
  // node that three good stores elsewhere hold. A replica goes; an own chunk only while this
  // node drains, and not while it waits in the outbox (the SQL keeps it).
  const bool drain = draining_.load();
  StoreWrite w{drain ? StoreWrite::Kind::kDropCopy : StoreWrite::Kind::kDropReplica};
  w.id = m.id;
  store_->Submit(std::move(w), [this, id = m.id, drain](const Status& s) {
    if (!s.ok()) {  // the copy stays (and stays in the manifest); counted for the operator
      m_->Add("replica_drop_errors");
      spdlog::warn("{}: dropping an excess copy failed: {}", who_, s.ToString());
      return;
    }
    // Still here: an own chunk (not draining, or not acked yet). Saying `dropped` would take
    // a copy that exists out of the manifest; silence lets the core ask again later.
    auto held = store_->HasChunk(id);
    if (!held.ok() || *held) {
      m_->Add("drops_deferred");
      return;
    }
    loop_->Post([this, id, drain] {
      publisher_->Deliver(topics_.Stored(name_), msg::Dropped{id, self_}.Encode());
      m_->Add("replicas_dropped");
      if (drain) m_->Add("drain_drops");
    });
  });
}

// A crash between a replica's commit and its "stored" notice leaves a copy the manifest
// does not know. After each start the store restates its most recent replicas; the core
// takes each statement once (and trims a chunk that turns out to have too many copies).
void StoreService::AnnounceRecentReplicas(int limit) {
  auto recent = store_->RecentReplicas(limit);
  if (!recent.ok()) {
    spdlog::warn("{}: cannot list recent replicas to restate: {}", who_,
                 recent.status().ToString());
    return;
  }
  for (const auto& i : *recent) {
    publisher_->Deliver(topics_.Stored(name_), msg::Stored(NoticeOf(i, self_)).Encode());
  }
  m_->Add("replicas_restated", static_cast<int64_t>(recent->size()));
}

// ---------------------------------------------------------------- the store protocol

namespace {
// Copies sent and not answered are forgotten beyond this many (a target that never answers
// must not grow the map; the core times its repair tasks out itself).
constexpr size_t kMaxCopiesInFlight = 4096;
}  // namespace

void StoreService::OnCopy(const msg::Copy& m, const std::string& core) {
  loop_->Post([this, m, core] { Copy(m, core); });
}

void StoreService::OnGet(const msg::Get& m, const std::string& core) {
  loop_->Post([this, m, core] { Get(m, core); });
}

// Loop thread.
Result<StoredCopy> StoreService::Verified(const ChunkId& id, const std::string& found_by) {
  auto copy = store_->GetCopy(id);
  if (!copy.ok()) return copy.status().WithContext("reading chunk " + ToHex(id).substr(0, 16));
  if (!copy->has_value()) return Status::NotFound("not held");
  if (ChunkIdOf((*copy)->wire) != id) {
    Condemn(id, found_by);
    return Status::Corruption("corrupt copy (its bytes do not hash to the id); quarantined");
  }
  return std::move(**copy);
}

void StoreService::CopyNack(const msg::Copy& m, const std::string& core,
                            const std::string& reason) {
  m_->Add("copy_nacks");
  spdlog::warn("{}: copy of chunk {} to {} (request {}) not made: {}", who_,
               ToHex(m.id).substr(0, 16), m.to, m.req, reason);
  if (core.empty()) return;
  publisher_->Deliver(topics_.Peer(name_, core),
                      msg::CopyNack{m.id, self_, m.to, m.req, reason}.Encode());
}

// Loop thread: read, verify, send as a put with the origin's signature.
void StoreService::Copy(const msg::Copy& m, const std::string& core) {
  if (m.to.empty() || m.to == name_) return CopyNack(m, core, "bad target '" + m.to + "'");
  auto copy = Verified(m.id, "copy");
  if (!copy.ok()) return CopyNack(m, core, copy.status().message());
  std::string sig = std::move(copy->sig);
  const bool signing = statements_ && statements_->signing();
  if (sig.empty() && signing) {
    if (!copy->own) return CopyNack(m, core, "no origin signature kept");
    // An own chunk from before signatures were kept: this store is its origin; sign it now
    // and keep the signature.
    sig = statements_->sealer()->SignChunk(m.id);
    StoreWrite w{StoreWrite::Kind::kSig};
    w.id = m.id;
    w.value = sig;
    store_->Submit(std::move(w), nullptr);  // if it fails, the next copy signs again
  }
  {
    std::lock_guard<std::mutex> lk(copies_mu_);
    if (copies_.size() >= kMaxCopiesInFlight) copies_.erase(copies_.begin());
    copies_[{m.id, m.to}] = {m.req, core};
  }
  publisher_->DeliverEnvelope(
      topics_.Put(name_, m.to),
      EncodeEnvelope(EnvelopeType::kPut, self_, m.req, m.id, sig, copy->wire));
  m_->Add("copies_sent");
}

bool StoreService::OnCopyAnswer(const ChunkId& id, const std::string& from,
                                const std::string* nack) {
  CopyInFlight c;
  {
    std::lock_guard<std::mutex> lk(copies_mu_);
    auto it = copies_.find({id, from});
    if (it == copies_.end()) return false;
    c = std::move(it->second);
    copies_.erase(it);
  }
  if (!nack) {
    m_->Add("copy_acks");  // the target's `stored` tells the core; nothing to add
    return true;
  }
  msg::Copy m{id, from, 0, c.req};
  loop_->Post(
      [this, m, core = c.core, reason = "target refused: " + *nack] { CopyNack(m, core, reason); });
  return true;
}

// Loop thread: never bytes that do not hash to the id.
void StoreService::Get(const msg::Get& m, const std::string& core) {
  if (core.empty()) {
    m_->Add("get_nacks");
    spdlog::warn("{}: get of chunk {} not answered: the core's name is not known yet", who_,
                 ToHex(m.id).substr(0, 16));
    return;
  }
  auto copy = Verified(m.id, "get");
  if (!copy.ok()) {
    m_->Add("get_nacks");
    publisher_->Deliver(topics_.Peer(name_, core),
                        msg::GetNack{m.id, self_, m.req, copy.status().message()}.Encode());
    return;
  }
  std::string sig = std::move(copy->sig);
  if (sig.empty() && copy->own && statements_ && statements_->signing()) {
    sig = statements_->sealer()->SignChunk(m.id);
  }
  publisher_->DeliverEnvelope(
      topics_.Peer(name_, core),
      EncodeEnvelope(EnvelopeType::kGot, self_, m.req, m.id, sig, copy->wire));
  m_->Add("gets_served");
}

Result<std::vector<ChunkId>> StoreService::RunIds(const msg::TaskSeries& r) {
  const std::string run = r.source + " of node " + std::to_string(r.origin) + " #" +
                          std::to_string(r.seq_first) + ".." + std::to_string(r.seq_last);
  auto rows = store_->SeriesRun(r.origin, r.source, r.seq_first, r.seq_last, r.t_lo, r.t_hi);
  if (!rows.ok()) return rows.status().WithContext(run);
  std::vector<ChunkId> ids;
  ids.reserve(rows->size());
  uint64_t want = r.seq_first;
  for (auto& [seq, id] : *rows) {
    // In seq order, each number once: anything else (a gap, a number stored twice) is not
    // the run the core named.
    if (seq != want) break;
    ids.push_back(std::move(id));
    ++want;
  }
  if (ids.size() != rows->size() || want != r.seq_last + 1) {
    return Status::FailedPrecondition(run + ": not held whole here (" +
                                      std::to_string(rows->size()) + " of " +
                                      std::to_string(r.seq_last - r.seq_first + 1) + " found)");
  }
  return ids;
}

}  // namespace tern::edge
