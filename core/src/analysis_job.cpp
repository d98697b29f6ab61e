// The pure parts of an analysis job: see analysis_job.h.
#include "analysis_job.h"

#include <algorithm>
#include <map>
#include <set>

#include "tern/common/store_messages.h"

namespace tern::core {
namespace {

Status Bad(const std::string& key, const std::string& why) {
  return Status::InvalidArgument("analysis job: '" + key + "' " + why);
}

Status MsAt(const nlohmann::json& j, const char* key, uint64_t* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  // Parsed text gives unsigned numbers; a json built in C++ from an int gives signed ones.
  if (!it->is_number_integer() || (!it->is_number_unsigned() && it->get<int64_t>() < 0)) {
    return Bad(key, "must be milliseconds (an integer >= 0)");
  }
  *out = it->get<uint64_t>();
  return Status::Ok();
}

}  // namespace

Result<AnalysisRequest> AnalysisRequest::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("analysis job: the body must be an object");
  for (const auto& [k, v] : j.items()) {
    if (k != "group" && k != "from" && k != "to" && k != "at" && k != "params" &&
        k != "max_windows") {
      return Bad(k, "is not known");
    }
  }
  AnalysisRequest r;
  auto g = j.find("group");
  if (g == j.end() || !g->is_string() || g->get<std::string>().empty() ||
      g->get<std::string>().size() > 128) {
    return Bad("group", "must be a placement group name (1..128 characters)");
  }
  r.group = g->get<std::string>();
  TERN_RETURN_IF_ERROR(MsAt(j, "from", &r.from_ms));
  TERN_RETURN_IF_ERROR(MsAt(j, "to", &r.to_ms));
  if (r.from_ms > r.to_ms) return Bad("from", "is after 'to'");
  if (auto at = j.find("at"); at != j.end()) {
    if (!at->is_string() || (*at != "auto" && *at != "core")) {
      return Bad("at", "must be \"auto\" or \"core\"");
    }
    r.at_core = *at == "core";
  }
  if (auto p = j.find("params"); p != j.end()) {
    auto params = analysis::TaskParams::FromJson(*p);
    if (!params.ok()) return params.status().WithContext("analysis job: 'params'");
    r.params = *params;
  }
  if (auto mw = j.find("max_windows"); mw != j.end()) {
    if (!mw->is_number_integer() || mw->get<int64_t>() < 1 || mw->get<int64_t>() > 100000) {
      return Bad("max_windows", "must be in 1..100000");
    }
    r.max_windows = mw->get<uint64_t>();
  }
  return r;
}

std::vector<JobWindow> WindowsOf(const std::vector<ChunkRecord>& chunks, const std::string& group,
                                 const std::function<placement::Key(const ChunkRecord&)>& key_of) {
  std::map<placement::Key, JobWindow> by_key;
  for (const ChunkRecord& c : chunks) {
    if (c.kind != static_cast<int>(RecordKind::kSamples)) continue;
    placement::Key k = key_of(c);
    if (k.group != group) continue;
    JobWindow& w = by_key[k];
    w.key = k;
    w.chunks.push_back(c);
    w.rows += c.records;
  }
  std::vector<JobWindow> out;
  out.reserve(by_key.size());
  for (auto& [k, w] : by_key) {
    std::sort(w.chunks.begin(), w.chunks.end(), [](const ChunkRecord& a, const ChunkRecord& b) {
      return std::tie(a.origin, a.source, a.seq) < std::tie(b.origin, b.source, b.seq);
    });
    out.push_back(std::move(w));
  }
  return out;
}

msg::AnalyzeTask TaskOf(const JobWindow& w) {
  msg::AnalyzeTask t;
  std::vector<ChunkId> ids;
  ids.reserve(w.chunks.size());
  for (const ChunkRecord& c : w.chunks) {
    ids.push_back(c.id);
    msg::TaskSeries* last = t.series.empty() ? nullptr : &t.series.back();
    if (last && last->origin == c.origin && last->source == c.source &&
        c.seq == last->seq_last + 1) {
      last->seq_last = c.seq;
      last->t_lo = std::min(last->t_lo, c.t_first);
      last->t_hi = std::max(last->t_hi, c.t_first);
    } else {
      t.series.push_back({c.origin, c.source, c.seq, c.seq, c.t_first, c.t_first});
    }
  }
  t.digest = msg::TaskDigest(ids);
  return t;
}

