// The core counters docs/http-api.md documents in its "Core counters" table, declared at 0
// when the core starts: a dashboard or alert rule sees each series from the first scrape,
// not only once something has happened. (Counters not listed appear when first counted.)
// The integration test http_contract checks the table against a running core.
// Thread-safety: Metrics is thread-safe; call once at start.
#pragma once

#include "tern/common/metrics.h"

namespace tern::core {

void DeclareCoreCounters(Metrics& m);

}  // namespace tern::core
