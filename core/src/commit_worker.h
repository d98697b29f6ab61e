// The core's commit worker: the one thread that writes core.db. It takes every message
// queued since its last turn (up to `max_batch`, waiting `commit_tick_ms` for companions so
// one fsync covers many), opens one SQLite transaction, runs the message handler on each
// message and then the posted tasks, then the before-commit hook, and commits. Only after
// the commit succeeds does it run the batch's after-commit work and publish the batch's
// messages; if the commit fails it rolls everything back and publishes nothing (senders
// resend). Every handler, task and hook runs inside msg::Guarded, so an exception costs one
// message, never the worker.
// Thread-safety: Enqueue, Post and Problem from any thread; Start/Stop from one thread; Turn only
// from the thread that would otherwise run the loop (tests call it without Start).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "batch.h"
#include "tern/common/metrics.h"
#include "tern/common/status.h"
#include "tern/common/transport.h"

namespace tern::core {

// The three steps of a transaction, as functions so a test can make any of them fail.
struct TransactionOps {
  std::function<Status()> begin, commit, rollback;
};

struct CommitWorkerOptions {
  int commit_tick_ms = 2;   // how long a lone message waits for companions
  size_t enough = 256;      // ... unless this many are already queued
  size_t max_batch = 4096;  // messages per transaction
  int idle_wait_ms = 50;    // longest sleep without work (hooks still run every turn)
};

class CommitWorker {
 public:
  struct Hooks {
    // Inside the transaction, once per queued message, in arrival order.
    std::function<void(const std::string& topic, const std::string& payload, Batch& b)> message;
    // Inside the transaction, after the messages and tasks (settling, periodic checks).
    std::function<void(Batch& b, uint64_t now_ms)> before_commit;
    // After a successful commit and its publishes (membership list, status file).
    std::function<void(uint64_t now_ms)> after_commit;
    // The text to publish for a committed message (the core seals its statements here, in
    // publish order); nullopt drops it (counted by the hook). Unset: the payload as it is.
    std::function<std::optional<std::string>(const Outgoing& m)> seal;
  };
  using Task = std::function<void(Batch& b)>;

  // `transport` publishes the batches' messages; `m` counts manifest_commit_errors,
  // processing_redone, publish_failures. Both outlive the worker.
  CommitWorker(CommitWorkerOptions o, TransactionOps txn, Transport* transport, Metrics* m,
               Hooks hooks);
  ~CommitWorker();
  CommitWorker(const CommitWorker&) = delete;
  CommitWorker& operator=(const CommitWorker&) = delete;

  // Queues one inbound message for the next turn.
  void Enqueue(const std::string& topic, std::string_view payload);
  // Queues a task to run inside the next turn's transaction (e.g. a processed chunk's
  // results, handed over by the processing thread).
  void Post(Task task);

  // Starts the worker thread; Stop() lets the current turn finish and joins it.
  void Start();
  void Stop();

  // One turn: waits up to `idle_wait` for work, then runs one transaction. Returns the
  // transaction's status (OK if it committed).
  [[nodiscard]] Status Turn(std::chrono::milliseconds idle_wait);

  // A worker that has committed nothing for this long is stuck or failing (it turns at least
  // every idle_wait_ms, busy or idle).
  static constexpr uint64_t kStalledAfterMs = 10000;
  // "" while the worker commits, else what is wrong (for /healthz). Any thread.
  std::string Problem(uint64_t now_ms) const;

 private:
  void Loop();

  CommitWorkerOptions o_;
  TransactionOps txn_;
  Transport* transport_;
  Metrics* m_;
  Hooks hooks_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> queue_;
  std::deque<Task> tasks_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> last_commit_ms_{0};  // monotonic ms of the last commit; 0: none yet
  std::atomic<bool> last_failed_{false};     // the last transaction failed
  std::thread thread_;
};

}  // namespace tern::core
