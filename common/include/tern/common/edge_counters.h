// The edge's counters and gauges, one table with what each counts. tern-edge declares every
// counter at 0 when it starts (DeclareEdgeCounters), so its status.json, its heartbeat and
// the core's /metrics show each series from the first heartbeat rather than once something
// happened; the core takes the HELP text of tern_edge_* from the same table. It lives in
// common because both daemons read it. Counters named at run time (`refused_<reason>`,
// `rejected_<kind>`) are explained by their prefix. The ack latency histograms
// (ack_ms_<grade>_*) are not in it: AckHistograms in edge/src/shipper.h declares them.
// Thread-safety: immutable tables; Metrics is thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tern/common/metrics.h"

namespace tern {

// A counter or gauge an edge reports: its key in the heartbeat's counters, and for a gauge
// its /metrics family (empty for a counter: tern_edge_<key>_total).
struct EdgeCounterDoc {
  std::string_view key;
  std::string_view help;
  std::string_view gauge_family;
};

const std::vector<EdgeCounterDoc>& EdgeCounterDocs();
// The entry for `key`, or null if the table does not have it.
const EdgeCounterDoc* FindEdgeCounter(std::string_view key);
// What `key` counts: from the table, else from its prefix, else a sentence naming it.
std::string EdgeCounterHelp(std::string_view key);
// Creates every counter and gauge of the table in `m` at 0 (a gauge already set keeps its
// value).
void DeclareEdgeCounters(Metrics& m);

}  // namespace tern
