// Chunk assembly: window, size and count bounds; blob splitting.
#include "tern/edge/chunker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tern::edge {
namespace {
constexpr size_t kRecordOverhead = 20;  // ts + seq + length prefix
constexpr size_t kBlobPartOverhead = 2 + 1024 + 16;
}  // namespace

Chunker::Chunker(uint32_t origin, uint32_t boot, HybridClock* clock, ChunkerOptions opts,
                 SealFn seal, AdmitFn admit)
    : origin_(origin),
      boot_(boot),
      clock_(clock),
      opts_(opts),
      seal_(std::move(seal)),
      admit_(std::move(admit)) {}

void Chunker::AddSource(const SourceSpec& spec, uint64_t next_record_seq, uint64_t next_chunk_seq) {
  std::lock_guard<std::mutex> lk(mu_);
  Open& o = open_[spec.name];
  o.spec = spec;
  o.next_record_seq = next_record_seq;
  o.next_chunk_seq = next_chunk_seq;
}

void Chunker::RaiseFloor(const std::string& source, uint64_t next_record_seq,
                         uint64_t next_chunk_seq) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = open_.find(source);
  if (it == open_.end()) return;
  it->second.next_record_seq = std::max(it->second.next_record_seq, next_record_seq);
  it->second.next_chunk_seq = std::max(it->second.next_chunk_seq, next_chunk_seq);
}

Status Chunker::Add(const std::string& source, std::string payload,
                    const std::vector<std::string>& tags) {
  std::vector<SealedChunk> sealed;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = open_.find(source);
    if (it == open_.end()) return Status::NotFound("chunker: unknown source '" + source + "'");
    Open& o = it->second;
    size_t sz = payload.size() + kRecordOverhead;
    if (admit_) TERN_RETURN_IF_ERROR(admit_(o.spec, sz));
    if (o.records.empty()) o.first_us = MonotonicUs();
    o.records.push_back(Record{clock_->Now(), o.next_record_seq++, std::move(payload)});
    o.bytes += sz;
    if (!tags.empty()) MergeTags(&o.record_tags, tags);
    if (o.bytes >= opts_.max_bytes || o.records.size() >= opts_.max_records) {
      SealLocked(o, &sealed);
    }
    Emit(sealed);
  }
  return Status::Ok();
}

Status Chunker::AddBlob(const std::string& source, const std::string& name, const std::string& data,
                        std::function<void()> on_durable) {
  if (name.size() > 1024) return Status::InvalidArgument("blob name longer than 1024 bytes");
  std::vector<SealedChunk> sealed;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = open_.find(source);
    if (it == open_.end()) return Status::NotFound("chunker: unknown source '" + source + "'");
    Open& o = it->second;
    if (admit_) TERN_RETURN_IF_ERROR(admit_(o.spec, data.size()));
    const size_t part_max = opts_.max_bytes > 2 * kBlobPartOverhead
                                ? opts_.max_bytes - kBlobPartOverhead - kRecordOverhead
                                : 1024;
    size_t off = 0;
    do {
      size_t n = std::min(part_max, data.size() - off);
      BlobPart part{name, data.size(), off, data.substr(off, n)};
      std::string payload = EncodeBlobPart(part);
      size_t sz = payload.size() + kRecordOverhead;
      if (!o.records.empty() && o.bytes + sz > opts_.max_bytes) SealLocked(o, &sealed);
      if (o.records.empty()) o.first_us = MonotonicUs();
      o.records.push_back(Record{clock_->Now(), o.next_record_seq++, std::move(payload)});
      o.bytes += sz;
      off += n;
    } while (off < data.size());
    o.on_durable.push_back(std::move(on_durable));
    // A file is a natural boundary: seal now so it is durable without waiting a window.
    SealLocked(o, &sealed);
    Emit(sealed);
  }
  return Status::Ok();
}

void Chunker::Tick() {
  std::vector<SealedChunk> sealed;
  uint64_t now = MonotonicUs();
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (auto& [name, o] : open_) {
      if (!o.records.empty() && now - o.first_us >= opts_.window_ms * 1000) {
        SealLocked(o, &sealed);
      }
    }
    Emit(sealed);
  }
}

void Chunker::FlushAll() {
  std::vector<SealedChunk> sealed;
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (auto& [name, o] : open_) SealLocked(o, &sealed);
    Emit(sealed);
  }
}

void Chunker::SealLocked(Open& o, std::vector<SealedChunk>* out) {
  if (o.records.empty()) return;
  ChunkHeader h;
  h.origin = origin_;
  h.source = o.spec.name;
  h.kind = o.spec.kind;
  h.priority = o.spec.priority;
  h.codec = o.spec.codec.value_or(opts_.codec);
  h.boot = boot_;
  h.seq = o.next_chunk_seq++;
  h.channels = o.spec.channels;
  h.t_first = o.records.front().ts;
  h.t_last = o.records.back().ts;
  h.tags = o.spec.tags;
  if (size_t left_out = MergeTags(&h.tags, o.record_tags); left_out > 0) {
    spdlog::warn("chunker: source '{}': {} record tags left out of a chunk (at most {})", h.source,
                 left_out, kMaxChunkTags);
  }
  o.record_tags.clear();
  auto wire = BuildChunk(h, o.records);
  if (!wire.ok()) {  // only a bad source spec can cause this; it is a programming error
    spdlog::critical("chunker: cannot build chunk for '{}': {}", h.source,
                     wire.status().ToString());
    std::abort();
  }
  SealedChunk c;
  c.id = ChunkIdOf(*wire);
  c.wire = std::move(wire).value();
  h.record_count = static_cast<uint32_t>(o.records.size());
  c.header = std::move(h);
  c.first_collected_us = o.first_us;
  c.next_record_seq = o.next_record_seq;
  c.next_chunk_seq = o.next_chunk_seq;
  c.on_durable = std::move(o.on_durable);
  o.on_durable.clear();
  o.records.clear();
  o.bytes = 0;
  out->push_back(std::move(c));
}

void Chunker::Emit(std::vector<SealedChunk>& sealed) {
  for (auto& c : sealed) seal_(std::move(c));
}

}  // namespace tern::edge
