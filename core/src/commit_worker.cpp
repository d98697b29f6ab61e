// CommitWorker: see commit_worker.h.
#include "commit_worker.h"

#include <spdlog/spdlog.h>

#include "tern/common/dispatch.h"
#include "tern/common/hlc.h"

namespace tern::core {

CommitWorker::CommitWorker(CommitWorkerOptions o, TransactionOps txn, Transport* transport,
                           Metrics* m, Hooks hooks)
    : o_(o), txn_(std::move(txn)), transport_(transport), m_(m), hooks_(std::move(hooks)) {}

CommitWorker::~CommitWorker() { Stop(); }

void CommitWorker::Enqueue(const std::string& topic, std::string_view payload) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.emplace_back(topic, std::string(payload));
  }
  cv_.notify_one();
}

void CommitWorker::Post(Task task) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void CommitWorker::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void CommitWorker::Stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CommitWorker::Loop() {
  while (!stop_) {
    // A failed turn is counted and logged inside Turn(); the loop simply goes on.
    (void)Turn(std::chrono::milliseconds(o_.idle_wait_ms));
  }
}

Status CommitWorker::Turn(std::chrono::milliseconds idle_wait) {
  std::deque<std::pair<std::string, std::string>> msgs;
  std::deque<Task> tasks;
  {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, idle_wait, [this] { return stop_ || !queue_.empty() || !tasks_.empty(); });
    tasks.swap(tasks_);
    if (!queue_.empty() && o_.commit_tick_ms > 0 && queue_.size() < o_.enough) {
      cv_.wait_for(lk, std::chrono::milliseconds(o_.commit_tick_ms),
                   [this] { return stop_ || queue_.size() >= o_.enough; });
    }
    while (!queue_.empty() && msgs.size() < o_.max_batch) {
      msgs.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  const uint64_t now = MonotonicMs();
  Batch b;
  Status s = txn_.begin();
  if (s.ok()) {
    for (const auto& [topic, payload] : msgs) {
      msg::Guarded(*m_, "core", topic, [&] { hooks_.message(topic, payload, b); });
    }
    for (auto& t : tasks) msg::Guarded(*m_, "core", "(task)", [&] { t(b); });
    msg::Guarded(*m_, "core", "(before commit)", [&] { hooks_.before_commit(b, now); });
    s = txn_.commit();
  }
  if (!s.ok()) {
    // Processed results were in the failed transaction: their chunks stay spooled, so the
    // work is redone (after a restart at the latest) rather than lost.
    if (!tasks.empty()) m_->Add("processing_redone");
    Status rs = txn_.rollback();
    if (!rs.ok()) spdlog::error("core: rolling back the failed transaction: {}", rs.ToString());
    last_failed_ = true;
    m_->Add("manifest_commit_errors");
    spdlog::error("core: manifest transaction of {} messages failed, senders will resend: {}",
                  msgs.size(), s.ToString());
    return s;
  }
  last_commit_ms_ = now;
  last_failed_ = false;
  for (auto& w : b.work()) msg::Guarded(*m_, "core", "(after commit)", w);
  // Only now is what these messages say durable; only now may anyone hear about it.
  for (const auto& out : b.outgoing()) {
    std::optional<std::string> sealed;
    if (hooks_.seal) {
      sealed = hooks_.seal(out);
      if (!sealed) continue;
    }
    if (!transport_->Publish(out.topic, sealed ? *sealed : out.payload, 1, out.retain).ok()) {
      m_->Add("publish_failures");
    }
  }
  msg::Guarded(*m_, "core", "(after commit)", [&] { hooks_.after_commit(now); });
  return Status::Ok();
}

std::string CommitWorker::Problem(uint64_t now_ms) const {
  const uint64_t last = last_commit_ms_;
  if (last == 0) return "commit worker: no transaction committed yet";
  if (now_ms > last && now_ms - last > kStalledAfterMs) {
    return "commit worker: no transaction committed for " + std::to_string(now_ms - last) + " ms" +
           (last_failed_ ? " (manifest transactions failing)" : " (stuck)");
  }
  return "";
}

}  // namespace tern::core
