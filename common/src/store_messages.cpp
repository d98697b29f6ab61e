// Encode/Decode of the store protocol's messages (store_messages.h). Decoders read only
// through the non-throwing field readers of protocol.h and check every range they rely on;
// block-report pages are bounded before a single entry is read.
#include "tern/common/store_messages.h"

#include <algorithm>

#include "tern/common/bytes.h"
#include "tern/common/chunk.h"
#include "tern/common/messages.h"
#include "tern/common/protocol.h"

namespace tern::msg {
namespace {

Status Bad(const char* type, const std::string& why) {
  return Status::InvalidArgument(std::string(type) + ": " + why);
}

template <typename T>
Result<T> In(const char* type, Result<T> r) {
  if (!r.ok()) return r.status().WithContext(type);
  return r;
}

Result<bool> OptBool(const nlohmann::json& j, const char* name, bool def) {
  auto it = j.find(name);
  if (it == j.end()) return def;
  if (!it->is_boolean())
    return Status::InvalidArgument(std::string("field '") + name + "' is not a boolean");
  return it->get<bool>();
}

// A 64-digit hex chunk id held in a JSON value (an array entry, not a named field).
Result<ChunkId> IdOf(const nlohmann::json& v) {
  nlohmann::json holder = nlohmann::json::object();
  holder["id"] = v;
  return FieldChunkId(holder, "id");
}

}  // namespace

#define TERN_FIELD(lhs, expr) TERN_ASSIGN_OR_RETURN(lhs, In(kType, expr))

std::string DigestRequest::Encode() const {
  auto j = Control(kType);
  j["report"] = report;
  j["rehash"] = rehash;
  return j.dump();
}
Result<DigestRequest> DigestRequest::Decode(const nlohmann::json& j) {
  DigestRequest m;
  TERN_FIELD(m.report, FieldU64(j, "report"));
  TERN_FIELD(m.rehash, OptBool(j, "rehash", false));
  return m;
}

std::string BlockReport::Encode() const {
  auto j = Control(kType);
  j["holder"] = holder;
  j["report"] = report;
  j["page"] = page;
  j["last"] = last;
  j["total"] = total;
  auto& c = j["chunks"] = nlohmann::json::array();
  for (const auto& e : chunks) c.push_back(nlohmann::json::array({ToHex(e.id), e.bytes}));
  auto& bad = j["corrupt"] = nlohmann::json::array();
  for (const auto& id : corrupt) bad.push_back(ToHex(id));
  return j.dump();
}
Result<BlockReport> BlockReport::Decode(const nlohmann::json& j) {
  BlockReport m;
  TERN_FIELD(m.holder, FieldAddr(j, "holder"));
  TERN_FIELD(m.report, FieldU64(j, "report"));
  uint64_t page = 0;
  TERN_FIELD(page, FieldU64(j, "page"));
  if (page > 0xFFFFFFFFu) return Bad(kType, "field 'page' out of range");
  m.page = static_cast<uint32_t>(page);
  TERN_FIELD(m.last, OptBool(j, "last", false));
  TERN_FIELD(m.total, FieldU64(j, "total"));
  auto c = j.find("chunks");
  if (c == j.end() || !c->is_array()) return Bad(kType, "field 'chunks' missing or not an array");
  auto bad = j.find("corrupt");
  if (bad != j.end() && !bad->is_array()) return Bad(kType, "field 'corrupt' is not an array");
  const size_t n_bad = bad == j.end() ? 0 : bad->size();
  if (c->size() + n_bad > kMaxBlockReportEntries)
    return Bad(kType, "more than " + std::to_string(kMaxBlockReportEntries) + " entries");
  m.chunks.reserve(c->size());
  for (const auto& e : *c) {
    if (!e.is_array() || e.size() != 2 || !e[1].is_number_unsigned())
      return Bad(kType, "a 'chunks' entry is not [id, bytes]");
    auto id = IdOf(e[0]);
    if (!id.ok()) return Bad(kType, "a 'chunks' entry: " + id.status().message());
    m.chunks.push_back({std::move(id).value(), e[1].get<uint64_t>()});
  }
  if (n_bad > 0) {
    for (const auto& e : *bad) {
      auto id = IdOf(e);
      if (!id.ok()) return Bad(kType, "a 'corrupt' entry: " + id.status().message());
      m.corrupt.push_back(std::move(id).value());
    }
  }
  return m;
}

std::string Corrupt::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["holder"] = holder;
  j["reason"] = reason;
  return j.dump();
}
Result<Corrupt> Corrupt::Decode(const nlohmann::json& j) {
  Corrupt m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.holder, FieldAddr(j, "holder"));
  TERN_FIELD(m.reason, OptString(j, "reason", "hash mismatch", kMaxReason));
  return m;
}

