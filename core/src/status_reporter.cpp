// StatusReporter: see status_reporter.h.
#include "status_reporter.h"

#include "tern/common/files.h"

namespace tern::core {

nlohmann::json StatusReporter::Compose(const StatusFacts& f,
                                       const std::map<std::string, int64_t>& counters) {
  nlohmann::json j;
  j["name"] = f.name;
  j["connected"] = f.connected;
  j["broker_heard"] = f.broker_heard;
  j["counters"] = counters;
  j["spool_depth"] = f.spool_depth;
  j["addr"] = f.addr;
  j["http_port"] = f.http_port;
  j["results_placing"] = f.results_placing;
  j["excess_pending"] = f.excess_pending;
  if (!f.scheduler.is_null()) j["scheduler"] = f.scheduler;
  j["manifest_chunks"] = f.manifest_chunks;
  j["nodes"] = f.nodes;
  // The site's dedup savings: what the members' last heartbeats said, summed.
  int64_t saved = 0;
  for (const auto& n : f.nodes) {
    if (n.is_object() && n.contains("dedup_saved_bytes") &&
        n["dedup_saved_bytes"].is_number_integer()) {
      saved += n["dedup_saved_bytes"].get<int64_t>();
    }
  }
  j["dedup_saved_bytes"] = saved;
  if (!f.board.is_null()) j["board"] = f.board;
  return j;
}

void StatusReporter::Report(const StatusFacts& facts) {
  nlohmann::json j = Compose(facts, m_->Snapshot());
  live_mask_ = facts.live_mask;
  edge_down_ = facts.edge_down;
  store_fill_permille_ = facts.store_fill_permille;
  {
    std::lock_guard<std::mutex> lk(mu_);
    last_ = j;
  }
  if (!WriteFileAtomic(path_, j.dump(1) + "\n").ok()) m_->Add("status_write_errors");
}

nlohmann::json StatusReporter::Json() const {
  std::lock_guard<std::mutex> lk(mu_);
  return last_;
}

}  // namespace tern::core
