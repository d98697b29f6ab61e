// One `GET /api/v1/verify`: the core asks every live store for a full block report now
// (DigestRequest, with rehash if asked), the HTTP thread waits until each answered or the
// wait is over, and the document compares the answers with the manifest: chunks by good
// copies, missing (listed in the manifest, absent from the holder's report), extra (reported,
// not in the manifest), corrupt, under-replicated and lost chunks, the stores that answered
// and those that stayed silent, and the first 100 problems.
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
  // copies each chunk should have.
  nlohmann::json Document(const std::vector<ChunkRecord>& all,
                          const std::function<bool(uint32_t)>& good, int copies) const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, std::pair<uint32_t, std::string>> asked_;
  std::map<uint64_t, ReportFindings> answered_;  // guarded by mu_
};

}  // namespace tern::core
