// CpuMeter and ResultLog.
#include "reporting.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "tern/common/bytes.h"
#include "tern/common/hlc.h"

namespace tern::edge {

double CpuMeter::Sample() {
  std::ifstream in("/proc/self/stat");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  size_t p = s.rfind(')');
  if (p == std::string::npos || p + 2 > s.size()) return 0;
  std::istringstream is(s.substr(p + 2));
  uint64_t ut = 0, st = 0;
  std::string f;
  // Fields 14 and 15 (utime, stime) counted from 1; the text after ')' starts at field 3.
  for (int i = 3; i <= 15 && is >> f; ++i) {
    if (i == 14) ut = std::strtoull(f.c_str(), nullptr, 10);
    if (i == 15) st = std::strtoull(f.c_str(), nullptr, 10);
  }
  uint64_t ticks = ut + st, now = MonotonicUs();
  double load = 0;
  if (last_us_) {
    double cpu_s =
        static_cast<double>(ticks - last_ticks_) / static_cast<double>(sysconf(_SC_CLK_TCK));
    double wall_s = static_cast<double>(now - last_us_) / 1e6;
    double cores = std::max(1u, std::thread::hardware_concurrency());
    load = wall_s > 0 ? cpu_s / wall_s / cores : 0;
  }
  last_ticks_ = ticks;
  last_us_ = now;
  return std::clamp(load, 0.0, 1.0);
}

void ResultLog::OnResultNote(const msg::ResultNote& r) {
  // Analysis of our data came back. Its copy arrives separately as a put like any chunk.
  m_->Add("results_received");
  nlohmann::json brief = {{"id", ToHex(r.id)},
                          {"processor", r.processor},
                          {"source", r.source},
                          {"source_seq", r.source_seq},
                          {"anomalies", r.anomalies}};
  if (r.anomalies > 0) {
    m_->Add("alarms_received");
    nlohmann::json first = r.FirstAnomaly();
    spdlog::warn("edge {}: ALARM from the core: {} anomalies in {} of {} #{}{}", node_, r.anomalies,
                 r.processor, r.source, r.source_seq,
                 first.is_null() ? "" : ", first: " + first.dump());
    brief["first"] = first;
  }
  std::lock_guard<std::mutex> lk(mu_);
  auto& list = r.anomalies > 0 ? alarms_ : results_;
  list.push_back(std::move(brief));
  if (list.size() > keep_) list.pop_front();
}

nlohmann::json ResultLog::Results() const {
  std::lock_guard<std::mutex> lk(mu_);
  return nlohmann::json(std::vector<nlohmann::json>(results_.begin(), results_.end()));
}

nlohmann::json ResultLog::Alarms() const {
  std::lock_guard<std::mutex> lk(mu_);
  return nlohmann::json(std::vector<nlohmann::json>(alarms_.begin(), alarms_.end()));
}

}  // namespace tern::edge
