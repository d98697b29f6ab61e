// Reconciliation: the stores' full block reports against the manifest. A store sends a full
// report (BlockReport pages on stored/<n>) when it starts and whenever the core asks with a
// DigestRequest, which the core does for every live store every `reconcile.interval`. The
// Reconciler assembles each holder's pages (one report per holder at a time, at most
// max_entries chunk ids held across them; a report whose next page does not come within
// page_timeout, or comes out of order, is dropped: block_reports_dropped) and compares the
// complete report with the manifest's holder rows for that node:
//  - a row whose chunk the report lacks: the store is asked to `restate` it; only its
//    restate_nack removes the row (a copy committed after the report's snapshot is not
//    missing): reconcile_missing;
//  - a chunk the report lists that has no row: `restate` it, so the store's own signed
//    `stored` notice enters it: reconcile_extra;
//  - a chunk listed as corrupt, or a Corrupt notice: the row is removed at once (the store
//    has removed the copy): corrupt_copies, and a WARN naming chunk and node.
// Removed rows are returned so repair looks at those chunks again.
// Thread-safety: not thread-safe; the commit worker owns it; writes go into its transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "batch.h"
#include "membership.h"
#include "tern/common/log_throttle.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/common/store_messages.h"
#include "tern/core/manifest.h"

namespace tern::core {

struct ReconcileOptions {
  uint64_t interval_ms = 3'600'000;       // reconcile.interval: DigestRequest to each live store
  uint64_t page_timeout_ms = 60'000;      // a report whose next page is this late is dropped
  size_t max_entries = 4'000'000;         // chunk ids held across incomplete reports
  uint64_t restate_timeout_ms = 600'000;  // an unanswered restate is forgotten after this
  size_t max_restates = 1'000'000;        // restates awaiting an answer, at most
};

// One complete report compared with the manifest.
struct ReportFindings {
  uint32_t holder = 0;
  uint64_t report = 0;
  uint64_t chunks = 0;  // in the report
  std::vector<ChunkId> missing, extra, corrupt;
};

class Reconciler {
 public:
  // `core_addr`: where stores send restate answers. Pointers outlive the Reconciler.
  Reconciler(ReconcileOptions o, uint32_t core_addr, Topics topics, Manifest* db,
             const Membership* members, Metrics* m)
      : o_(o),
        core_addr_(core_addr),
        topics_(std::move(topics)),
        db_(db),
        members_(members),
        m_(m) {}

  struct Outcome {
    std::vector<Outgoing> out;               // restates to publish after the commit
    std::vector<ChunkId> changed;            // chunks that lost a holder row
    std::optional<ReportFindings> complete;  // a report that just completed
  };
  // A page from `from` (the registered address of the topic's sender, 0 if none).
  Outcome OnPage(const msg::BlockReport& p, uint32_t from, const std::string& topic,
                 uint64_t now_ms, uint64_t wall_ms);
  Outcome OnCorrupt(const msg::Corrupt& c, uint32_t from, const std::string& topic);
  // A restate_nack from `from`: removes the row if reconciliation asked for it.
  Outcome OnRestateNack(const msg::RestateNack& n, uint32_t from);
  // `holder` stated it holds `id`: a restate that reconciliation asked is answered.
  void OnStored(const ChunkId& id, uint32_t holder) { restates_.erase({holder, id}); }
  // Drops stalled reports and old restates; returns the DigestRequests due (every interval,
  // each live store).
  std::vector<Outgoing> Tick(uint64_t now_ms);
  // A DigestRequest to `addr` now (verify); `*report` receives its report number.
  Outgoing Request(uint32_t addr, bool rehash, uint64_t now_ms, uint64_t* report);
  // Forgets what it knows of `addr` (a forgotten node).
  void Forget(uint32_t addr);

  // Wall ms of `addr`'s last complete report (0: none).
  uint64_t LastReportMs(uint32_t addr) const {
    auto it = last_report_ms_.find(addr);
    return it == last_report_ms_.end() ? 0 : it->second;
  }
  // Wall ms since when every live store has sent a complete report (0: some never did).
  uint64_t LastFullMs() const;

 private:
  struct Pending {
    uint64_t report = 0;
    uint32_t next_page = 0;
    uint64_t last_ms = 0;
    std::vector<ChunkId> ids, corrupt;
  };
  bool FromHolder(const char* kind, uint32_t holder, uint32_t from, const std::string& topic);
  void Drop(uint32_t holder, const std::string& why);
  ReportFindings Compare(uint32_t holder, uint64_t report, Pending p, Outcome& o, uint64_t now_ms);
  void AskRestate(uint32_t holder, const ChunkId& id, Outcome& o, uint64_t now_ms);
  void RemoveCorrupt(uint32_t holder, const ChunkId& id, const std::string& where, Outcome& o);

  ReconcileOptions o_;
  uint32_t core_addr_;
  Topics topics_;
  Manifest* db_;
  const Membership* members_;
  Metrics* m_;
  std::map<uint32_t, Pending> pending_;
  size_t pending_entries_ = 0;
  std::map<std::pair<uint32_t, ChunkId>, uint64_t> restates_;  // (holder, id) -> asked ms
  std::map<uint32_t, uint64_t> last_report_ms_, last_digest_ms_;
  uint64_t next_report_ = 0;
  LogThrottle missing_log_{10000, 20};
};

}  // namespace tern::core
