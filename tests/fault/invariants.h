// The fault battery's invariant check, made from what the stores really hold (their own
// SQLite files, read through LocalStore's read-only API) and the core's manifest:
//   - every chunk the core acked (and every analysis result it placed) is on three distinct stores
//   whose bytes hash to its id, or
//     is listed as under-replicated (1-2 good copies) or missing (none) with, for each store
//     that should hold it, why it does not (a store the test declared lost, or "no copy");
//   - no per-source record sequence number (in acked chunks) is duplicated, and none is skipped
//   unless the test
//     allows gaps for that origin (an edge restarted on an empty data directory starts above
//     the core's marks on purpose);
//   - no (origin, source, chunk seq) is acked under two chunk ids;
//   - the manifest names no holder whose store lacks the copy (unless the test lost it).
// A shortfall is a violation unless every store lacking the chunk was declared lost; the
// result says which, so a failing test prints it whole (Report()).
// Thread-safety: free function over a Site the caller owns; one thread.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "site.h"

namespace tern::testing {

struct InvariantOptions {
  // Edge index -> why its copies are gone ("store deleted", "store dead"): chunks lacking
  // a copy only there are under-replicated or missing, not violations.
  std::map<int, std::string> lost_stores;
  // Origins (addresses) whose record sequence may have gaps (never duplicates).
  std::set<uint32_t> gaps_allowed;
};

struct InvariantResult {
  int64_t acked = 0;           // chunks the manifest marks acked
  int64_t on_three = 0;        // of those, with three good copies on distinct stores
  int64_t records = 0;         // data records of acked chunks read from the stores (once each)
  int64_t stored_unacked = 0;  // distinct chunks in some store that the manifest has not acked
  std::vector<std::string> under_replicated;  // "chunk <id>: 2 good copies, lacks ... (why)"
  std::vector<std::string> missing;           // "chunk <id>: no good copy, ... (why)"
  std::vector<std::string> violations;        // anything the invariant forbids
  int64_t violation_count = 0;                // all of them (the list keeps the first 200)

  bool ok() const { return violation_count == 0; }
  // Everything above, one item per line, for a test's INFO() or MESSAGE().
  std::string Report() const;
};

// Checks the invariant on `site` (processes may be stopped or running; a running site may
// show chunks in flight as under three copies, so call it after the outboxes drain).
InvariantResult CheckInvariants(const Site& site, const InvariantOptions& options = {});

}  // namespace tern::testing
