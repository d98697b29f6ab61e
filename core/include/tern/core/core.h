// The core daemon (tern-core): registry and addresses, live membership, the manifest built
// from holders' "stored" statements, the durable spool of uplinked chunks, and the ack that
// tells an edge its chunk is safe.
//
// One worker thread owns core.db. It takes every message queued since its last turn,
// applies them in one transaction, commits (fsync), and only then publishes the replies
// that commit justifies: registration replies, and acks for chunks that are spooled and
// have at least `copies` distinct holders. A chunk with more holders than needed (a peer
// that came back after its replacement stored a copy) gets its newest extra copy deleted,
// never the origin's, and only once the chunk is acked.
//
// The core reaches the gateway only through the Transport that CoreOptions.transport makes
// (MQTT in production, testing::FakeBroker in unit tests). Every inbound message is decoded
// with the typed messages of tern/common/messages.h behind a msg::Dispatcher: a message of
// any shape is handled or rejected (counted as rejected_<kind>, logged), never fatal.
// Thread-safety: Start/Stop from one thread; StatusJson and metrics() from any.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "tern/common/metrics.h"
#include "tern/common/status.h"
#include "tern/core/options.h"

namespace tern::core {

class Core {
 public:
  static Result<std::unique_ptr<Core>> Create(const CoreOptions& opts);
  ~Core();
  // Opens core.db, connects, subscribes and starts the worker and the processing thread.
  // Fails naming what could not be opened or started.
  [[nodiscard]] Status Start();
  // Stops every thread and writes the final status.json; idempotent.
  void Stop();
  // The last status written (null before the first).
  nlohmann::json StatusJson() const;
  // The core's counters (rejected_*, acks, uplinks, ...).
  Metrics& metrics();

  class Impl;

 private:
  explicit Core(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::core
