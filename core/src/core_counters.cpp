// The core's counter and gauge table: see core_counters.h.
#include "core_counters.h"

namespace tern::core {

const std::vector<CounterDoc>& CoreCounterDocs() {
  // Keep in step with docs/http-api.md, "Core counters".
  static const std::vector<CounterDoc> kDocs = {
      {"uplinks", "chunks taken from an origin's uplink (first sendings and resends)"},
      {"acks", "chunks acked to their origin (three holders in the manifest), once each"},
      {"acks_repeated", "acks sent again because the origin sent the chunk again"},
      {"stored_notices", "stored notices recorded (a store says it holds a copy)"},
      {"results_placed",
       "the core's own chunks (analysis results, board events) placed on three stores"},
      {"rejected_up", "uplink messages refused (unregistered sender, bad envelope or chunk)"},
      {"rejected_stored", "stored/dropped notices refused (not from the holder they name)"},
      {"rejected_hb", "heartbeats refused (unregistered address, wrong sender)"},
      {"rejected_register", "registration requests refused (malformed, bad name or certificate)"},
      {"refused_unknown_sender", "statements from a node with no enrolled key"},
      {"refused_bad_signature", "statements or chunks whose signature does not verify"},
      {"refused_replay", "statements whose sequence number was seen before or is too old"},
      {"nodes_registered", "nodes given a new address"},
      {"nodes_suspect", "transitions of a node into suspect"},
      {"nodes_offline", "transitions of a node into offline (its Last Will or offline notice)"},
      {"nodes_dead", "transitions of a node into dead"},
      {"nodes_drained", "nodes marked draining (POST /api/v1/nodes/{name}/drain)"},
      {"nodes_forgotten", "nodes forgotten (POST /api/v1/nodes/{name}/forget)"},
      {"broker_silences", "gaps in which the core's echo did not come back through the broker"},
      {"excess_copies_found", "excess copies asked to be deleted (first request per chunk)"},
      {"excess_copies_removed", "excess copies whose holder confirmed the drop"},
      {"excess_delete_retries", "deletes of excess copies asked again after 10 s unconfirmed"},
      {"excess_requests_cleared",
       "unconfirmed deletes forgotten: the chunk is gone or no longer has an excess copy"},
      {"repair_copies_requested", "repair copies asked of a source store"},
      {"repair_copies_done", "repair copies the target confirmed"},
      {"repair_copy_failures", "repair copies refused or not confirmed in time"},
      {"repair_bytes", "bytes of confirmed repair copies"},
      {"reconcile_missing", "manifest copies a block report lacked and the store confirmed gone"},
      {"reconcile_extra", "copies a block report listed that the manifest did not record"},
      {"corrupt_copies", "copies removed from the manifest as corrupt (scrub or block report)"},
      {"block_reports", "complete block reports compared with the manifest"},
      {"block_reports_dropped", "block reports dropped (pages stopped, out of order, too big)"},
      {"manifest_errors", "failed manifest reads or writes inside a transaction"},
      {"manifest_commit_errors",
       "manifest transactions that failed to commit (rolled back; senders resend)"},
      {"publish_failures", "messages the core could not publish after a commit"},
      {"handler_errors", "messages whose handler threw (that message only is lost)"},
      {"http_unauthorized", "HTTP requests refused with 401"},
      {"http_forbidden", "HTTP requests refused with 403"},
      {"http_rejected_busy", "HTTP requests refused with 429"},
      {"chunks_processed", "spooled chunks the analysis processors ran over"},
      {"records_processed", "records in the chunks the analysis processors ran over"},
      {"processing_errors", "chunks whose analysis failed (undecodable records, processor error)"},
      {"processing_redone", "commits that handed chunks to analysis again after a restart"},
      {"spool_corrupt", "spooled chunks that did not decode (dropped from the spool)"},
      {"schedule_errors", "spooled chunks the analysis scheduler could not queue"},
      {"results", "analysis results built"},
      {"alarms", "analysis results with anomalies (alarms) built"},
      {"result_refusals", "result copies a store refused"},
      {"result_resends", "result copies sent again because a store had not confirmed"},
      {"throttled", "uplinks answered with a throttle (the spool is over its bound)"},
      {"refused_seq_reuse",
       "uplinks refused: another chunk was acked under the same source and sequence"},
      {"refused_permission", "uplinks refused: the edge's settings do not permit that class"},
      {"refused_duplicate_name",
       "registrations refused: another live process already uses that node name"},
      {"refused_not_will", "offline notices refused (not the sender's own Last Will)"},
      {"refused_wrong_holder", "stored/dropped notices naming a holder other than the sender"},
      {"seal_errors", "outgoing statements that could not be sealed (signed)"},
      {"settings_sent", "edge settings published to edges"},
      {"stores_returned_empty", "known stores that registered again with an empty store"},
      {"certs_replaced", "nodes whose enrolled certificate was replaced at registration"},
      {"reconcile_restates_skipped", "restate requests of a reconcile pass left for the next"},
      {"clock_skew_warnings", "heartbeats whose wall clock was off the core's by too much"},
      {"unknown_types", "messages of an unknown type on a known topic"},
      {"status_write_errors", "status.json writes that failed"},
      {"broker_failovers", "MQTT reconnections to another broker of mqtt.brokers"},
      {"mqtt_identity_conflicts", "times the broker dropped the core for a client id in use"},
      {"msmve_windows_skipped", "analysis windows the msmve processor skipped (too few records)"},
      {"board_events", "control board events recorded in core.db as records of the source board"},
      {"board_events_dropped",
       "control board events lost: the recorder was behind (queue full) or recording failed"},
      {"analysis_jobs", "analysis jobs run (POST /api/v1/analysis)"},
      {"analysis_windows_at_holders", "job windows computed by a store holding all their chunks"},
      {"analysis_windows_at_core", "job windows computed by the core (no holder of the whole window, a failed task, or at core)"},
      {"analysis_task_failures", "analysis tasks a holder answered with an error or did not answer within 60 s"},
      {"analysis_bytes_fetched", "chunk bytes the core read from holders to compute windows itself"},
      {"analysis_answers_refused", "answers to analysis tasks dropped (not from the store asked, unknown or finished task)"},
      {"chunk_reads", "chunk bytes served (GET /api/v1/chunks/{id}/bytes): spool, cache or holder"},
      {"chunk_read_failures", "chunk reads answered 503: no live holder sent a good copy"},
      {"chunk_read_refused", "answers to chunk reads dropped (wrong sender, request or id)"},
      {"cache_hits", "chunk reads served from the core's read cache"},
      {"cache_misses", "chunk reads the read cache did not have (counted while it is on)"},
      {"cache_evictions", "chunks dropped from the read cache to keep cache.max_bytes"},
      {"search_bad_requests", "searches refused with 400 (bad parameters or query syntax)"},
  };
  return kDocs;
}

const std::vector<GaugeDoc>& CoreGaugeDocs() {
  static const std::vector<GaugeDoc> kGauges = {
      {"repair_queue", "tern_core_repair_queue",
       "chunks waiting for a repair copy (fewer good copies than manifest.copies)"},
      {"repair_in_flight", "tern_core_repair_in_flight",
       "repair copies asked of a source store and not yet confirmed"},
      {"repair_bytes_per_s", "tern_core_repair_bytes_per_second",
       "bytes of repair copies confirmed per second, over the last 10 s"},
      {"under_replicated_1", "tern_core_under_replicated_1",
       "acked chunks with exactly 1 good copy (not dead, not draining)"},
      {"under_replicated_2", "tern_core_under_replicated_2",
       "acked chunks with exactly 2 good copies"},
      {"missing_chunks", "tern_core_missing_chunks",
       "acked chunks with no good copy left (at the last full repair scan)"},
      {"placement_windows", "tern_core_placement_windows",
       "placement windows of the last hour with two or more acked chunks (at the last full scan)"},
      {"placement_colocated_windows", "tern_core_placement_colocated_windows",
       "of those, the windows whose every chunk is on the same manifest.copies - 1 good stores"},
      {"placement_colocated_permille", "tern_core_placement_colocated_permille",
       "co-located windows per thousand placement windows (-1: none to judge)"},
      {"reconcile_age_s", "tern_core_reconcile_age_seconds",
       "seconds since every live store last sent a complete block report (-1: some never did)"},
      {"clock_skew_nodes", "tern_core_clock_skew_nodes",
       "nodes whose last heartbeat's wall clock is off the core's by more than clock.max_skew"},
      {"mqtt_broker", "tern_core_mqtt_broker",
       "which broker of mqtt.brokers the core is connected to (1 = the first)"},
      {"cache_bytes", "tern_core_cache_bytes",
       "bytes of chunks in the core's read cache (at most cache.max_bytes)"},
      {"cache_entries", "tern_core_cache_entries", "chunks in the core's read cache"},
      // The board's figures come from its snapshot as tern_board_*.
      {"board_temp_c", "", ""},
      {"board_over_temp", "", ""},
  };
  return kGauges;
}

const GaugeDoc* FindCoreGauge(std::string_view key) {
  for (const auto& g : CoreGaugeDocs()) {
    if (g.key == key) return &g;
  }
  return nullptr;
}

std::string CoreCounterHelp(std::string_view name) {
  for (const auto& c : CoreCounterDocs()) {
    if (c.name == name) return std::string(c.help);
  }
  auto starts = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
  auto rest = [&](std::string_view p) { return std::string(name.substr(p.size())); };
  if (starts("refused_")) return "messages refused by the core for reason " + rest("refused_");
  if (starts("rejected_")) return "malformed or misdirected " + rest("rejected_") + " messages";
  if (starts("nodes_")) return "transitions of a node into " + rest("nodes_");
  if (starts("board_")) return "control board events: " + rest("board_");
  return "times the core counted " + std::string(name);
}

void DeclareCoreCounters(Metrics& m) {
  for (const auto& c : CoreCounterDocs()) (void)m.Counter(std::string(c.name));
}

}  // namespace tern::core
