// ResultBuilder: see result_builder.h.
#include "result_builder.h"

#include <spdlog/spdlog.h>

#include "tern/common/bytes.h"
#include "tern/common/hlc.h"
#include "tern/common/messages.h"

namespace tern::core {
namespace {

// The note as published on x/results and x/alarms: third parties have no HLC, so beside the
// window analysed as HLC stamps (t_first, t_last) it carries their wall-clock ms and the
// core's wall clock when it recorded the result, which it publishes right after the commit
// (docs/schemas/x-result.schema.json). The edge's copy on down/<name> stays the bare note.
std::string ExportNote(const std::string& note, const ProcessorOutput& out) {
  nlohmann::json j = nlohmann::json::parse(note, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return note;  // cannot happen: the note is our own encoding
  j["t_first"] = out.t_first;
  j["t_last"] = out.t_last;
  j["t_first_ms"] = out.t_first >> 16;
  j["t_last_ms"] = out.t_last >> 16;
  j["wall_ms"] = WallMs();
  return j.dump();
}

}  // namespace

Result<BuiltResult> ResultBuilder::Build(const ChunkId& id, const ChunkHeader& src,
                                         const ProcessorOutput& out,
                                         const std::string& origin_name) const {
  msg::ResultNote note;
  note.processor = out.processor;
  note.origin = src.origin;
  note.origin_name = origin_name;
  note.source = src.source;
  note.source_chunk = id;
  note.source_seq = src.seq;
  note.source_chunks = out.sources.size();
  note.anomalies = out.anomalies;
  note.summary = out.summary;
  // The chunk's one record is the note without its envelope fields (v, type, and the id,
  // which is the hash of this very chunk).
  nlohmann::json payload = nlohmann::json::parse(note.Encode());
  for (const char* k : {"v", "type", "id"}) payload.erase(k);

  ChunkHeader h;
  h.origin = core_addr_;
  h.source = "r/" + std::to_string(src.origin) + "/" + src.source + "/" + out.processor;
  h.kind = RecordKind::kResult;
  h.priority = out.anomalies > 0 ? Priority::kAlarm : Priority::kNormal;
  h.codec = Codec::kRaw;
  h.seq = src.seq;
  h.t_first = out.t_first;
  h.t_last = out.t_last;
  h.parents = out.sources;
  h.tags = src.tags;  // what the data is about holds for what was computed from it
  TERN_ASSIGN_OR_RETURN(std::string wire,
                        BuildChunk(h, {Record{src.t_last, src.seq, payload.dump()}}));

  BuiltResult b;
  b.row.id = ChunkIdOf(wire);
  b.row.origin = src.origin;
  b.row.source = src.source;
  b.row.processor = out.processor;
  b.row.t_first = out.t_first;
  b.row.t_last = out.t_last;
  b.row.anomalies = out.anomalies;
  b.row.summary = out.summary.dump();
  b.row.wire = std::move(wire);
  b.row.sources = out.sources;
  b.search = SearchIndex::ForChunk(b.row.id, h, origin_name);
  b.search.notes = SearchIndex::ResultNotes(out.processor, out.anomalies);
  note.id = b.row.id;
  b.note = note.Encode();
  return b;
}

ResultBuilder::Recorded ResultBuilder::OnProcessed(const ChunkId& id, const ChunkHeader& src,
                                                   const std::vector<ProcessorOutput>& outs,
                                                   const std::string& origin_name) {
  Recorded r;
  if (Status s = db_->Unspool(id); !s.ok()) {
    // Still spooled: the chunk is processed again after a restart, and nothing of this run
    // is recorded, so its results do not exist twice.
    m_->Add("manifest_errors");
    spdlog::error("core: unspooling chunk {}: {}", ToHex(id).substr(0, 16), s.ToString());
    return r;
  }
  return RecordResults(id, src, outs, origin_name);
}

ResultBuilder::Recorded ResultBuilder::RecordResults(const ChunkId& id, const ChunkHeader& src,
                                                     const std::vector<ProcessorOutput>& outs,
                                                     const std::string& origin_name) {
  Recorded r;
  for (const auto& out : outs) {
    auto b = Build(id, src, out, origin_name);
    if (!b.ok()) {
      m_->Add("processing_errors");
      spdlog::warn("core: building the {} result of chunk {}: {}", out.processor,
                   ToHex(id).substr(0, 16), b.status().ToString());
      continue;
    }
    if (auto known = db_->SourcesOf(b->row.id); known.ok() && !known->empty()) {
      r.known.push_back(b->row.id);
      continue;
    }
    Status s = db_->InsertResult(b->row);
    if (s.ok()) s = db_->search().Add(b->search);
    if (!s.ok()) {
      m_->Add("manifest_errors");
      spdlog::error("core: recording the {} result of chunk {}: {}", out.processor,
                    ToHex(id).substr(0, 16), s.ToString());
      continue;
    }
    m_->Add("results");
    const std::string path = origin_name + "/" + src.source;
    r.notes.push_back({topics_.Down(origin_name), b->note});
    const std::string exported = ExportNote(b->note, out);
    r.notes.push_back({topics_.Export("results/" + path + "/" + out.processor), exported});
    if (out.anomalies > 0) {
      m_->Add("alarms");
      spdlog::warn("core: {} anomalies in {} chunk {} (seq {})", out.anomalies, path,
                   ToHex(id).substr(0, 12), src.seq);
      r.notes.push_back({topics_.Export("alarms/" + path), exported});
    }
    r.results.push_back(std::move(b->row));
  }
  return r;
}

}  // namespace tern::core