double WorkerWeight(const TaskWorker& w) {
  const double free = (1.0 - std::clamp(w.load, 0.0, 1.0)) * (1.0 - std::clamp(w.cpu, 0.0, 1.0));
  return std::max(0.05, free);
}

void PlanTasks(std::vector<JobWindow>* windows, const std::vector<TaskWorker>& workers,
               bool at_core) {
  std::map<uint32_t, double> weight;
  for (const auto& w : workers) weight[w.addr] = WorkerWeight(w);
  std::map<uint32_t, double> planned;  // rows planned per worker
  for (JobWindow& w : *windows) {
    w.candidates.clear();
    w.assigned = 0;
    std::set<uint32_t> common;
    bool first = true;
    for (const ChunkRecord& c : w.chunks) {
      std::set<uint32_t> holders(c.holders.begin(), c.holders.end());
      if (first) {
        common = std::move(holders);
        first = false;
      } else {
        std::set<uint32_t> both;
        std::set_intersection(common.begin(), common.end(), holders.begin(), holders.end(),
                              std::inserter(both, both.end()));
        common = std::move(both);
      }
    }
    for (uint32_t a : common) {
      if (weight.count(a)) w.candidates.push_back(a);
    }
    // A window too large for one task (store_messages.h) is the core's.
    uint64_t bytes = 0;
    for (const ChunkRecord& c : w.chunks) bytes += c.bytes;
    const bool too_large = w.chunks.size() > msg::kMaxTaskChunks || bytes > msg::kMaxTaskBytes;
    if (at_core || w.candidates.empty() || too_large) continue;
    double best = 0;
    for (uint32_t a : w.candidates) {
      const double cost = (planned[a] + static_cast<double>(w.rows)) / weight[a];
      if (w.assigned == 0 || cost < best) {
        best = cost;
        w.assigned = a;
      }
    }
    planned[w.assigned] += static_cast<double>(w.rows);
  }
}

nlohmann::json JobAnswer(const AnalysisRequest& rq, const std::vector<JobWindow>& windows,
                         const std::vector<WindowOutcome>& outcome, const std::string& core_name,
                         const JobFigures& f) {
  int64_t at_holders = 0, at_core = 0, failed = 0, z_total = 0;
  std::vector<nlohmann::json> with_stats;
  std::map<std::string, int64_t> by_node;
  nlohmann::json detail = nlohmann::json::array();
  for (size_t i = 0; i < windows.size() && i < outcome.size(); ++i) {
    const WindowOutcome& o = outcome[i];
    nlohmann::json d = {{"window", windows[i].key.window},
                        {"chunks", windows[i].chunks.size()},
                        {"holders_of_all", windows[i].candidates.size()}};
    if (o.output.is_null()) {
      ++failed;
      d["error"] = o.error;
    } else {
      (o.ran_at == core_name ? at_core : at_holders) += 1;
      ++by_node[o.ran_at];
      d["ran_at"] = o.ran_at;
      d["compute_ms"] = o.compute_ms;
      d["output"] = o.output;
      if (o.output.contains("stats")) with_stats.push_back(o.output);
      if (o.output.contains("zscore") && o.output["zscore"].is_object()) {
        z_total += o.output["zscore"].value("count", int64_t{0});
      }
    }
    detail.push_back(std::move(d));
  }
  nlohmann::json merged = nlohmann::json::object();
  if (rq.params.stats) {
    auto ms = analysis::MergeStats(with_stats);
    merged["stats"] = ms.ok() ? *ms : nlohmann::json(nullptr);
    if (!ms.ok()) merged["stats_error"] = ms.status().message();
  }
  if (rq.params.zscore) merged["zscore_count"] = z_total;
  return nlohmann::json{{"group", rq.group},
                        {"from", rq.from_ms},
                        {"to", rq.to_ms},
                        {"at", rq.at_core ? "core" : "auto"},
                        {"params", rq.params.ToJson()},
                        {"windows", windows.size()},
                        {"at_holders", at_holders},
                        {"at_core", at_core},
                        {"failed", failed},
                        {"task_failures", f.task_failures},
                        {"by_node", by_node},
                        {"bytes_fetched", f.bytes_fetched},
                        {"task_bytes", f.task_bytes},
                        {"wall_ms", f.wall_ms},
                        {"merged", merged},
                        {"results", f.results},
                        {"results_recorded", f.results_recorded},
                        {"window_outputs", detail}};
}

}  // namespace tern::core
