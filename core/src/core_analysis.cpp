// Analysis jobs at the holders (POST /api/v1/analysis; analysis_job.h has the plan): the job
// runs on the HTTP request's thread. It snapshots the group's windows and their holders on
// the commit worker, plans them over the live stores, sends each store its windows as
// msg::AnalyzeTask (TaskOf: named by series runs) on down/<store> (at most kTasksPerHolder
// outstanding per store, so a store never has to answer "busy"), and meanwhile computes the windows
// no store holds whole, or whose task failed or timed out (kTaskTimeoutMs), itself from bytes the
// ChunkFetcher reads (spool, cache or the nearest live holder). Both sides run the same window task
// (window_task.h), so a window's output is the same wherever it ran. The results are then
// recorded on the worker like the processing's (ResultBuilder::RecordResults: result chunks with
// lineage to every chunk of the window, placed on three stores, announced on x/results),
// one per window and processor, named group_<processor>.
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <map>

#include "analysis_job.h"
#include "core_impl.h"
#include "tern/common/bytes.h"

namespace tern::core {
namespace {

constexpr int kTasksPerHolder = 2;
constexpr uint64_t kTaskTimeoutMs = 60000;

// The HLC range of wall-clock milliseconds [from, to].
std::pair<uint64_t, uint64_t> HlcRange(uint64_t from_ms, uint64_t to_ms) {
  const uint64_t hi = to_ms >= (UINT64_MAX >> 16) ? UINT64_MAX : (to_ms << 16) | 0xFFFF;
  const uint64_t lo = from_ms >= (UINT64_MAX >> 16) ? UINT64_MAX : from_ms << 16;
  return {lo, hi};
}

}  // namespace

void Core::Impl::OnAnalyzeAnswer(const msg::AnalyzeAnswer& a, const std::string& from) {
  {
    std::lock_guard<std::mutex> lk(tasks_mu_);
    auto it = tasks_.find(a.req);
    if (it == tasks_.end() || it->second.holder != from || it->second.done) {
      m_.Add("analysis_answers_refused");
      return;
    }
    it->second.done = true;
    it->second.answer = a;
  }
  tasks_cv_.notify_all();
}

Result<nlohmann::json> Core::Impl::Analyze(const nlohmann::json& body) {
  TERN_ASSIGN_OR_RETURN(AnalysisRequest rq, AnalysisRequest::FromJson(body));
  const uint64_t started = MonotonicMs();

  // 1. The group's windows and their holders, as the manifest has them now.
  struct Snapshot {
    std::vector<JobWindow> windows;
    std::map<uint32_t, std::string> names;
  };
  auto snap = OnWorker<Snapshot>([this, &rq](Batch&) -> Result<Snapshot> {
    auto [lo, hi] = HlcRange(rq.from_ms, rq.to_ms);
    auto sources = placement_.SourcesOf(rq.group);
    sources.emplace_back(0, rq.group);  // ungrouped sources named like the group
    std::map<ChunkId, ChunkRecord> chunks;
    for (const auto& [origin, source] : sources) {
      TERN_ASSIGN_OR_RETURN(auto found, db_->Find(source, origin, lo, hi));
      for (auto& c : found) chunks.emplace(c.id, std::move(c));
    }
    std::vector<ChunkRecord> all;
    for (auto& [id, c] : chunks) all.push_back(std::move(c));
    Snapshot s;
    s.windows =
        WindowsOf(all, rq.group, [this](const ChunkRecord& r) { return placement_.KeyOf(r); });
    for (const auto& w : s.windows) {
      for (const auto& c : w.chunks) {
        for (uint32_t h : c.holders) s.names.emplace(h, members_.NameOf(h));
      }
    }
    return s;
  });
  if (!snap.ok()) return snap.status();
  std::vector<JobWindow>& windows = snap->windows;
  if (windows.size() > rq.max_windows) {
    return Status::InvalidArgument(
        "analysis job: group '" + rq.group + "' has " + std::to_string(windows.size()) +
        " windows in the range, more than max_windows (" + std::to_string(rq.max_windows) + ")");
  }

  // 2. The plan over the live stores.
  std::vector<TaskWorker> workers;
  std::map<uint32_t, std::string> live_names;
  for (const LiveNode& n : ChunkFetcher::LiveFromStatus([this] { return StatusJson(); })()) {
    if (n.addr == core_addr_) continue;
    workers.push_back({n.addr, n.load, n.cpu});
    live_names[n.addr] = n.name;
  }
  PlanTasks(&windows, workers, rq.at_core);

  // 3. Tasks out, the core's own windows computed meanwhile, answers in.
  std::vector<WindowOutcome> outcome(windows.size());
  std::map<uint32_t, std::deque<size_t>> todo;  // per store, its windows in order
  std::deque<size_t> at_core;
  for (size_t i = 0; i < windows.size(); ++i) {
    if (windows[i].assigned != 0) {
      todo[windows[i].assigned].push_back(i);
    } else {
      at_core.push_back(i);
    }
  }
  struct Sent {
    size_t window;
    uint32_t holder;
    uint64_t deadline;
  };
  std::map<uint64_t, Sent> sent;
  std::map<uint32_t, int> in_flight;
  uint64_t bytes_fetched = 0, task_bytes = 0;
  int64_t failures = 0;
  const nlohmann::json params = rq.params.ToJson();
  auto compute_at_core = [&](size_t i) {
    const uint64_t t0 = MonotonicMs();
    std::vector<analysis::WindowChunk> chunks;
    for (const ChunkRecord& c : windows[i].chunks) {
      auto got =
          fetcher_ ? fetcher_->Fetch(c.id) : Result<FetchedBytes>(Status::Unavailable("no reader"));
      if (!got.ok()) {
        outcome[i].error = "chunk " + ToHex(c.id).substr(0, 16) + ": " + got.status().message();
        return;
      }
      if (got->holder != o_.name && got->holder != kFromCache) bytes_fetched += got->wire.size();
      auto wc = analysis::DecodeWindowChunk(got->wire);
      if (!wc.ok()) {
        outcome[i].error = "chunk " + ToHex(c.id).substr(0, 16) + ": " + wc.status().message();
        return;
      }
      chunks.push_back(std::move(*wc));
    }
    auto out = analysis::RunTask(std::move(chunks), rq.params);
    if (out.ok()) {
      outcome[i].output = std::move(*out);
      outcome[i].error.clear();
    } else {
      outcome[i].error = out.status().ToString();
    }
    outcome[i].ran_at = o_.name;
    outcome[i].compute_ms = MonotonicMs() - t0;
  };
  for (;;) {
    for (auto& [holder, queue] : todo) {
      while (!queue.empty() && in_flight[holder] < kTasksPerHolder) {
        const size_t i = queue.front();
        queue.pop_front();
        msg::AnalyzeTask t = TaskOf(windows[i]);
        t.params = params;
        {
          std::lock_guard<std::mutex> lk(tasks_mu_);
          t.req = next_task_req_++;
          tasks_[t.req] = {live_names[holder], false, {}};
        }
        std::string text = t.Encode();
        task_bytes += text.size();
        PublishLater(topics_.Down(live_names[holder]), text);
        sent[t.req] = {i, holder, MonotonicMs() + kTaskTimeoutMs};
        ++in_flight[holder];
      }
    }
    if (sent.empty() && at_core.empty()) break;
    if (!at_core.empty()) {
      const size_t i = at_core.front();
      at_core.pop_front();
      compute_at_core(i);
    } else {
      std::unique_lock<std::mutex> lk(tasks_mu_);
      tasks_cv_.wait_for(lk, std::chrono::milliseconds(200));
    }
    // Answers and timeouts: a failed task's window goes to the core.
    const uint64_t now = MonotonicMs();
    for (auto it = sent.begin(); it != sent.end();) {
      std::optional<msg::AnalyzeAnswer> answer;
      {
        std::lock_guard<std::mutex> lk(tasks_mu_);
        auto t = tasks_.find(it->first);
        if (t != tasks_.end() && t->second.done) {
          answer = std::move(t->second.answer);
          tasks_.erase(t);
        } else if (now >= it->second.deadline) {
          tasks_.erase(it->first);
        } else {
          ++it;
          continue;
        }
      }
      const Sent s = it->second;
      it = sent.erase(it);
      --in_flight[s.holder];
      WindowOutcome& o = outcome[s.window];
      if (answer && answer->error.empty()) {
        task_bytes += answer->Encode().size();
        o.output = std::move(answer->output);
        o.ran_at = live_names[s.holder];
        o.compute_ms = answer->compute_ms;
        continue;
      }
      ++failures;
      spdlog::warn("core: analysis task for window {} of group {} at {}: {}; the core computes it",
                   windows[s.window].key.window, rq.group, live_names[s.holder],
                   answer ? answer->error : "no answer within 60 s");
      at_core.push_back(s.window);
    }
  }

  // 4. Results with lineage, recorded and placed on the worker.
  const std::vector<std::string> procs = rq.params.Names();
  std::vector<std::string> result_ids;
  auto rec = OnWorker<std::vector<std::string>>([&](Batch& b) -> Result<std::vector<std::string>> {
    std::vector<std::string> ids;
    for (size_t i = 0; i < windows.size(); ++i) {
      const WindowOutcome& o = outcome[i];
      if (o.output.is_null()) continue;
      const JobWindow& w = windows[i];
      ChunkHeader src;
      src.origin = core_addr_;
      src.source = "g/" + rq.group;
      src.seq = w.key.window;
      src.t_first = w.chunks.front().t_first;
      src.t_last = w.chunks.front().t_last;
      std::vector<ProcessorOutput> outs;
      for (const auto& c : w.chunks) {
        src.t_first = std::min(src.t_first, c.t_first);
        src.t_last = std::max(src.t_last, c.t_last);
      }
      for (const std::string& p : procs) {
        ProcessorOutput po;
        po.processor = "group_" + p;
        po.summary = {{"group", rq.group},
                      {"window", w.key.window},
                      {"rows", o.output.value("rows", 0)},
                      {"series", o.output.value("series", nlohmann::json::array())},
                      {p, o.output.value(p, nlohmann::json())}};
        if (p == "zscore") po.anomalies = o.output["zscore"].value("count", 0);
        for (const auto& c : w.chunks) po.sources.push_back(c.id);
        po.t_first = src.t_first;
        po.t_last = src.t_last;
        outs.push_back(std::move(po));
      }
      auto r = builder_->RecordResults(w.chunks.front().id, src, outs, o_.name);
      for (const ChunkId& id : r.known) ids.push_back(ToHex(id));
      for (auto& row : r.results) {
        ids.push_back(ToHex(row.id));
        placer_->Add(row.id, std::move(row.wire), core_addr_);
      }
      b.PublishAll(std::move(r.notes));
    }
    return ids;
  });
  if (rec.ok()) {
    result_ids = std::move(*rec);
  } else {
    spdlog::error("core: recording the results of the analysis of group {}: {}", rq.group,
                  rec.status().ToString());
  }

  // 5. The answer.
  JobFigures f;
  f.task_failures = failures;
  f.bytes_fetched = bytes_fetched;
  f.task_bytes = task_bytes;
  f.wall_ms = MonotonicMs() - started;
  f.results = std::move(result_ids);
  f.results_recorded = rec.ok();
  nlohmann::json answer = JobAnswer(rq, windows, outcome, o_.name, f);
  m_.Add("analysis_jobs");
  m_.Add("analysis_windows_at_holders", answer.value("at_holders", int64_t{0}));
  m_.Add("analysis_windows_at_core", answer.value("at_core", int64_t{0}));
  m_.Add("analysis_task_failures", failures);
  m_.Add("analysis_bytes_fetched", static_cast<int64_t>(bytes_fetched));
  spdlog::info(
      "core: analysis of group {}: {} windows ({} at holders, {} at the core, {} failed), "
      "{} bytes read, {} ms",
      rq.group, windows.size(), answer.value("at_holders", 0), answer.value("at_core", 0),
      answer.value("failed", 0), bytes_fetched, f.wall_ms);
  return answer;
}

}  // namespace tern::core
