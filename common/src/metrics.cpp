// Counter registry.
#include "tern/common/metrics.h"

namespace tern {

std::atomic<int64_t>& Metrics::Counter(const std::string& name) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = index_.find(name);
  if (it != index_.end()) return *it->second;
  storage_.emplace_back(0);
  index_[name] = &storage_.back();
  return storage_.back();
}

int64_t Metrics::Get(const std::string& name) const {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = index_.find(name);
  return it == index_.end() ? 0 : it->second->load();
}

std::map<std::string, int64_t> Metrics::Snapshot() const {
  std::lock_guard<std::mutex> lk(mu_);
  std::map<std::string, int64_t> out;
  for (const auto& [k, v] : index_) out[k] = v->load();
  return out;
}

}  // namespace tern

#include <algorithm>

namespace tern {

void LatencyRecorder::Add(double ms) {
  std::lock_guard<std::mutex> lk(mu_);
  if (ring_.size() < cap_) {
    ring_.push_back(ms);
  } else {
    ring_[next_] = ms;
    next_ = (next_ + 1) % cap_;
  }
  ++total_;
}

double LatencyRecorder::Percentile(double p) const {
  std::vector<double> v;
  {
    std::lock_guard<std::mutex> lk(mu_);
    v = ring_;
  }
  if (v.empty()) return 0;
  auto k = static_cast<size_t>(std::min(1.0, std::max(0.0, p / 100)) * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

uint64_t LatencyRecorder::count() const {
  std::lock_guard<std::mutex> lk(mu_);
  return total_;
}

}  // namespace tern
