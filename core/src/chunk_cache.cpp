// ChunkCache: see chunk_cache.h.
#include "chunk_cache.h"

namespace tern::core {

ChunkCache::ChunkCache(int64_t max_bytes, Metrics* metrics)
    : max_bytes_(max_bytes < 0 ? 0 : max_bytes), m_(metrics) {
  std::lock_guard<std::mutex> lk(mu_);
  Gauges();  // present from the first scrape, at 0
}

void ChunkCache::Count(const char* name) {
  if (m_) m_->Add(name);
}

void ChunkCache::Gauges() {
  if (!m_) return;
  m_->Set("cache_bytes", bytes_);
  m_->Set("cache_entries", static_cast<int64_t>(index_.size()));
}

std::optional<std::string> ChunkCache::Get(const ChunkId& id) {
  if (!enabled()) return std::nullopt;
  std::shared_ptr<const std::string> e;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = index_.find(id);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);  // now the most recently used
      e = it->second->wire;
    }
  }
  Count(e ? "cache_hits" : "cache_misses");
  if (!e) return std::nullopt;
  return *e;  // copied outside the lock
}

void ChunkCache::Put(const ChunkId& id, std::string wire) {
  const auto size = static_cast<int64_t>(wire.size());
  if (!enabled() || size > max_bytes_) return;
  auto e = std::make_shared<const std::string>(std::move(wire));
  int64_t evicted = 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (auto it = index_.find(id); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    while (!lru_.empty() && bytes_ + size > max_bytes_) {
      const Node& old = lru_.back();
      bytes_ -= static_cast<int64_t>(old.wire->size());
      index_.erase(old.id);
      lru_.pop_back();
      ++evicted;
    }
    lru_.push_front(Node{id, std::move(e)});
    index_[id] = lru_.begin();
    bytes_ += size;
    Gauges();
  }
  if (evicted > 0 && m_) m_->Add("cache_evictions", evicted);
}

int64_t ChunkCache::bytes() const {
  std::lock_guard<std::mutex> lk(mu_);
  return bytes_;
}

size_t ChunkCache::entries() const {
  std::lock_guard<std::mutex> lk(mu_);
  return index_.size();
}

}  // namespace tern::core
