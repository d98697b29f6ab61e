// Shared bodies: finding blob-part data in a chunk, splitting rows, reference counts.
#include "body_store.h"

#include "tern/common/bytes.h"
#include "tern/common/chunk.h"
#include "tern/common/sha256.h"

namespace tern::edge {
namespace {
constexpr size_t kRefBytes = 8 + 8 + 32;
}  // namespace

std::vector<BodySpan> ShareableSpans(std::string_view wire) {
  std::vector<BodySpan> out;
  auto c = DecodeChunk(wire);
  if (!c.ok() || c->header.kind != RecordKind::kBlob || c->header.codec != Codec::kRaw) {
    return out;
  }
  const size_t body_at = static_cast<size_t>(c->body.data() - wire.data());
  ByteReader r(c->body);
  for (uint32_t i = 0; i < c->header.record_count; ++i) {
    uint64_t ts = 0, seq = 0;
    std::string_view payload;
    if (!r.U64(&ts) || !r.U64(&seq) || !r.Str32(&payload, c->body.size())) return {};
    const size_t payload_at = body_at + r.position() - payload.size();
    ByteReader p(payload);
    std::string_view name;
    uint64_t total = 0, offset = 0;
    if (!p.Str16(&name) || !p.U64(&total) || !p.U64(&offset)) return {};
    if (p.remaining() >= kMinSharedBody) out.push_back({payload_at + p.position(), p.remaining()});
  }
  return out;
}

std::string EncodeBodyRefs(const std::vector<BodyRef>& refs) {
  std::string out;
  ByteWriter w(&out);
  for (const BodyRef& r : refs) {
    w.U64(r.offset);
    w.U64(r.size);
    w.Bytes(r.hash);
  }
  return out;
}

Result<std::vector<BodyRef>> DecodeBodyRefs(std::string_view blob) {
  if (blob.size() % kRefBytes != 0) {
    return Status::Corruption("body refs of " + std::to_string(blob.size()) + " bytes");
  }
  std::vector<BodyRef> out;
  ByteReader r(blob);
  while (r.remaining() > 0) {
    BodyRef ref;
    std::string_view h;
    (void)r.U64(&ref.offset);  // cannot fail: the size was checked above
    (void)r.U64(&ref.size);
    (void)r.View(32, &h);
    ref.hash = std::string(h);
    out.push_back(std::move(ref));
  }
  return out;
}

Result<std::string> Reassemble(std::string_view skeleton, std::string_view refs_blob,
                               const BodyLookup& lookup) {
  TERN_ASSIGN_OR_RETURN(auto refs, DecodeBodyRefs(refs_blob));
  std::string out;
  size_t sk = 0;    // position in the skeleton
  uint64_t at = 0;  // position in the original wire bytes
  for (const BodyRef& ref : refs) {
    // The skeleton between two bodies is measured in the original wire's offsets, so a
    // stored body of the wrong length cannot shift the rest.
    if (ref.offset < at || ref.offset - at > skeleton.size() - sk) {
      return Status::Corruption("body refs beyond the row's skeleton");
    }
    const size_t gap = static_cast<size_t>(ref.offset - at);
    out.append(skeleton.substr(sk, gap));
    sk += gap;
    TERN_ASSIGN_OR_RETURN(auto body, lookup(ref.hash));
    if (body) out.append(*body);
    at = ref.offset + ref.size;
  }
  out.append(skeleton.substr(sk));
  return out;
}

Result<std::unique_ptr<BodyStore>> BodyStore::Prepare(Database& db) {
  std::unique_ptr<BodyStore> b(new BodyStore());
  TERN_ASSIGN_OR_RETURN(b->get_, db.Prepare("SELECT data FROM bodies WHERE hash = ?"));
  TERN_ASSIGN_OR_RETURN(b->insert_,
                        db.Prepare("INSERT INTO bodies(hash, refs, bytes, data) VALUES(?,1,?,?)"));
  TERN_ASSIGN_OR_RETURN(b->ref_, db.Prepare("UPDATE bodies SET refs = refs + 1 WHERE hash = ?"));
  // A stored body that no longer hashes to its key is corrupt: the new, verified bytes
  // replace it (and so repair every chunk that references it).
  TERN_ASSIGN_OR_RETURN(
      b->replace_,
      db.Prepare("UPDATE bodies SET refs = refs + 1, bytes = ?2, data = ?3 WHERE hash = ?1"));
  TERN_ASSIGN_OR_RETURN(
      b->unref_,
      db.Prepare("UPDATE bodies SET refs = refs - 1 WHERE hash = ? RETURNING refs, bytes"));
  TERN_ASSIGN_OR_RETURN(b->drop_, db.Prepare("DELETE FROM bodies WHERE hash = ? AND refs <= 0"));
  TERN_ASSIGN_OR_RETURN(auto sum, db.Prepare("SELECT count(*), coalesce(sum(bytes), 0),"
                                             " coalesce(sum((refs - 1) * bytes), 0) FROM bodies"));
  TERN_ASSIGN_OR_RETURN(bool row, sum->Step());
  if (row) {
    b->bodies_ = sum->Int(0);
    b->body_bytes_ = sum->Int(1);
    b->saved_ = sum->Int(2);
  }
  return b;
}

void BodyStore::Committed() {
  bodies_ += pending_.bodies;
  body_bytes_ += pending_.body_bytes;
  saved_ += pending_.saved_bytes;
  pending_ = {};
}

void BodyStore::RolledBack() { pending_ = {}; }

Result<std::optional<std::string>> BodyStore::Get(std::string_view hash) {
  ResetGuard g(get_.get());
  get_->BindBlob(1, hash);
  TERN_ASSIGN_OR_RETURN(bool row, get_->Step());
  std::optional<std::string> out;
  if (row) out = std::string(get_->Blob(0));
  return out;
}

Result<BodyStore::Split> BodyStore::Share(std::string_view wire) {
  Split out;
  std::vector<BodyRef> refs;
  size_t at = 0;
  for (const BodySpan& s : ShareableSpans(wire)) {
    const std::string_view data = wire.substr(s.offset, s.size);
    std::string hash = DigestBytes(Sha256(data));
    TERN_ASSIGN_OR_RETURN(auto have, Get(hash));
    if (!have) {
      TERN_RETURN_IF_ERROR(insert_->BindBlob(1, hash)
                               .Bind(2, static_cast<int64_t>(data.size()))
                               .BindBlob(3, data)
                               .Run());
      ++pending_.bodies;
      pending_.body_bytes += static_cast<int64_t>(data.size());
    } else if (*have == data) {  // equal byte for byte: one more reference
      TERN_RETURN_IF_ERROR(ref_->BindBlob(1, hash).Run());
      pending_.saved_bytes += static_cast<int64_t>(data.size());
    } else if (DigestBytes(Sha256(*have)) != hash) {  // the stored one rotted
      // `bytes` was the good length (only `data` rotted), so the counts stay as for a ref.
      TERN_RETURN_IF_ERROR(replace_->BindBlob(1, hash)
                               .Bind(2, static_cast<int64_t>(data.size()))
                               .BindBlob(3, data)
                               .Run());
      pending_.saved_bytes += static_cast<int64_t>(data.size());
    } else {
      continue;  // a real SHA-256 collision: two different bodies never become one
    }
    out.skeleton.append(wire.substr(at, s.offset - at));
    at = s.offset + s.size;
    refs.push_back({s.offset, s.size, std::move(hash)});
  }
  out.skeleton.append(wire.substr(at));
  out.refs = EncodeBodyRefs(refs);
  return out;
}

Status BodyStore::Release(std::string_view refs_blob) {
  TERN_ASSIGN_OR_RETURN(auto refs, DecodeBodyRefs(refs_blob));
  for (const BodyRef& r : refs) {
    int64_t left = -1, bytes = 0;
    {
      ResetGuard g(unref_.get());
      unref_->BindBlob(1, r.hash);
      TERN_ASSIGN_OR_RETURN(bool row, unref_->Step());
      if (!row) continue;  // no such body: nothing to count
      left = unref_->Int(0);
      bytes = unref_->Int(1);
    }
    if (left >= 1) {
      pending_.saved_bytes -= bytes;
      continue;  // still referenced: the body stays
    }
    TERN_RETURN_IF_ERROR(drop_->BindBlob(1, r.hash).Run());
    --pending_.bodies;
    pending_.body_bytes -= bytes;
  }
  return Status::Ok();
}

}  // namespace tern::edge
