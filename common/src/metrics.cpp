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
