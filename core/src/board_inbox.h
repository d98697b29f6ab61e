// BoardInbox: work handed to the board thread by other threads (the HTTP API's operator
// inputs), run there in arrival order. The simulated board (hw::SimBoard) may only be
// touched by one thread, so a button press from an HTTP request becomes a task here; the
// caller waits until the board thread has run it and finished the refresh after it, so what
// it changed is in the next snapshot.
// Thread-safety: Call, Close from any thread; Wait, Take, Finish only from the board thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "tern/common/status.h"

namespace tern::core {

class BoardInbox {
 public:
  using Task = std::function<Status()>;

  // Queues `task` and waits (up to `timeout`) until the board thread has run it and called
  // Finish. Unavailable if the inbox is closed or the board thread did not answer in time.
  [[nodiscard]] Status Call(Task task, std::chrono::milliseconds timeout) {
    auto done = std::make_shared<std::promise<Status>>();
    auto f = done->get_future();
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (closed_) return Status::Unavailable("board: stopping");
      queue_.push_back({std::move(task), done});
    }
    cv_.notify_all();
    if (f.wait_for(timeout) != std::future_status::ready) {
      return Status::Unavailable("board: the board thread did not answer within " +
                                 std::to_string(timeout.count()) + " ms");
    }
    return f.get();
  }

  // Sleeps until `deadline`, a task arrives or the inbox is closed; false once closed.
  bool Wait(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_until(lk, deadline, [&] { return closed_ || !queue_.empty(); });
    return !closed_;
  }

  // Runs every queued task; their results are held until Finish().
  // Returns how many ran.
  size_t RunQueued() {
    std::deque<Item> items;
    {
      std::lock_guard<std::mutex> lk(mu_);
      items.swap(queue_);
    }
    for (auto& it : items) ran_.emplace_back(it.done, it.task());
    return items.size();
  }

  // Answers the callers of the tasks RunQueued ran.
  void Finish() {
    for (auto& [done, s] : ran_) done->set_value(std::move(s));
    ran_.clear();
  }

  // Refuses new tasks, wakes Wait, and answers any still queued with Unavailable. Call after
  // the board thread has stopped running tasks (or from it).
  void Close() {
    std::deque<Item> left;
    {
      std::lock_guard<std::mutex> lk(mu_);
      closed_ = true;
      left.swap(queue_);
    }
    cv_.notify_all();
    for (auto& it : left) it.done->set_value(Status::Unavailable("board: stopping"));
  }

 private:
  struct Item {
    Task task;
    std::shared_ptr<std::promise<Status>> done;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;                                                     // guarded by mu_
  bool closed_ = false;                                                        // guarded by mu_
  std::vector<std::pair<std::shared_ptr<std::promise<Status>>, Status>> ran_;  // board thread
};

}  // namespace tern::core
