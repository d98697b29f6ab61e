// AnalysisService: see analysis_service.h.
#include "analysis_service.h"

#include <spdlog/spdlog.h>

#include "tern/analysis/window_task.h"
#include "tern/common/bytes.h"
#include "tern/common/hlc.h"

namespace tern::edge {

AnalysisService::AnalysisService(uint32_t self, std::string name, Topics topics,
                                 StoreService* store, EventLoop* loop, ReliablePublisher* publisher,
                                 Metrics* m, std::string who)
    : self_(self),
      name_(std::move(name)),
      topics_(std::move(topics)),
      store_(store),
      loop_(loop),
      publisher_(publisher),
      m_(m),
      who_(std::move(who)),
      thread_([this] { Loop(); }) {}

void AnalysisService::Stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AnalysisService::OnTask(const msg::AnalyzeTask& t, const std::string& core) {
  loop_->Post([this, t, core] { Read(t, core); });
}

void AnalysisService::Answer(const std::string& core, msg::AnalyzeAnswer a) {
  m_->Add(a.error.empty() ? "analysis_tasks" : "analysis_task_errors");
  if (!a.error.empty()) {
    spdlog::warn("{}: analysis task {} not run: {}", who_, a.req, a.error);
  }
  if (core.empty()) return;
  a.holder = self_;
  // The publisher lives on the loop thread; answers from the compute thread go through it.
  loop_->Post([this, topic = topics_.Peer(name_, core), text = a.Encode()]() mutable {
    publisher_->Deliver(topic, std::move(text));
  });
}

// Loop thread: every chunk verified before anything is computed.
void AnalysisService::Read(const msg::AnalyzeTask& t, const std::string& core) {
  const uint64_t start = MonotonicMs();
  if (core.empty()) {
    m_->Add("analysis_task_errors");
    spdlog::warn("{}: analysis task {} not answered: the core's name is not known yet", who_,
                 t.req);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (queue_.size() >= kMaxQueued) {
      return Answer(core,
                    {t.req, self_, nullptr,
                     "busy: " + std::to_string(kMaxQueued) + " analysis tasks already waiting", 0});
    }
  }
  Job job{t, core, {}, 0};
  // A task named by series runs: the ids they stand for here, which must be the ids the core
  // meant (the digest), or the task is not run.
  if (!t.series.empty()) {
    job.task.chunks.reserve(t.ChunkCount());
    for (const msg::TaskSeries& r : t.series) {
      auto ids = store_->RunIds(r);
      if (!ids.ok()) return Answer(core, {t.req, self_, nullptr, ids.status().message(), 0});
      for (auto& id : *ids) job.task.chunks.push_back(std::move(id));
    }
    if (msg::TaskDigest(job.task.chunks) != t.digest) {
      return Answer(core, {t.req, self_, nullptr,
                           "the chunks held for the task's series differ from the core's "
                           "(digest mismatch)",
                           0});
    }
  }
  job.wires.reserve(job.task.chunks.size());
  uint64_t bytes = 0;
  for (const ChunkId& id : job.task.chunks) {
    auto copy = store_->Verified(id, "analysis");
    if (!copy.ok()) {
      return Answer(core, {t.req, self_, nullptr,
                           "chunk " + ToHex(id).substr(0, 16) + ": " + copy.status().message(), 0});
    }
    bytes += copy->wire.size();
    if (bytes > msg::kMaxTaskBytes) {
      return Answer(
          core,
          {t.req, self_, nullptr,
           "the window is larger than " + std::to_string(msg::kMaxTaskBytes >> 20) + " MiB", 0});
    }
    job.wires.push_back(std::move(copy->wire));
  }
  job.read_ms = MonotonicMs() - start;
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

// Compute thread.
void AnalysisService::Loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    const uint64_t start = MonotonicMs();
    msg::AnalyzeAnswer a{job.task.req, self_, nullptr, "", 0};
    auto params = analysis::TaskParams::FromJson(job.task.params);
    std::vector<analysis::WindowChunk> chunks;
    Status s = params.status();
    for (size_t i = 0; s.ok() && i < job.wires.size(); ++i) {
      auto c = analysis::DecodeWindowChunk(job.wires[i]);
      if (!c.ok()) {
        s = c.status().WithContext("chunk " + ToHex(job.task.chunks[i]).substr(0, 16));
      } else {
        chunks.push_back(std::move(*c));
      }
    }
    if (s.ok()) {
      auto out = analysis::RunTask(std::move(chunks), *params);
      if (out.ok()) {
        m_->Add("analysis_rows", out->value("rows", int64_t{0}));
        a.output = std::move(*out);
      } else {
        s = out.status();
      }
    }
    if (!s.ok()) a.error = s.ToString();
    a.compute_ms = job.read_ms + (MonotonicMs() - start);
    Answer(job.core, std::move(a));
  }
}

}  // namespace tern::edge
