// ProcessingLoop: see processing_loop.h.
#include "processing_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "tern/common/bytes.h"
#include "tern/common/hlc.h"

namespace tern::core {

Result<std::unique_ptr<ProcessingLoop>> ProcessingLoop::Create(const SchedulerConfig& sched,
                                                               ProcessingOptions opts, Metrics* m) {
  TERN_ASSIGN_OR_RETURN(auto s, Scheduler::Create(sched));
  return std::unique_ptr<ProcessingLoop>(new ProcessingLoop(std::move(s), std::move(opts), m));
}

ProcessingLoop::ProcessingLoop(Scheduler sched, ProcessingOptions opts, Metrics* m)
    : opts_(std::move(opts)), m_(m), sched_(std::move(sched)) {}

ProcessingLoop::~ProcessingLoop() { Stop(); }

Status ProcessingLoop::Start(const std::string& db_path, Processed on_processed,
                             Corrupt on_corrupt) {
  TERN_ASSIGN_OR_RETURN(auto db, Manifest::Open(db_path, /*read_only=*/true));
  on_processed_ = std::move(on_processed);
  on_corrupt_ = std::move(on_corrupt);
  stop_ = false;
  thread_ = std::thread([this, d = std::move(db)]() mutable { Loop(std::move(d)); });
  return Status::Ok();
}

void ProcessingLoop::Stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProcessingLoop::Schedule(const Manifest::SpoolEntry& e) {
  SchedItem it;
  it.id = e.id;
  it.edge = e.origin;
  it.cls = std::clamp(e.priority, 0, kSchedClasses - 1);
  it.bytes = e.bytes;
  it.enqueued_ms = WallMs();
  it.data_ms = HybridClock::PhysicalMs(e.t_last);
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (sched_.contains(e.id)) return;
    if (Status s = sched_.Enqueue(std::move(it)); !s.ok()) {
      // Stays spooled: queued again on the next start.
      m_->Add("schedule_errors");
      spdlog::warn("core: scheduling chunk {}: {}", ToHex(e.id).substr(0, 16), s.ToString());
      return;
    }
  }
  cv_.notify_one();
}

Status ProcessingLoop::SetEdgeWeight(uint32_t edge, int weight) {
  std::lock_guard<std::mutex> lk(mu_);
  return sched_.SetEdgeWeight(edge, weight);
}

nlohmann::json ProcessingLoop::Snapshot(uint64_t wall_ms) const {
  std::lock_guard<std::mutex> lk(mu_);
  return sched_.Snapshot(wall_ms);
}

nlohmann::json ProcessingLoop::StatusJson() const {
  std::lock_guard<std::mutex> lk(mu_);
  return {{"queued", sched_.size()},
          {"queued_bytes", sched_.queued_bytes()},
          {"served_bytes_live", sched_.served_bytes_by_lane()[0]},
          {"served_bytes_backlog", sched_.served_bytes_by_lane()[1]}};
}

size_t ProcessingLoop::queued() const {
  std::lock_guard<std::mutex> lk(mu_);
  return sched_.size();
}

void ProcessingLoop::Loop(std::unique_ptr<Manifest> db) {
  ChunkProcessor proc(opts_);
  while (!stop_) {
    std::optional<SchedItem> item;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(100), [this] { return stop_ || !sched_.empty(); });
      if (stop_) break;
      item = sched_.Next(WallMs());
    }
    if (item) ProcessOne(*db, proc, *item);
  }
}

void ProcessingLoop::ProcessOne(Manifest& db, ChunkProcessor& proc, const SchedItem& item) {
  const ChunkId& id = item.id;
  auto wire = db.SpoolData(id);
  if (!wire.ok() || !wire->has_value()) return;  // already processed (e.g. before a restart)
  auto view = DecodeChunk(**wire);
  if (!view.ok()) {
    m_->Add("spool_corrupt");
    on_corrupt_(id);
    return;
  }
  auto recs = DecodeRecords(*view);
  std::vector<ProcessorOutput> outs;
  if (recs.ok()) {
    auto r = proc.Process(id, view->header, *recs, MonotonicMs());
    if (r.ok()) {
      outs = std::move(r).value();
    } else {
      m_->Add("processing_errors");
      spdlog::warn("core: processing chunk {} from {}: {}", ToHex(id).substr(0, 16), item.edge,
                   r.status().ToString());
    }
    m_->Add("records_processed", view->header.record_count);
  }
  m_->Add("chunks_processed");
  m_->Set("msmve_windows_skipped", static_cast<int64_t>(proc.msmve_windows_skipped()));
  on_processed_(id, view->header, std::move(outs));
}

}  // namespace tern::core
