// The edge's event loop: one thread that owns the state of the edge's own chunks (the
// outbox, the window, replication) and runs everything that reads SQLite on behalf of a
// message, so the transport's network thread only decodes and hands on.
//
// Work reaches it three ways: tasks posted from any thread (run in order), timers (a task
// due after a delay) and periodic jobs registered before Start() (the chunker's tick, the
// pump, heartbeats, status.json). Every task and job runs inside msg::Guarded: an exception
// escaping one is counted as `handler_errors` and logged, and the loop goes on.
// Thread-safety: Post and After from any thread; Every before Start; Start/Stop from one
// thread. RunOnce is for tests that drive the loop without its thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tern/common/metrics.h"

namespace tern::edge {

class EventLoop {
 public:
  using Task = std::function<void()>;

  // `who` prefixes log lines about failed tasks (e.g. "edge line-1").
  EventLoop(Metrics* m, std::string who) : m_(m), who_(std::move(who)) {}
  ~EventLoop() { Stop(); }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Queues `t` to run on the loop thread, after the tasks queued before it.
  void Post(Task t);
  // Runs `t` on the loop thread once `delay_ms` have passed (monotonic clock).
  void After(uint64_t delay_ms, Task t);
  // Runs `t` on every iteration at least `period_ms` after its last run (0 = every
  // iteration; the first iteration runs every job), and also on any iteration that ran
  // posted tasks if `after_tasks`. Jobs run in the order registered. Before Start() only.
  void Every(uint64_t period_ms, Task t, bool after_tasks = false);

  // Starts the loop thread; it wakes at least every 5 ms.
  void Start();
  // Runs the tasks already posted, then stops the thread (timers and jobs no longer run).
  // Tasks posted afterwards are dropped. Idempotent.
  void Stop();

  // One iteration on the calling thread at time `now_ms`: posted tasks, due timers, jobs.
  // Returns the number of posted tasks run. Not while the loop thread runs.
  size_t RunOnce(uint64_t now_ms);

  // Tasks and timers waiting (for tests and status).
  size_t pending() const;

 private:
  struct Job {
    uint64_t period_ms;
    bool after_tasks;
    uint64_t last_ms;
    Task fn;
  };
  void Main();
  void Run(const Task& t, const char* what);

  Metrics* m_;
  const std::string who_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;                // under mu_
  std::multimap<uint64_t, Task> timers_;  // due (monotonic ms) -> task, under mu_
  std::vector<Job> jobs_;                 // loop thread only (after Start)
  std::atomic<bool> halt_{false};
  std::thread thread_;
};

}  // namespace tern::edge
