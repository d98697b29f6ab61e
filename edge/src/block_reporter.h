// Block reports: this store's full list of the chunks it holds, for the core to reconcile
// its manifest with (the store protocol, common/include/tern/common/store_messages.h). A
// report is read from SQLite in slices on the event loop (a page of ids by key per task, far
// fewer with `rehash`, which re-reads and re-hashes every chunk), so reading never holds
// the loop for long, and is sent when complete as BlockReport pages of at most
// msg::kBlockReportPage entries on stored/<self>, sealed like every statement to the core,
// holder = this store's address, `total` the exact number of chunks listed. With `rehash`,
// chunks whose bytes do not hash to their id are listed in `corrupt` (after the chunks) and
// condemned (Quarantine). Reports run independently of each other.
// Counters: block_reports_sent (complete reports), block_report_pages_sent,
// block_report_errors (a read failed: the report is abandoned, logged; the core asks again).
// Thread-safety: Start from any thread; the rest runs on the loop's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "event_loop.h"
#include "quarantine.h"
#include "reliable_publisher.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/common/store_messages.h"
#include "tern/edge/local_store.h"

namespace tern::edge {

class BlockReporter {
 public:
  // None of the pointers is owned; all outlive it.
  BlockReporter(uint32_t self, std::string name, Topics topics, LocalStore* store, EventLoop* loop,
                ReliablePublisher* publisher, Quarantine* quarantine, Metrics* m, std::string who)
      : self_(self),
        name_(std::move(name)),
        topics_(std::move(topics)),
        store_(store),
        loop_(loop),
        publisher_(publisher),
        quarantine_(quarantine),
        m_(m),
        who_(std::move(who)) {}

  // Starts full report `report` (the core's DigestRequest::report, or a store-chosen id).
  void Start(uint64_t report, bool rehash);

 private:
  struct Run {
    uint64_t report = 0;
    bool rehash = false;
    std::string cursor;  // the last id read
    std::vector<msg::BlockEntry> chunks;
    std::vector<ChunkId> corrupt;
  };
  void Step(const std::shared_ptr<Run>& r);
  void Send(const Run& r);

  const uint32_t self_;
  const std::string name_;
  const Topics topics_;
  LocalStore* store_;
  EventLoop* loop_;
  ReliablePublisher* publisher_;
  Quarantine* quarantine_;
  Metrics* m_;
  const std::string who_;
};

}  // namespace tern::edge
