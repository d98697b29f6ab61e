// Turns a processed chunk's processor outputs into result chunks: each output becomes a
// one-record chunk (origin: the core's own address; source r/<edge>/<source>/<processor>;
// alarm priority when it found anomalies; parents: the chunks it covers), a row in core.db's
// results with its links to the source chunks, and a `result` note for the edge
// (`down/<name>`) and for outside readers (`x/results/<edge>/<source>/<processor>`, and
// `x/alarms/<edge>/<source>` with anomalies). A result chunk carries its source chunk's tags
// and is indexed for search (search_index.h) with notes on its processor and anomalies, in
// the transaction that records it. The source chunk leaves the spool in the same
// transaction, so a chunk is processed once whatever happens around it.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "batch.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/core/manifest.h"
#include "tern/core/processing.h"

namespace tern::core {

// One built result: the row for core.db (its wire bytes included), its search index entry
// (the source chunk's tags, notes on processor and anomalies) and the note announcing it.
struct BuiltResult {
  Manifest::ResultRow row;
  SearchDoc search;
  std::string note;  // msg::ResultNote, encoded
};

class ResultBuilder {
 public:
  // `m` counts results and alarms.
  ResultBuilder(uint32_t core_addr, Topics topics, Manifest* db, Metrics* m)
      : core_addr_(core_addr), topics_(std::move(topics)), db_(db), m_(m) {}

  // Builds the result chunk for `out`, computed from source chunk `id` (header `src`) of the
  // edge named `origin_name`. No I/O.
  [[nodiscard]] Result<BuiltResult> Build(const ChunkId& id, const ChunkHeader& src,
                                          const ProcessorOutput& out,
                                          const std::string& origin_name) const;

  struct Recorded {
    std::vector<Manifest::ResultRow> results;  // to place on stores
    std::vector<Outgoing> notes;               // to publish after the commit
    std::vector<ChunkId> known;                // Record: results that were recorded before
  };
  // Inside the worker's transaction: unspools chunk `id` and records a result for each
  // output. Nothing is recorded if the chunk was no longer spooled.
  Recorded OnProcessed(const ChunkId& id, const ChunkHeader& src,
                       const std::vector<ProcessorOutput>& outs, const std::string& origin_name);
  // Inside the worker's transaction: records a result for each output as OnProcessed does,
  // without touching the spool (analysis jobs over stored chunks, core_analysis.cpp). A
  // result already recorded (the same output of the same chunks: the same id) is skipped,
  // so a job run twice records and places its results once.
  Recorded RecordResults(const ChunkId& id, const ChunkHeader& src,
                         const std::vector<ProcessorOutput>& outs, const std::string& origin_name);

 private:
  uint32_t core_addr_;
  Topics topics_;
  Manifest* db_;
  Metrics* m_;
};

}  // namespace tern::core
