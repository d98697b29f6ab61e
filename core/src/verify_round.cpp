// VerifyRound: see verify_round.h.
#include "verify_round.h"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "tern/common/bytes.h"
#include "tern/common/hlc.h"

namespace tern::core {

namespace {
constexpr size_t kMaxProblems = 100;
}

bool VerifyRound::OnReport(const ReportFindings& f) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = asked_.find(f.report);
  if (it == asked_.end() || it->second.first != f.holder) return false;
  answered_[f.report] = f;
  cv_.notify_all();
  return true;
}

void VerifyRound::Wait(std::chrono::milliseconds timeout, const std::atomic<bool>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lk(mu_);
  while (answered_.size() < asked_.size() && !stop.load()) {
    if (std::chrono::steady_clock::now() >= deadline) return;
    // Short slices: a stopping core ends the wait without anyone notifying.
    cv_.wait_for(lk, std::chrono::milliseconds(100));
  }
}

bool InFlightRule::InFlight(const ChunkRecord& r) const {
  if (now_ms == 0) return false;
  if (!r.acked && r.origin != core_addr) return true;
  return HybridClock::PhysicalMs(r.t_last) + window_ms > now_ms;
}

nlohmann::json VerifyRound::Document(const std::vector<ChunkRecord>& all,
                                     const std::function<bool(uint32_t)>& good, int copies,
                                     const InFlightRule& rule) const {
  std::lock_guard<std::mutex> lk(mu_);
  nlohmann::json problems = nlohmann::json::array();
  auto problem = [&](const ChunkId& id, const char* what, const std::string& node) {
    if (problems.size() < kMaxProblems) {
      problems.push_back({{"id", ToHex(id)}, {"problem", what}, {"node", node}});
    }
  };
  // Which manifest chunks are in flight (a report's ids are looked up here).
  std::unordered_set<ChunkId> moving;
  for (const ChunkRecord& r : all) {
    if (rule.InFlight(r)) moving.insert(r.id);
  }
  struct Counts {
    int64_t missing = 0, extra = 0, under = 0, lost = 0;
  } real, flying;
  int64_t corrupt = 0;
  nlohmann::json answered = nlohmann::json::array(), silent = nlohmann::json::array();
  for (const auto& [report, who] : asked_) {
    auto it = answered_.find(report);
    if (it == answered_.end()) {
      silent.push_back(who.second);
      continue;
    }
    answered.push_back(who.second);
    const ReportFindings& f = it->second;
    // Corrupt copies are never in flight: their bytes do not hash to their id.
    for (const auto& id : f.corrupt) problem(id, "corrupt", who.second);
    corrupt += static_cast<int64_t>(f.corrupt.size());
    for (const auto& id : f.missing) {
      if (moving.count(id)) {
        ++flying.missing;
      } else {
        ++real.missing;
        problem(id, "missing", who.second);
      }
    }
    for (const auto& id : f.extra) {
      if (moving.count(id)) {
        ++flying.extra;
      } else {
        ++real.extra;
        problem(id, "extra", who.second);
      }
    }
  }
  std::array<int64_t, 5> by{};
  for (const ChunkRecord& r : all) {
    const int g = static_cast<int>(std::count_if(r.holders.begin(), r.holders.end(), good));
    ++by[static_cast<size_t>(std::min(g, 4))];
    const bool in_flight = moving.count(r.id) != 0;
    if (g == 0) {
      ++(in_flight ? flying : real).lost;
      if (!in_flight) problem(r.id, "lost", "");
    } else if (g < copies) {
      ++(in_flight ? flying : real).under;
      if (!in_flight) problem(r.id, "under_replicated", "");
    }
  }
  const bool ok =
      real.missing == 0 && real.lost == 0 && corrupt == 0 && real.under == 0 && silent.empty();
  return {{"ok", ok},
          {"chunks", all.size()},
          {"missing", real.missing},
          {"extra", real.extra},
          {"corrupt", corrupt},
          {"under_replicated", real.under},
          {"lost", real.lost},
          {"in_flight",
           {{"chunks", moving.size()},
            {"window_s", rule.window_ms / 1000},
            {"missing", flying.missing},
            {"extra", flying.extra},
            {"under_replicated", flying.under},
            {"lost", flying.lost}}},
          {"by_copies", {{"0", by[0]}, {"1", by[1]}, {"2", by[2]}, {"3", by[3]}, {"4+", by[4]}}},
          {"stores_answered", std::move(answered)},
          {"stores_silent", std::move(silent)},
          {"problems", std::move(problems)}};
}

}  // namespace tern::core
