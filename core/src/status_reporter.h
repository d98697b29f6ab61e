// The core's status: composed from the facts each part of the core reports, written
// atomically to <data_dir>/status.json (read by ternctl, the site runner and the tests) and
// kept in memory for the HTTP API. It also keeps the two facts the control board shows
// (which edges are live, whether one is down) for the board's thread.
// Thread-safety: Report from one thread at a time (the commit worker, then Stop); Json,
// live_mask, edge_down and store_fill_permille from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "tern/common/metrics.h"

namespace tern::core {

// What the status file says, gathered from the core's parts.
struct StatusFacts {
  std::string name;
  bool connected = false;
  bool broker_heard = false;  // BrokerHearing::heard(): the core's echo comes back
  uint32_t addr = 0;
  int http_port = -1;
  int64_t spool_depth = -1;      // -1: unknown
  int64_t manifest_chunks = -1;  // -1: unknown
  size_t results_placing = 0;
  size_t excess_pending = 0;
  nlohmann::json scheduler;                        // ProcessingLoop::StatusJson(), null if none
  nlohmann::json nodes = nlohmann::json::array();  // Membership::ToStatusJson()
  nlohmann::json board;                            // BoardControl::Snapshot(), null if no board
  uint8_t live_mask = 0;                           // Membership::LiveMask()
  bool edge_down = false;                          // Membership::AnyDown()
  int store_fill_permille = -1;                    // Membership::StoreFillPermille()
};

class StatusReporter {
 public:
  // Writes to `path`; `m` supplies the counters and counts status_write_errors.
  StatusReporter(std::string path, Metrics* m) : path_(std::move(path)), m_(m) {}

  // The status object for `facts` and `counters`. No I/O.
  static nlohmann::json Compose(const StatusFacts& facts,
                                const std::map<std::string, int64_t>& counters);
  // Composes, keeps and writes the status. A file that cannot be written is counted, not
  // fatal: the status is for readers, the core goes on without it.
  void Report(const StatusFacts& facts);

  // The last status reported (null before the first).
  nlohmann::json Json() const;
  uint8_t live_mask() const { return live_mask_; }
  bool edge_down() const { return edge_down_; }
  int store_fill_permille() const { return store_fill_permille_; }

 private:
  std::string path_;
  Metrics* m_;
  mutable std::mutex mu_;
  nlohmann::json last_;
  std::atomic<uint8_t> live_mask_{0};
  std::atomic<bool> edge_down_{false};
  std::atomic<int> store_fill_permille_{-1};
};

}  // namespace tern::core
