// One `GET /api/v1/verify`: the core asks every live store for a full block report now
// (DigestRequest, with rehash if asked), the HTTP thread waits until each answered or the
// wait is over, and the document compares the answers with the manifest: chunks by good
// copies, missing (listed in the manifest, absent from the holder's report), extra (reported,
// not in the manifest), corrupt, under-replicated and lost chunks, the stores that answered
// and those that stayed silent, and the first 100 problems.
// Chunks still moving are told apart from real problems: a manifest chunk is *in flight*
// when an edge's chunk is not yet acked (its producer still places it) or its newest record
// is younger than the round's window (placed a moment ago; for the core's result chunks,
// which are never acked, only this holds).
// Discrepancies of chunks in flight are counted under `in_flight`, not as problems, and do
// not make the document not ok; a copy that stays missing or a chunk that stays
// under-replicated past the window is a problem again.
// Thread-safety: thread-safe: the commit worker records reports and builds the document,
// the HTTP thread waits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reconciler.h"
#include "tern/core/holder_index.h"

namespace tern::core {

// When a chunk counts as in flight. `now_ms` 0: never (every discrepancy is a problem).
struct InFlightRule {
  uint64_t now_ms = 0;     // wall clock, ms since the epoch
  uint64_t window_ms = 0;  // a chunk whose newest record is younger than this is in flight
  uint32_t core_addr = 0;  // the core's own chunks (results) are never acked
  bool InFlight(const ChunkRecord& r) const;
};

class VerifyRound {
 public:
  // `asked`: report number -> the store asked for it (address, name).
  explicit VerifyRound(std::map<uint64_t, std::pair<uint32_t, std::string>> asked)
      : asked_(std::move(asked)) {}

  // A complete report (worker thread); false if it is not one this round asked for.
  bool OnReport(const ReportFindings& f);
  // Waits until every asked store answered, `timeout` passed or `stop` is set.
  void Wait(std::chrono::milliseconds timeout, const std::atomic<bool>& stop);
  // The document (worker thread). `good(addr)`: whether a copy on addr counts; `copies`: the
  // copies each chunk should have; `rule`: which chunks are still in flight.
  nlohmann::json Document(const std::vector<ChunkRecord>& all,
                          const std::function<bool(uint32_t)>& good, int copies,
                          const InFlightRule& rule = {}) const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::pair<uint32_t, std::string>> asked_;
  std::map<uint64_t, ReportFindings> answered_;  // guarded by mu_
};

}  // namespace tern::core