std::string Copy::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["to"] = to;
  j["to_addr"] = to_addr;
  j["req"] = req;
  return j.dump();
}
Result<Copy> Copy::Decode(const nlohmann::json& j) {
  Copy m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.to, FieldString(j, "to", kMaxName));
  if (m.to.empty()) return Bad(kType, "field 'to' is empty");
  TERN_FIELD(m.to_addr, FieldAddr(j, "to_addr"));
  TERN_FIELD(m.req, FieldU64(j, "req"));
  return m;
}

std::string CopyNack::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["holder"] = holder;
  j["to"] = to;
  j["req"] = req;
  j["reason"] = reason;
  return j.dump();
}
Result<CopyNack> CopyNack::Decode(const nlohmann::json& j) {
  CopyNack m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.holder, FieldAddr(j, "holder"));
  TERN_FIELD(m.to, OptString(j, "to", "", kMaxName));
  TERN_FIELD(m.req, FieldU64(j, "req"));
  TERN_FIELD(m.reason, OptString(j, "reason", "no reason given", kMaxReason));
  return m;
}

std::string Get::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["req"] = req;
  return j.dump();
}
Result<Get> Get::Decode(const nlohmann::json& j) {
  Get m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.req, FieldU64(j, "req"));
  return m;
}

std::string GetNack::Encode() const {
  auto j = Control(kType);
  j["id"] = ToHex(id);
  j["holder"] = holder;
  j["req"] = req;
  j["reason"] = reason;
  return j.dump();
}
Result<GetNack> GetNack::Decode(const nlohmann::json& j) {
  GetNack m;
  TERN_FIELD(m.id, FieldChunkId(j, "id"));
  TERN_FIELD(m.holder, FieldAddr(j, "holder"));
  TERN_FIELD(m.req, FieldU64(j, "req"));
  TERN_FIELD(m.reason, OptString(j, "reason", "no reason given", kMaxReason));
  return m;
}

ChunkId TaskDigest(const std::vector<ChunkId>& ids) {
  std::string all;
  all.reserve(ids.size() * 32);
  for (const ChunkId& id : ids) all += id;
  return ChunkIdOf(all);
}

uint64_t AnalyzeTask::ChunkCount() const {
  uint64_t n = chunks.size();
  for (const TaskSeries& r : series) n += r.seq_last - r.seq_first + 1;
  return n;
}

std::string AnalyzeTask::Encode() const {
  auto j = Control(kType);
  j["req"] = req;
  if (series.empty()) {
    auto& c = j["chunks"] = nlohmann::json::array();
    for (const auto& id : chunks) c.push_back(ToHex(id));
  } else {
    auto& c = j["series"] = nlohmann::json::array();
    for (const TaskSeries& r : series) {
      c.push_back({{"origin", r.origin},
                   {"source", r.source},
                   {"seq_first", r.seq_first},
                   {"seq_last", r.seq_last},
                   {"t_lo", r.t_lo},
                   {"t_hi", r.t_hi}});
    }
    j["digest"] = ToHex(digest);
  }
  j["params"] = params;
  return j.dump();
}

