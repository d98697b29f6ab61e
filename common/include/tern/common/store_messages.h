// The store protocol: what the core asks of a store over the gateway, and what stores tell it
// about the copies they really hold. No node ever opens another node's files; block reports,
// copies, reads and scrub findings all travel as these messages (JSON control messages like
// those of messages.h: "v", "type", strict non-throwing Decode()).
//
// Who sends what (topics in protocol.h; <n> is the sender's name, <to> the receiver's):
//   core -> store  down/<to>:        DigestRequest, Copy, Get, AnalyzeTask  (and messages.h's
//                                    Delete, Restate)
//   store -> core  stored/<n>:       BlockReport, Corrupt      (and messages.h's Stored, Dropped)
//   store -> core  peer/<n>/<core>:  CopyNack, GetNack, AnalyzeAnswer, and the binary envelope
//                                    EnvelopeType::kGot answering a Get (request = its req)
//   store -> store put/<n>/<to>:     a Copy is carried out as an ordinary put envelope with the
//                                    origin's signature kept from the copy's own arrival; the
//                                    target verifies it and says `stored` to the core as for
//                                    any put, which is how the core learns a copy succeeded.
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/status.h"

namespace tern::msg {

// Most entries one block-report page may carry (a page of 4096 entries is ~330 KB of JSON,
// well under kMaxControlBytes). Stores send at most kBlockReportPage per page.
inline constexpr size_t kMaxBlockReportEntries = 4096;
inline constexpr size_t kBlockReportPage = 2000;

// core -> store: send a full block report now, its pages carrying `report`. With `rehash` the
// store re-reads every chunk and lists those whose bytes do not hash to their id as corrupt
// (a full scrub at once; `ternctl verify` asks for it).
struct DigestRequest {
  static constexpr const char* kType = "digest";
  uint64_t report = 0;
  bool rehash = false;
  std::string Encode() const;
  static Result<DigestRequest> Decode(const nlohmann::json& j);
};

// One chunk a store holds: its id (the SHA-256 of its bytes) and its size in bytes.
struct BlockEntry {
  ChunkId id;
  uint64_t bytes = 0;
};

// store -> core: one page of a full block report. Pages of one report share `report` (the
// core's DigestRequest::report, or a store-chosen id for the report it sends on each start),
// are numbered from 0, and the last has `last`; `total` is the number of chunks in the whole
// report (the same on every page). `corrupt` lists chunks found corrupt (rehash only), which
// are not in `chunks`. Incremental reports after a full one are the Stored / Dropped /
// Corrupt notices themselves.
struct BlockReport {
  static constexpr const char* kType = "block_report";
  uint32_t holder = 0;
  uint64_t report = 0;
  uint32_t page = 0;
  bool last = false;
  uint64_t total = 0;
  std::vector<BlockEntry> chunks;
  std::vector<ChunkId> corrupt;
  std::string Encode() const;
  static Result<BlockReport> Decode(const nlohmann::json& j);
};

// store -> core: my copy of `id` failed its hash (found by scrub or by a read); I no longer
// serve it and have removed it from my store. `reason` says where it was found.
struct Corrupt {
  static constexpr const char* kType = "corrupt";
  ChunkId id;
  uint32_t holder = 0;
  std::string reason;
  std::string Encode() const;
  static Result<Corrupt> Decode(const nlohmann::json& j);
};

// core -> store (a live holder of `id`): send your copy to store `to` (name) at address
// `to_addr` as a put. `req` identifies the repair task in the answers.
struct Copy {
  static constexpr const char* kType = "copy";
  ChunkId id;
  std::string to;
  uint32_t to_addr = 0;
  uint64_t req = 0;
  std::string Encode() const;
  static Result<Copy> Decode(const nlohmann::json& j);
};

// store -> core: the Copy `req` of `id` to `to` could not be carried out (not held, corrupt,
// no origin signature kept, ...).
struct CopyNack {
  static constexpr const char* kType = "copy_nack";
  ChunkId id;
  uint32_t holder = 0;
  std::string to;
  uint64_t req = 0;
  std::string reason;
  std::string Encode() const;
  static Result<CopyNack> Decode(const nlohmann::json& j);
};

// core -> store: send me the bytes of `id` (an EnvelopeType::kGot envelope with request = req
// on peer/<store>/<core>); a store never sends bytes whose hash does not match the id.
struct Get {
  static constexpr const char* kType = "get";
  ChunkId id;
  uint64_t req = 0;
  std::string Encode() const;
  static Result<Get> Decode(const nlohmann::json& j);
};

// store -> core: the Get `req` of `id` cannot be answered (not held, corrupt, ...).
struct GetNack {
  static constexpr const char* kType = "get_nack";
  ChunkId id;
  uint32_t holder = 0;
  uint64_t req = 0;
  std::string reason;
  std::string Encode() const;
  static Result<GetNack> Decode(const nlohmann::json& j);
};

// Most chunks one analysis task may name (a 10 s window of four sources with 20 ms chunks
// has 2,000; 4,096 ids are ~275 KB of JSON, well under kMaxControlBytes), and most wire
// bytes a store reads for one task. The core computes a larger window itself.
inline constexpr size_t kMaxTaskChunks = 4096;
inline constexpr uint64_t kMaxTaskBytes = uint64_t{512} << 20;

// One run of a series in an analysis task: the chunks seq_first..seq_last (every number,
// at most kMaxTaskChunks) of `source` from `origin`, whose first records are stamped
// (HLC) within [t_lo, t_hi]. The stamps let a store find the run through its
// (origin, source, t_first) index; the numbers say exactly which chunks are meant.
struct TaskSeries {
  uint32_t origin = 0;
  std::string source;
  uint64_t seq_first = 0, seq_last = 0;
  uint64_t t_lo = 0, t_hi = 0;
  bool operator==(const TaskSeries&) const = default;
};

// The check value of a task's chunk list: SHA-256 over the ids one after another, in the
// task's order. A store that resolved a task's series into ids compares it with the task's
// `digest`, so it runs over exactly the chunks the core meant, or not at all.
ChunkId TaskDigest(const std::vector<ChunkId>& ids);

// core -> store (a holder of every chunk named): run the window task (analysis window_task.h)
// over these chunks with these parameters and answer with an AnalyzeAnswer carrying `req`.
// The chunks are named in one of two ways, exactly one present:
//   `chunks`  their ids, non-empty, without repeats, at most kMaxTaskChunks;
//   `series`  runs of series (TaskSeries, non-empty, at most kMaxTaskChunks chunks in all,
//             each run seq_first <= seq_last, t_lo <= t_hi) in the order of the chunk list,
//             with `digest` = TaskDigest of the ids they stand for. A few dozen bytes per
//             series instead of 67 per chunk: a window of 20 ms chunks is hundreds of ids.
// `params` is an object (checked by the store with TaskParams::FromJson).
struct AnalyzeTask {
  static constexpr const char* kType = "analyze";
  uint64_t req = 0;
  std::vector<ChunkId> chunks;
  std::vector<TaskSeries> series;
  ChunkId digest{};  // with `series`
  nlohmann::json params = nlohmann::json::object();
  // Chunks the task names: chunks.size(), or the sum of the series' runs.
  uint64_t ChunkCount() const;
  std::string Encode() const;
  static Result<AnalyzeTask> Decode(const nlohmann::json& j);
};

// store -> core: the outcome of AnalyzeTask `req` at `holder`: the task's `output` object, or
// `error` (not held, corrupt, busy, bad parameters, ...); exactly one of the two. `compute_ms`
// is the time the store spent reading and computing.
struct AnalyzeAnswer {
  static constexpr const char* kType = "analyze_answer";
  uint64_t req = 0;
  uint32_t holder = 0;
  nlohmann::json output;  // an object when error is empty
  std::string error;
  uint64_t compute_ms = 0;
  std::string Encode() const;
  static Result<AnalyzeAnswer> Decode(const nlohmann::json& j);
};

}  // namespace tern::msg
