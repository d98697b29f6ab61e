// One turn of the commit worker: what the handlers that ran inside the turn's SQLite
// transaction want to happen once it commits. Messages to publish (acks, replies, result
// copies), work to run (scheduling a freshly spooled chunk), and the chunks whose holders
// changed (settled just before the commit). If the commit fails the whole batch is dropped,
// so nobody ever hears of a change that is not durable.
// Thread-safety: not thread-safe; a batch belongs to the worker thread for one turn.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tern/common/chunk.h"

namespace tern::core {

// A QoS 1 message to publish once the transaction that justifies it has committed.
struct Outgoing {
  std::string topic;
  std::string payload;
  bool retain = false;
  bool operator==(const Outgoing&) const = default;
};

class Batch {
 public:
  // Publishes `m` after the commit, in the order added.
  void Publish(Outgoing m) { out_.push_back(std::move(m)); }
  void PublishAll(std::vector<Outgoing> ms) {
    for (auto& m : ms) out_.push_back(std::move(m));
  }
  // Runs `work` after the commit and before the publishes.
  void AfterCommit(std::function<void()> work) { work_.push_back(std::move(work)); }
  // Chunk `id` gained or lost a holder: settle it before the commit. `reack`: its origin sent
  // it again, so it earns its ack again even if it was acked before.
  void Touch(const ChunkId& id, bool reack = false) {
    touched_.insert(id);
    if (reack) reack_.insert(id);
  }

  // The chunks to settle, and whether one was re-sent by its origin in this batch.
  const std::set<ChunkId>& touched() const { return touched_; }
  bool reack(const ChunkId& id) const { return reack_.count(id) != 0; }
  // For the commit worker: what to publish and run once the transaction has committed.
  std::vector<Outgoing>& outgoing() { return out_; }
  std::vector<std::function<void()>>& work() { return work_; }

 private:
  std::vector<Outgoing> out_;
  std::vector<std::function<void()>> work_;
  std::set<ChunkId> touched_, reack_;
};

}  // namespace tern::core