namespace {

Result<TaskSeries> SeriesOf(const nlohmann::json& e) {
  if (!e.is_object()) return Status::InvalidArgument("not an object");
  TaskSeries r;
  TERN_ASSIGN_OR_RETURN(r.origin, FieldAddr(e, "origin"));
  TERN_ASSIGN_OR_RETURN(r.source, FieldString(e, "source", kMaxSourceName));
  TERN_ASSIGN_OR_RETURN(r.seq_first, FieldU64(e, "seq_first"));
  TERN_ASSIGN_OR_RETURN(r.seq_last, FieldU64(e, "seq_last"));
  TERN_ASSIGN_OR_RETURN(r.t_lo, FieldU64(e, "t_lo"));
  TERN_ASSIGN_OR_RETURN(r.t_hi, FieldU64(e, "t_hi"));
  if (r.source.empty()) return Status::InvalidArgument("field 'source' is empty");
  if (r.seq_first > r.seq_last) return Status::InvalidArgument("seq_first > seq_last");
  if (r.t_lo > r.t_hi) return Status::InvalidArgument("t_lo > t_hi");
  return r;
}

}  // namespace

Result<AnalyzeTask> AnalyzeTask::Decode(const nlohmann::json& j) {
  AnalyzeTask m;
  TERN_FIELD(m.req, FieldU64(j, "req"));
  auto c = j.find("chunks");
  auto s = j.find("series");
  if ((c == j.end()) == (s == j.end()))
    return Bad(kType, "exactly one of the fields 'chunks' and 'series' must be present");
  if (c != j.end()) {
    if (!c->is_array() || c->empty()) return Bad(kType, "field 'chunks' is empty or not an array");
    if (c->size() > kMaxTaskChunks)
      return Bad(kType, "more than " + std::to_string(kMaxTaskChunks) + " chunks");
    for (const auto& e : *c) {
      auto id = IdOf(e);
      if (!id.ok()) return Bad(kType, "a 'chunks' entry: " + id.status().message());
      if (std::find(m.chunks.begin(), m.chunks.end(), *id) != m.chunks.end())
        return Bad(kType, "chunk " + e.get<std::string>() + " named twice");
      m.chunks.push_back(std::move(id).value());
    }
  } else {
    if (!s->is_array() || s->empty()) return Bad(kType, "field 'series' is empty or not an array");
    if (s->size() > kMaxTaskChunks)
      return Bad(kType, "more than " + std::to_string(kMaxTaskChunks) + " series");
    uint64_t total = 0;
    for (const auto& e : *s) {
      auto r = SeriesOf(e);
      if (!r.ok()) return Bad(kType, "a 'series' entry: " + r.status().message());
      // Counted before adding, so a huge run cannot wrap the sum.
      const uint64_t run = r->seq_last - r->seq_first;
      if (run >= kMaxTaskChunks || total + run + 1 > kMaxTaskChunks)
        return Bad(kType, "more than " + std::to_string(kMaxTaskChunks) + " chunks");
      total += run + 1;
      m.series.push_back(std::move(r).value());
    }
    TERN_FIELD(m.digest, FieldChunkId(j, "digest"));
  }
  auto p = j.find("params");
  if (p != j.end()) {
    if (!p->is_object()) return Bad(kType, "field 'params' is not an object");
    m.params = *p;
  }
  return m;
}

std::string AnalyzeAnswer::Encode() const {
  auto j = Control(kType);
  j["req"] = req;
  j["holder"] = holder;
  if (error.empty()) {
    j["output"] = output;
  } else {
    j["error"] = error;
  }
  j["compute_ms"] = compute_ms;
  return j.dump();
}
Result<AnalyzeAnswer> AnalyzeAnswer::Decode(const nlohmann::json& j) {
  AnalyzeAnswer m;
  TERN_FIELD(m.req, FieldU64(j, "req"));
  TERN_FIELD(m.holder, FieldAddr(j, "holder"));
  TERN_FIELD(m.error, OptString(j, "error", "", kMaxReason));
  auto o = j.find("output");
  if (m.error.empty()) {
    if (o == j.end() || !o->is_object())
      return Bad(kType, "neither an 'error' nor an 'output' object");
    m.output = *o;
  } else if (o != j.end()) {
    return Bad(kType, "both an 'error' and an 'output'");
  }
  auto ms = j.find("compute_ms");
  if (ms != j.end()) {
    TERN_FIELD(m.compute_ms, FieldU64(j, "compute_ms"));
  }
  return m;
}

#undef TERN_FIELD

}  // namespace tern::msg
