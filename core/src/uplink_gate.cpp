// UplinkGate: see uplink_gate.h.
#include "uplink_gate.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "tern/common/bytes.h"
#include "tern/common/dispatch.h"
#include "tern/common/messages.h"
#include "tern/common/statements.h"

namespace tern::core {

uint64_t TokenBucket::Take(uint64_t bytes, int64_t rate, uint64_t now_ms) {
  if (rate <= 0) return 0;
  const double r = static_cast<double>(rate), want = static_cast<double>(bytes);
  const double cap = 2.0 * r;
  if (last_ms_ == 0) tokens_ = cap;
  tokens_ = std::min(cap, tokens_ + static_cast<double>(now_ms - last_ms_) * r / 1000.0);
  last_ms_ = now_ms;
  if (tokens_ >= want) {
    tokens_ -= want;
    return 0;
  }
  return static_cast<uint64_t>((want - tokens_) * 1000.0 / r) + 1;
}

UplinkGate::Outcome UplinkGate::Reject(const std::string& detail) {
  msg::Reject(*m_, "core", "up", detail);
  return {};
}

std::optional<Outgoing> UplinkGate::SeqReuse(const std::string& name, const ChunkId& id,
                                             const ChunkHeader& h) {
  auto other = db_->seq_marks().AckedOther(h.origin, h.source, h.seq, id);
  if (!other.ok()) {
    m_->Add("manifest_errors");
    spdlog::error("core: sequence check of a chunk from {}: {}", name, other.status().ToString());
    return std::nullopt;  // not refused on a read error: the uplink goes on as before
  }
  if (!other->has_value()) return std::nullopt;
  msg::Refused r{id, "seq_reuse: source '" + h.source + "' seq " + std::to_string(h.seq) +
                         " was acked before as chunk " + ToHex(**other).substr(0, 16)};
  auto marks = db_->seq_marks().Of(h.origin);
  if (marks.ok()) {
    for (const SeqMark& mk : *marks) {
      if (mk.source != h.source) continue;
      r.seq_high = mk.acked_seq < 0 ? 0 : static_cast<uint64_t>(mk.acked_seq);
      r.next_chunk = mk.next_chunk;
      r.next_record = mk.next_record;
    }
  }
  int64_t n = ++m_->Counter("refused_seq_reuse");
  if (n <= 10 || n % 1000 == 0) {
    spdlog::warn(
        "core: refused_seq_reuse: chunk {} from {} (origin {}) reuses source '{}' seq {}, acked "
        "before as chunk {} (highest acked seq {}); the edge starts that source above {}",
        ToHex(id).substr(0, 16), name, h.origin, h.source, h.seq, ToHex(**other).substr(0, 16),
        r.seq_high, r.next_chunk);
  }
  return Outgoing{topics_.Down(name), r.Encode()};
}

UplinkGate::Outcome UplinkGate::OnUplink(const std::string& topic, std::string_view payload,
                                         uint64_t now_ms) {
  const std::string name = topics_.Parse(topic).from;  // the topic says who sent it
  const uint32_t from = members_->AddrOf(name);
  const std::string by = " from " + name;
  if (from == 0) return Reject("unregistered node on " + topic);
  auto env = DecodeEnvelope(payload);
  if (!env.ok()) return Reject(env.status().message() + " on " + topic);
  if (env->type != EnvelopeType::kUp || env->sender != from) {
    return Reject("envelope sender " + std::to_string(env->sender) + " on " + topic);
  }
  if (held_) {  // on backup power: take nothing new; the edge sends it again later
    m_->Add("uplinks_held");
    Outcome o;
    o.reply =
        Outgoing{topics_.Down(name),
                 msg::Throttle{ChunkId(env->id), "core on backup power", kHeldRetryMs}.Encode()};
    return o;
  }
  if (verify_) {
    const crypto::PublicKey* key = members_->KeyOf(name);
    const char* why = !key                                      ? "unknown_sender"
                      : !VerifyChunkId(*key, env->id, env->sig) ? "bad_signature"
                                                                : nullptr;
    if (why) {
      m_->Add(std::string("refused_") + why);
      return Reject(std::string("refused (") + why + ") chunk " + ToHex(env->id).substr(0, 16) +
                    " not signed by " + name + "'s enrolled key");
    }
  }
  auto view = DecodeChunk(env->chunk);
  if (!view.ok()) return Reject(view.status().message() + by);
  const ChunkHeader& h = view->header;
  if (h.origin != from) {
    return Reject("chunk origin " + std::to_string(h.origin) + " sent by " + name + " (" +
                  std::to_string(from) + ")");
  }
  auto recs = DecodeRecords(*view);
  if (!recs.ok()) return Reject(recs.status().message() + by);

  Outcome o;
  const ChunkId id(env->id);
  const EdgeSettings& perm = settings_->Of(name);
  if (!perm.Allows(h.kind)) {
    m_->Add("refused_permission");
    std::string why = std::string(KindName(h.kind)) + " data is not permitted for " + perm.name +
                      " (allowed: " + perm.kinds + ")";
    msg::Reject(*m_, "core", "up", why);
    o.reply = Outgoing{topics_.Down(name), msg::Refused{id, why}.Encode()};
    return o;
  }
  if (auto reuse = SeqReuse(name, id, h); reuse) {
    o.reply = std::move(reuse);
    return o;
  }
  auto known = db_->Chunk(id);
  const bool already = known.ok() && known->has_value() && (*known)->spooled;
  if (!already) {
    uint64_t wait = buckets_[from].Take(env->chunk.size(), perm.max_bytes_per_s, now_ms);
    if (wait > 0) {
      int64_t n = ++m_->Counter("throttled");
      if (n <= 10 || n % 1000 == 0) {
        spdlog::warn("core: throttling {} (limit {} bytes/s), retry in {} ms", perm.name,
                     perm.max_bytes_per_s, wait);
      }
      o.reply = Outgoing{topics_.Down(name), msg::Throttle{id, "byte-rate limit", wait}.Encode()};
      return o;
    }
  }
  uint64_t next_record = 0;
  for (const Record& r : *recs) next_record = std::max(next_record, r.seq + 1);
  Status s = db_->RecordHolder(NoticeFor(id, from, h, env->chunk.size()));
  if (s.ok()) s = db_->seq_marks().Uplinked(from, h.source, h.seq, next_record);
  // A resend of a chunk spooled before (maybe processed and unspooled since) is not spooled
  // again: it only earns the edge another ack.
  if (s.ok() && !already) s = db_->Spool(id, h, env->chunk);
  // Indexed for search with the spool row: the first time the core has the chunk's tags.
  if (s.ok() && !already) s = db_->search().Add(SearchIndex::ForChunk(id, h, name));
  if (!s.ok()) {
    m_->Add("manifest_errors");
    spdlog::error("core: spooling chunk from {}: {}", name, s.ToString());
    return o;
  }
  m_->Add("uplinks");
  o.accepted = id;
  if (!already) {
    // Queued for processing only once the spool row is committed and readable.
    int cls = perm.priority >= 0 ? perm.priority : static_cast<int>(h.priority);
    o.spooled = Manifest::SpoolEntry{id, from, cls, env->chunk.size(), h.t_last};
  }
  return o;
}

}  // namespace tern::core
