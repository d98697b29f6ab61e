// EventLoop: tasks, timers and periodic jobs on one guarded thread.
#include "event_loop.h"

#include "tern/common/dispatch.h"
#include "tern/common/hlc.h"

namespace tern::edge {

void EventLoop::Post(Task t) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    tasks_.push_back(std::move(t));
  }
  cv_.notify_one();
}

void EventLoop::After(uint64_t delay_ms, Task t) {
  std::lock_guard<std::mutex> lk(mu_);
  timers_.emplace(MonotonicMs() + delay_ms, std::move(t));
}

void EventLoop::Every(uint64_t period_ms, Task t, bool after_tasks) {
  jobs_.push_back({period_ms, after_tasks, 0, std::move(t)});
}

void EventLoop::Start() {
  if (thread_.joinable()) return;
  halt_ = false;
  thread_ = std::thread([this] { Main(); });
}

void EventLoop::Stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    halt_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t EventLoop::pending() const {
  std::lock_guard<std::mutex> lk(mu_);
  return tasks_.size() + timers_.size();
}

void EventLoop::Run(const Task& t, const char* what) {
  // A failed task is counted and logged by the guard; the loop must outlive it.
  (void)msg::Guarded(*m_, who_, what, t);
}

void EventLoop::Main() {
  while (true) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(5), [this] { return halt_ || !tasks_.empty(); });
    }
    if (halt_) {
      std::deque<Task> last;
      {
        std::lock_guard<std::mutex> lk(mu_);
        last.swap(tasks_);
      }
      for (const auto& t : last) Run(t, "loop task");
      return;
    }
    RunOnce(MonotonicMs());
  }
}

size_t EventLoop::RunOnce(uint64_t now_ms) {
  std::deque<Task> tasks;
  {
    std::lock_guard<std::mutex> lk(mu_);
    tasks.swap(tasks_);
  }
  for (const auto& t : tasks) Run(t, "loop task");
  while (true) {
    Task due;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (timers_.empty() || timers_.begin()->first > now_ms) break;
      due = std::move(timers_.begin()->second);
      timers_.erase(timers_.begin());
    }
    Run(due, "loop timer");
  }
  for (Job& j : jobs_) {
    if (now_ms - j.last_ms >= j.period_ms || (j.after_tasks && !tasks.empty())) {
      j.last_ms = now_ms;
      Run(j.fn, "loop job");
    }
  }
  return tasks.size();
}

}  // namespace tern::edge
