// Chunk wire format, versions 1 and 2 (all integers little-endian):
//   u32 magic "TRNC" | u16 version | u32 origin | str16 source | u8 kind | u8 priority |
//   u8 codec | u8 flags (0) | u32 boot | u64 seq | u64 t_first | u64 t_last |
//   u32 record_count | u16 channels | u32 raw_len | 32 B body_hash |
//   u16 n_parents | n_parents x 32 B | [version 2: u8 n_tags (1..32) | n_tags x str8 tag] |
//   str32 body
// Version 2 exists only for chunks with tags: tags sorted, unique and valid (tags.h), so
// one set of tags has one wire form; a version 2 chunk without tags is refused, and an
// untagged chunk is always written as version 1.
// Body (raw): record_count x { u64 ts | u64 seq | str32 payload }.
#include "tern/common/chunk.h"

#include <algorithm>

#include "tern/common/bytes.h"
#include "tern/common/compress.h"

namespace tern {
namespace {
constexpr size_t kMaxSource = 128;
constexpr size_t kRecordOverhead = 8 + 8 + 4;

Status CheckHeader(const ChunkHeader& h) {
  if (h.source.empty() || h.source.size() > kMaxSource) {
    return Status::InvalidArgument("chunk source must be 1.." + std::to_string(kMaxSource) +
                                   " bytes, got " + std::to_string(h.source.size()));
  }
  if (static_cast<uint8_t>(h.kind) > static_cast<uint8_t>(RecordKind::kResult)) {
    return Status::InvalidArgument("chunk kind " + std::to_string(int(h.kind)) + " unknown");
  }
  if (static_cast<uint8_t>(h.priority) >= kNumPriorities) {
    return Status::InvalidArgument("chunk priority " + std::to_string(int(h.priority)) +
                                   " out of range 0..3");
  }
  if (static_cast<uint8_t>(h.codec) > static_cast<uint8_t>(Codec::kZstd)) {
    return Status::InvalidArgument("chunk codec " + std::to_string(int(h.codec)) + " unknown");
  }
  for (const auto& p : h.parents) {
    if (p.size() != 32) return Status::InvalidArgument("chunk parent id is not 32 bytes");
  }
  if (h.tags.size() > kMaxChunkTags) {
    return Status::InvalidArgument("chunk has " + std::to_string(h.tags.size()) +
                                   " tags, more than " + std::to_string(kMaxChunkTags));
  }
  for (size_t i = 0; i < h.tags.size(); ++i) {
    TERN_RETURN_IF_ERROR(CheckTag(h.tags[i], "chunk tag " + std::to_string(i)));
    if (i > 0 && !(h.tags[i - 1] < h.tags[i])) {
      return Status::InvalidArgument("chunk tags are not sorted and unique at '" + h.tags[i] + "'");
    }
  }
  return Status::Ok();
}
}  // namespace

std::string EncodeRecords(const std::vector<Record>& records) {
  size_t total = 0;
  for (const auto& r : records) total += kRecordOverhead + r.payload.size();
  std::string out;
  out.reserve(total);
  ByteWriter w(&out);
  for (const auto& r : records) {
    w.U64(r.ts);
    w.U64(r.seq);
    w.Str32(r.payload);
  }
  return out;
}

Result<std::string> BuildChunk(ChunkHeader h, const std::vector<Record>& records) {
  TERN_RETURN_IF_ERROR(CheckHeader(h));
  std::string raw = EncodeRecords(records);
  h.record_count = static_cast<uint32_t>(records.size());
  h.raw_len = static_cast<uint32_t>(raw.size());
  h.body_hash = Sha256(raw);
  if (!records.empty() && h.t_first == 0 && h.t_last == 0) {
    // The earliest and latest stamps, not the first and last record's: records out of order
    // (a decoded chunk whose header had no times) must not give a range DecodeChunk refuses.
    auto [lo, hi] =
        std::minmax_element(records.begin(), records.end(),
                            [](const Record& a, const Record& b) { return a.ts < b.ts; });
    h.t_first = lo->ts;
    h.t_last = hi->ts;
  }
  std::string body = h.codec == Codec::kZstd ? ZstdCompress(raw) : std::move(raw);

  std::string out;
  out.reserve(body.size() + 128 + h.source.size() + 32 * h.parents.size());
  ByteWriter w(&out);
  w.U32(kChunkMagic);
  w.U16(h.tags.empty() ? kChunkVersionUntagged : kChunkVersion);
  w.U32(h.origin);
  w.Str16(h.source);
  w.U8(static_cast<uint8_t>(h.kind));
  w.U8(static_cast<uint8_t>(h.priority));
  w.U8(static_cast<uint8_t>(h.codec));
  w.U8(0);
  w.U32(h.boot);
  w.U64(h.seq);
  w.U64(h.t_first);
  w.U64(h.t_last);
  w.U32(h.record_count);
  w.U16(h.channels);
  w.U32(h.raw_len);
  w.Bytes(std::string_view(reinterpret_cast<const char*>(h.body_hash.data()), 32));
  w.U16(static_cast<uint16_t>(h.parents.size()));
  for (const auto& p : h.parents) w.Bytes(p);
  if (!h.tags.empty()) {
    w.U8(static_cast<uint8_t>(h.tags.size()));
    for (const auto& t : h.tags) {
      w.U8(static_cast<uint8_t>(t.size()));
      w.Bytes(t);
    }
  }
  w.Str32(body);
  return out;
}

Result<ChunkView> DecodeChunk(std::string_view wire, const ChunkLimits& lim) {
  if (wire.size() > lim.max_wire_bytes) {
    return Status::Corruption("chunk of " + std::to_string(wire.size()) + " bytes exceeds limit " +
                              std::to_string(lim.max_wire_bytes));
  }
  ByteReader r(wire);
  ChunkView v;
  ChunkHeader& h = v.header;
  uint32_t magic = 0;
  if (!r.U32(&magic) || magic != kChunkMagic) return Status::Corruption("chunk: bad magic");
  if (!r.U16(&h.version)) return Status::Corruption("chunk: truncated version");
  if (h.version != kChunkVersion && h.version != kChunkVersionUntagged) {
    return Status::Corruption("chunk: unsupported version " + std::to_string(h.version) +
                              " (this build reads 1 and 2)");
  }
  std::string_view source;
  uint8_t kind = 0, prio = 0, codec = 0, flags = 0;
  uint16_t n_parents = 0;
  bool ok = r.U32(&h.origin) && r.Str16(&source, kMaxSource) && r.U8(&kind) && r.U8(&prio) &&
            r.U8(&codec) && r.U8(&flags) && r.U32(&h.boot) && r.U64(&h.seq) && r.U64(&h.t_first) &&
            r.U64(&h.t_last) && r.U32(&h.record_count) && r.U16(&h.channels) && r.U32(&h.raw_len);
  std::string_view hash;
  ok = ok && r.View(32, &hash) && r.U16(&n_parents);
  if (!ok) return Status::Corruption("chunk: truncated header");
  h.source = std::string(source);
  h.kind = static_cast<RecordKind>(kind);
  h.priority = static_cast<Priority>(prio);
  h.codec = static_cast<Codec>(codec);
  std::copy(hash.begin(), hash.end(), reinterpret_cast<char*>(h.body_hash.data()));
  if (flags != 0) return Status::Corruption("chunk: reserved flags set");
  if (n_parents > lim.max_parents) return Status::Corruption("chunk: too many parents");
  if (h.record_count > lim.max_records) {
    return Status::Corruption("chunk: " + std::to_string(h.record_count) +
                              " records exceed limit " + std::to_string(lim.max_records));
  }
  if (h.raw_len > lim.max_raw_bytes) return Status::Corruption("chunk: raw body too large");
  if (size_t{h.record_count} * kRecordOverhead > h.raw_len) {
    return Status::Corruption("chunk: raw length too small for record count");
  }
  if (h.t_first > h.t_last) return Status::Corruption("chunk: time range reversed");
  for (uint16_t i = 0; i < n_parents; ++i) {
    std::string_view p;
    if (!r.View(32, &p)) return Status::Corruption("chunk: truncated parent list");
    h.parents.emplace_back(p);
  }
  if (h.version == kChunkVersion) {
    uint8_t n_tags = 0;
    if (!r.U8(&n_tags)) return Status::Corruption("chunk: truncated tag count");
    if (n_tags == 0) return Status::Corruption("chunk: version 2 without tags");
    if (n_tags > kMaxChunkTags) return Status::Corruption("chunk: too many tags");
    for (uint8_t i = 0; i < n_tags; ++i) {
      uint8_t len = 0;
      std::string_view t;
      if (!r.U8(&len) || !r.View(len, &t)) return Status::Corruption("chunk: truncated tag");
      h.tags.emplace_back(t);
    }
  }
  if (!r.Str32(&v.body, lim.max_wire_bytes)) return Status::Corruption("chunk: truncated body");
  if (!r.AtEnd()) return Status::Corruption("chunk: trailing bytes after body");
  Status s = CheckHeader(h);
  if (!s.ok()) return Status::Corruption(s.message());
  if (h.codec == Codec::kRaw && v.body.size() != h.raw_len) {
    return Status::Corruption("chunk: raw body length differs from header");
  }
  return v;
}

Result<std::vector<Record>> DecodeRecords(const ChunkView& c, const ChunkLimits& lim) {
  const ChunkHeader& h = c.header;
  std::string owned;
  std::string_view raw = c.body;
  if (h.codec == Codec::kZstd) {
    if (h.raw_len > lim.max_raw_bytes) return Status::Corruption("chunk: raw body too large");
    TERN_ASSIGN_OR_RETURN(owned, ZstdDecompress(c.body, h.raw_len));
    raw = owned;
  }
  if (Sha256(raw) != h.body_hash) return Status::Corruption("chunk: body hash mismatch");
  std::vector<Record> out;
  out.reserve(h.record_count);
  ByteReader r(raw);
  for (uint32_t i = 0; i < h.record_count; ++i) {
    Record rec;
    std::string_view payload;
    if (!r.U64(&rec.ts) || !r.U64(&rec.seq) || !r.Str32(&payload, lim.max_raw_bytes)) {
      return Status::Corruption("chunk: truncated record " + std::to_string(i));
    }
    rec.payload = std::string(payload);
    out.push_back(std::move(rec));
  }
  if (!r.AtEnd()) return Status::Corruption("chunk: bytes after the last record");
  return out;
}

std::string EncodeBlobPart(const BlobPart& p) {
  std::string out;
  ByteWriter w(&out);
  w.Str16(p.name);
  w.U64(p.total_size);
  w.U64(p.offset);
  w.Bytes(p.data);
  return out;
}

Result<BlobPart> DecodeBlobPart(std::string_view payload) {
  ByteReader r(payload);
  BlobPart p;
  std::string_view name, data;
  if (!r.Str16(&name, 1024) || !r.U64(&p.total_size) || !r.U64(&p.offset) ||
      !r.View(r.remaining(), &data)) {
    return Status::Corruption("blob part: truncated");
  }
  if (p.offset > p.total_size || data.size() > p.total_size - p.offset) {
    return Status::Corruption("blob part: range beyond total size");
  }
  p.name = std::string(name);
  p.data = std::string(data);
  return p;
}

std::string EncodeSamples(const std::vector<double>& values) {
  std::string out;
  out.reserve(values.size() * 8);
  ByteWriter w(&out);
  for (double v : values) w.F64(v);
  return out;
}

Result<std::vector<double>> DecodeSamples(std::string_view payload, uint16_t channels) {
  if (payload.size() != size_t{channels} * 8) {
    return Status::Corruption("sample payload of " + std::to_string(payload.size()) +
                              " bytes for " + std::to_string(channels) + " channels");
  }
  std::vector<double> out(channels);
  ByteReader r(payload);
  for (auto& v : out) (void)r.F64(&v);  // cannot fail: the size was checked above
  return out;
}

const char* PriorityName(Priority p) {
  switch (p) {
    case Priority::kAlarm:
      return "alarm";
    case Priority::kHigh:
      return "high";
    case Priority::kNormal:
      return "normal";
    case Priority::kBulk:
      return "bulk";
  }
  return "?";
}

const char* KindName(RecordKind k) {
  switch (k) {
    case RecordKind::kSamples:
      return "samples";
    case RecordKind::kBlob:
      return "blob";
    case RecordKind::kEvent:
      return "event";
    case RecordKind::kResult:
      return "result";
  }
  return "?";
}

}  // namespace tern
