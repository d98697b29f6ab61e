// DeclareCoreCounters: see core_counters.h.
#include "core_counters.h"

namespace tern::core {

void DeclareCoreCounters(Metrics& m) {
  // Keep in step with docs/http-api.md, "Core counters" (the http_contract test reads it).
  static const char* const kNames[] = {
      "uplinks",
      "acks",
      "acks_repeated",
      "stored_notices",
      "results_placed",
      "rejected_up",
      "rejected_stored",
      "rejected_hb",
      "refused_unknown_sender",
      "refused_bad_signature",
      "refused_replay",
      "nodes_registered",
      "nodes_suspect",
      "nodes_dead",
      "nodes_drained",
      "nodes_forgotten",
      "broker_silences",
      "excess_copies_found",
      "excess_copies_removed",
      "excess_delete_retries",
      "excess_requests_cleared",
      "repair_copies_requested",
      "repair_copies_done",
      "repair_copy_failures",
      "repair_bytes",
      "reconcile_missing",
      "reconcile_extra",
      "corrupt_copies",
      "block_reports",
      "block_reports_dropped",
      "manifest_errors",
      "manifest_commit_errors",
      "publish_failures",
      "handler_errors",
      "http_unauthorized",
      "http_forbidden",
      "http_rejected_busy",
  };
  for (const char* n : kNames) (void)m.Counter(n);
}

}  // namespace tern::core
