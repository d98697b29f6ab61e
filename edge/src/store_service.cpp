// StoreService: replicas kept for peers, restatements, excess-copy drops.
#include "store_service.h"

#include <spdlog/spdlog.h>

#include "chunk_write.h"
#include "tern/common/dispatch.h"

namespace tern::edge {

// A verified put, handed from the network thread to the loop.
struct StoreService::Put {
  ChunkId id;
  std::string from;  // the sender's name, from the topic
  ChunkHeader header;
  std::string wire;
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
  StoreWrite w = ChunkWrite(StoreWrite::Kind::kReplica, put->id, put->header, put->wire);
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

void StoreService::OnDelete(const msg::Delete& m) {
  // The core found an excess copy (more than three holders); drop ours if it is a replica.
  StoreWrite w{StoreWrite::Kind::kDropReplica};
  w.id = m.id;
  store_->Submit(std::move(w), [this, id = m.id](const Status& s) {
    if (!s.ok()) {  // the copy stays (and stays in the manifest); counted for the operator
      m_->Add("replica_drop_errors");
      spdlog::warn("{}: dropping an excess copy failed: {}", who_, s.ToString());
      return;
    }
    loop_->Post([this, id] {
      publisher_->Deliver(topics_.Stored(name_), msg::Dropped{id, self_}.Encode());
      m_->Add("replicas_dropped");
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

}  // namespace tern::edge
