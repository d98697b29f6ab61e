// The edge agent (tern-edge): collectors -> chunker -> local store -> two peer stores and
// the core, with graded acknowledgements; plus the store service that keeps peers' replicas.
//
// Flow of one own chunk: sealed by the chunker; committed (fsync) to the local store with an
// outbox row ("local"); sent to `replicas` live peers, the first in the rendezvous order of its
// placement group and window (placement.h; "1 peer", "2 peers" as their put_acks arrive) and
// uplinked to the core; finished when
// the core's ack arrives, which the core sends only after its manifest commit shows three
// holders ("core"). Only then does the outbox row go. Everything unacknowledged is resent
// on a timeout, after reconnects and after restarts (the outbox is durable), so a broker,
// peer or core outage delays chunks but loses none.
// Thread-safety: Start/Stop from one thread; CancelStart, StatusJson and metrics() from any.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tern/common/metrics.h"
#include "tern/common/status.h"
#include "tern/edge/options.h"

namespace tern::edge {

class EdgeAgent {
 public:
  // Validates options; nothing starts until Start().
  static Result<std::unique_ptr<EdgeAgent>> Create(const EdgeOptions& opts);
  ~EdgeAgent();

  // Opens the store, obtains this node's address from the core (waiting for it if this is
  // the first start), connects and starts collectors. Fails on store or config errors.
  Status Start();
  // Makes a Start() that waits for the core give up soon (Unavailable, naming what was
  // missing: the broker or the core); a later Start() gives up at once.
  void CancelStart();
  // Stops the collectors and seals the open chunks; replication, acks and the store service
  // go on (SIGUSR1: the site runner stops ingest before its final check). After Start.
  void StopCollecting();
  // Stops collectors, commits what they produced, says goodbye, disconnects.
  void Stop();

  // A snapshot: counters, outbox, window, latency per ack grade. Also written to
  // <data_dir>/status.json periodically.
  nlohmann::json StatusJson() const;
  Metrics& metrics();
  uint32_t addr() const;

  class Impl;

 private:
  explicit EdgeAgent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::edge
