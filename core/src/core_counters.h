// The core's counters and gauges, one table with what each counts: DeclareCoreCounters
// creates every counter at 0 when the core starts (a dashboard or alert rule sees each series
// from the first scrape, not only once something has happened), and /metrics takes its HELP
// text from the same table. docs/http-api.md, "Core counters", lists them (the integration
// test http_contract checks the table against a running core; metrics_test checks this
// table against /metrics). Counters named at run time — `refused_<reason>`,
// `rejected_<kind>`, `nodes_<state>` — are explained by their prefix.
// Thread-safety: the tables are immutable; Metrics is thread-safe; call Declare once at start.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tern/common/metrics.h"

namespace tern::core {

// A counter: its name in the core's Metrics (and /api/v1/status) and what it counts.
struct CounterDoc {
  std::string_view name;
  std::string_view help;
};

// A gauge kept among the counters (Metrics::Set): its key there, its /metrics family name
// (base units, as Prometheus names them) and what it says. An empty `family` means the value
// is not exported (another family says it better, e.g. the board's from its snapshot).
struct GaugeDoc {
  std::string_view key;
  std::string_view family;
  std::string_view help;
};

// Every counter the core declares at start, in the order docs/http-api.md lists them.
const std::vector<CounterDoc>& CoreCounterDocs();
// Every gauge the core keeps among its counters.
const std::vector<GaugeDoc>& CoreGaugeDocs();
// The gauge kept under `key`, or null if `key` is a counter.
const GaugeDoc* FindCoreGauge(std::string_view key);
// What counter `name` counts: from the table, else from its prefix, else a sentence naming it.
std::string CoreCounterHelp(std::string_view name);

// Creates every counter of CoreCounterDocs() in `m` at 0.
void DeclareCoreCounters(Metrics& m);

}  // namespace tern::core
