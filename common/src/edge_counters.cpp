// The edge's counter table: see edge_counters.h.
#include "tern/common/edge_counters.h"

namespace tern {

const std::vector<EdgeCounterDoc>& EdgeCounterDocs() {
  static const std::vector<EdgeCounterDoc> kDocs = {
      // Collecting and sealing.
      {"records_collected", "records taken from the edge's sources", ""},
      {"records_refused", "records refused at admission (outbox full for their class)", ""},
      {"records_refused_permission", "records refused: the edge's settings do not permit the class",
       ""},
      {"records_refused_pressure",
       "records refused at admission by the disk-pressure ladder (bulk at no_bulk, all but alarms "
       "at alarms_only)",
       ""},
      {"chunks_sealed", "chunks sealed from collected records", ""},
      {"seal_errors", "chunks or statements that could not be sealed", ""},
      {"anomalies_injected", "synthetic anomalies the synthetic source injected (tests, demos)",
       ""},
      {"feed_bad_lines", "lines of a feed source that did not parse (skipped)", ""},
      {"feed_bad_tags", "feed records whose \"tags\" field was bad (record kept without it)", ""},
      {"feed_errors", "read errors of a feed source", ""},
      {"dropdir_files_stored", "files of a drop directory stored as records", ""},
      {"dropdir_errors", "files of a drop directory that could not be read or stored", ""},
      // The own chunks' way to the core.
      {"local_store_errors", "local commits of own chunks that failed (retried)", ""},
      {"grade_local", "own chunks durable in the local store", ""},
      {"records_local", "records in own chunks durable in the local store", ""},
      {"grade_peer1", "own chunks acknowledged by a first peer", ""},
      {"grade_peer2", "own chunks acknowledged by a second peer", ""},
      {"grade_core", "own chunks acked by the core (three holders recorded)", ""},
      {"core_acks_short", "core acks naming fewer than three holders", ""},
      {"core_refusals", "own chunks the core refused", ""},
      {"core_refusals_seq_reuse", "own chunks the core refused for a reused source sequence", ""},
      {"uplinks_throttled", "uplinks the core answered with a throttle", ""},
      {"uplink_resends", "uplinks sent again (no ack in time)", ""},
      {"outbox_missing_chunks", "outbox rows whose chunk was missing from the local store", ""},
      {"replica_refusals", "copies of own chunks a peer refused", ""},
      {"replica_resends", "copies of own chunks sent again to the same peer (no answer)", ""},
      {"replica_retargets", "copies of own chunks moved to another peer", ""},
      {"replica_waits", "replication steps that waited for enough live peers", ""},
      {"replica_probes", "peers asked whether they still hold a copy (after a restart)", ""},
      {"replicas_found", "copies a probe found already held by a peer", ""},
      {"put_acks_unasked", "put acks from a peer that was not asked for a copy", ""},
      {"seq_floors_applied", "sources whose next numbers were raised to the core's marks", ""},
      // Copies held for peers and the core.
      {"replicas_stored", "copies of peers' chunks stored", ""},
      {"replicas_duplicate", "copies of peers' chunks received again (already held)", ""},
      {"replicas_refused_pressure",
       "copies of peers' chunks refused by the disk-pressure ladder (answered put_nack)", ""},
      {"pressure_steps", "changes of the store's disk-pressure level, up or down", ""},
      {"replica_store_errors", "copies of peers' chunks that failed to store", ""},
      {"replica_id_collisions", "copies whose id was held with different bytes (refused)", ""},
      {"replicas_dropped", "copies dropped at the core's request", ""},
      {"replica_drop_errors", "drops of copies that failed", ""},
      {"drops_deferred", "drops put off because the copy was still needed", ""},
      {"drain_drops", "copies dropped after the core drained this node", ""},
      {"replicas_restated", "copies restated (re-announced) to the core", ""},
      {"restated", "restate requests answered", ""},
      {"gets_served", "chunk reads served to the core or a peer", ""},
      {"get_nacks", "chunk reads refused (not held or failed its hash)", ""},
      {"analysis_tasks",
       "analysis tasks run here for the core (window tasks over chunks held here)", ""},
      {"analysis_task_errors",
       "analysis tasks answered with an error (not held, corrupt, busy, bad parameters)", ""},
      {"analysis_rows", "rows of the windows analysed here", ""},
      {"copies_sent", "repair copies sent to another store at the core's request", ""},
      {"copy_acks", "repair copies the target accepted", ""},
      {"copy_nacks", "repair copies refused by the target or not possible here", ""},
      {"corrupt_found", "held chunks found corrupt when read", ""},
      {"corrupt_reported", "corrupt chunks reported to the core", ""},
      {"quarantine_errors", "corrupt chunks that could not be quarantined", ""},
      {"block_reports_sent", "complete block reports sent to the core", ""},
      {"block_report_pages_sent", "block report pages sent to the core", ""},
      {"block_report_errors", "block reports that could not be read or sent", ""},
      // Scrub.
      {"scrub_passes", "complete scrub passes over the store", ""},
      {"scrub_chunks_checked", "chunks the scrubber hashed", ""},
      {"scrub_bytes_checked", "bytes the scrubber hashed", ""},
      {"scrub_corrupt_found", "chunks the scrubber found corrupt", ""},
      {"scrub_errors", "chunks the scrubber could not read", ""},
      // Control traffic.
      {"results_received", "analysis results about this edge's data received from the core", ""},
      {"alarms_received", "analysis results with anomalies (alarms) received from the core", ""},
      {"settings_received", "settings documents received from the core", ""},
      {"refused_unknown_sender", "messages from a node not in the member list", ""},
      {"refused_wrong_holder", "notices naming a holder other than their sender", ""},
      {"refused_stale_reply", "replies to requests this edge no longer waits for", ""},
      {"unknown_types", "messages of an unknown type on a known topic", ""},
      {"handler_errors", "messages whose handler threw (that message only is lost)", ""},
      {"address_conflicts", "messages showing another process uses this edge's address", ""},
      {"boot_not_saved", "boot numbers that could not be saved (disk full at start)", ""},
      {"clock_behind_last_stamp", "starts with a wall clock behind the last saved stamp", ""},
      {"status_write_errors", "status.json writes that failed", ""},
      {"publish_retries", "MQTT publishes retried", ""},
      {"publish_gave_up", "MQTT publishes given up after retries", ""},
      {"broker_failovers", "MQTT reconnections to another broker of mqtt.brokers", ""},
      {"mqtt_identity_conflicts", "times the broker dropped this edge for a client id in use", ""},
      // Gauges.
      {"disk_full", "1 while the last local commit failed on a full disk, else 0",
       "tern_edge_disk_full"},
      {"store_pressure_level",
       "the store's disk-pressure level: 0 normal, 1 demote, 2 no_bulk, 3 alarms_only",
       "tern_edge_store_pressure_level"},
      {"replication_blocked", "1 while copies cannot be placed (too few live peers, refusals)",
       "tern_edge_replication_blocked"},
      {"scrub_bytes_per_s", "bytes per second the scrubber reads at the moment",
       "tern_edge_scrub_bytes_per_second"},
      {"store_chunks", "chunks in the edge's local store (own and peers')",
       "tern_edge_store_chunks"},
      {"store_dedup_saved_bytes",
       "bytes the edge's store saves by keeping identical file contents once (store.dedup)",
       "tern_store_dedup_saved_bytes"},
      {"mqtt_broker", "which broker of mqtt.brokers the edge is connected to (1 = the first)",
       "tern_edge_mqtt_broker"},
      {"outbox_max_bytes", "the outbox bound (outbox.max_bytes)", "tern_edge_outbox_max_bytes"},
      {"disk_free_bytes", "bytes still free for the edge on its data directory's filesystem",
       "tern_edge_disk_free_bytes"},
      {"disk_size_bytes", "the size of the edge's data directory's filesystem",
       "tern_edge_disk_size_bytes"},
  };
  return kDocs;
}

const EdgeCounterDoc* FindEdgeCounter(std::string_view key) {
  for (const auto& d : EdgeCounterDocs()) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

std::string EdgeCounterHelp(std::string_view key) {
  if (const EdgeCounterDoc* d = FindEdgeCounter(key)) return std::string(d->help);
  auto starts = [&](std::string_view p) { return key.substr(0, p.size()) == p; };
  auto rest = [&](std::string_view p) { return std::string(key.substr(p.size())); };
  if (starts("refused_")) return "messages refused by the edge for reason " + rest("refused_");
  if (starts("rejected_")) return "malformed or misdirected " + rest("rejected_") + " messages";
  return "times the edge counted " + std::string(key);
}

void DeclareEdgeCounters(Metrics& m) {
  for (const auto& d : EdgeCounterDocs()) (void)m.Counter(std::string(d.key));
}

}  // namespace tern
