// Analysis at the holders: this store runs the core's window tasks (msg::AnalyzeTask,
// analysis window_task.h) over chunks it holds, so multichannel analysis of a co-located
// window reads no byte over the network. Every chunk named is read on the event loop's
// thread through StoreService::Verified (its SHA-256 checked against its id; a mismatch is
// condemned like any corrupt copy), then the task computes on this service's own thread, so
// the loop (acks, puts, heartbeats) never waits on MSMVE. At most kMaxQueued tasks wait;
// beyond that a task is answered "busy" at once and the core runs the window itself.
//
// Every task gets exactly one msg::AnalyzeAnswer on peer/<self>/<core>: the output, or the
// error (a chunk not held or corrupt, a chunk that is not samples, bad parameters, busy, the
// core's name not known yet: then nothing can be answered and the task is only counted).
// Counters: analysis_tasks (answered with an output), analysis_task_errors (answered with an
// error, or not answerable), analysis_rows (rows of the windows computed); each answer
// carries its own compute time.
// Thread-safety: OnTask from any thread; Stop from one thread, before the loop and the
// publisher are destroyed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "event_loop.h"
#include "reliable_publisher.h"
#include "store_service.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/common/store_messages.h"

namespace tern::edge {

class AnalysisService {
 public:
  static constexpr size_t kMaxQueued = 4;

  // None of the pointers is owned; all outlive the service.
  AnalysisService(uint32_t self, std::string name, Topics topics, StoreService* store,
                  EventLoop* loop, ReliablePublisher* publisher, Metrics* m, std::string who);
  ~AnalysisService() { Stop(); }
  AnalysisService(const AnalysisService&) = delete;
  AnalysisService& operator=(const AnalysisService&) = delete;

  // A task from the core (down/<self>); `core` is the core's name (empty while unknown).
  void OnTask(const msg::AnalyzeTask& t, const std::string& core);
  // Ends the compute thread; tasks still waiting are dropped (the core times them out and
  // computes those windows itself).
  void Stop();

 private:
  struct Job {
    msg::AnalyzeTask task;
    std::string core;
    std::vector<std::string> wires;  // the chunks' verified bytes, in task order
    uint64_t read_ms = 0;
  };
  void Read(const msg::AnalyzeTask& t, const std::string& core);  // loop thread
  void Loop();                                                    // compute thread
  void Answer(const std::string& core, msg::AnalyzeAnswer a);

  const uint32_t self_;
  const std::string name_;
  const Topics topics_;
  StoreService* store_;
  EventLoop* loop_;
  ReliablePublisher* publisher_;
  Metrics* m_;
  const std::string who_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // under mu_
  bool stop_ = false;      // under mu_
  std::thread thread_;
};

}  // namespace tern::edge
