// ChunkCache: the core's read cache, an LRU of chunk wire bytes bounded in bytes
// (`cache.max_bytes`; 0 = off). ChunkFetcher puts in it what a holder sent for a
// GET /api/v1/chunks/{id}/bytes (verified: SHA-256(wire) == id) and looks there before it
// asks a holder again. Ids are content hashes, so an entry never goes stale: bytes that hash
// to the id are the chunk. The fetcher reads the manifest first, so a chunk the manifest no
// longer lists is answered 404 even while its bytes are still cached (they age out).
//
// The bound counts the wire bytes held (not the bookkeeping); a chunk bigger than the whole
// bound is not kept. Putting one evicts least recently used entries until it fits; a hit
// makes an entry the most recently used. Counters (in the Metrics given): cache_hits,
// cache_misses (lookups while the cache is on; an off cache counts nothing),
// cache_evictions; gauges cache_bytes and cache_entries (set at construction and on every
// change).
// Thread-safety: every method may be called from any number of threads at once (one mutex;
// the bytes are shared, so a hit copies them outside the lock).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "tern/common/chunk.h"
#include "tern/common/metrics.h"

namespace tern::core {

class ChunkCache {
 public:
  // `metrics` may be null (no counters); it must outlive the cache.
  ChunkCache(int64_t max_bytes, Metrics* metrics);

  bool enabled() const { return max_bytes_ > 0; }
  int64_t max_bytes() const { return max_bytes_; }

  // The cached bytes of `id` (now the most recently used), or nullopt. Counts a hit or a
  // miss while enabled.
  std::optional<std::string> Get(const ChunkId& id);
  // Keeps `wire` (the caller verified it hashes to `id`) as the most recently used entry,
  // evicting the least recently used until the bound holds. No-op when off, when `wire` alone
  // exceeds the bound, or when `id` is already cached (it only becomes the most recent).
  void Put(const ChunkId& id, std::string wire);

  int64_t bytes() const;
  size_t entries() const;

 private:
  struct Node {
    ChunkId id;
    std::shared_ptr<const std::string> wire;
  };
  void Gauges();  // mu_ held
  void Count(const char* name);

  const int64_t max_bytes_;
  Metrics* const m_;
  mutable std::mutex mu_;
  std::list<Node> lru_;  // guarded by mu_; front = most recently used
  std::unordered_map<ChunkId, std::list<Node>::iterator> index_;  // guarded by mu_
  int64_t bytes_ = 0;                                             // guarded by mu_
};

}  // namespace tern::core
