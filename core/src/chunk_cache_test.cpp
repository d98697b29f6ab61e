// ChunkCache: least recently used goes first, the byte bound always holds (a chunk bigger
// than the bound is not kept), an off cache keeps and counts nothing, the counters and
// gauges follow every change, and concurrent readers and writers keep it consistent.
#include "chunk_cache.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tern::core {
namespace {

std::string Bytes(size_t n, char c) { return std::string(n, c); }

}  // namespace

TEST_SUITE("chunk_cache") {
  TEST_CASE("a put entry is served and counted as a hit") {
    Metrics m;
    ChunkCache c(1000, &m);
    CHECK(m.Get("cache_bytes") == 0);
    CHECK(m.Get("cache_entries") == 0);
    CHECK_FALSE(c.Get("a").has_value());
    CHECK(m.Get("cache_misses") == 1);
    c.Put("a", Bytes(100, 'a'));
    auto e = c.Get("a");
    REQUIRE(e.has_value());
    CHECK(*e == Bytes(100, 'a'));
    CHECK(m.Get("cache_hits") == 1);
    CHECK(m.Get("cache_bytes") == 100);
    CHECK(m.Get("cache_entries") == 1);
  }

  TEST_CASE("the least recently used entry is evicted first, a hit refreshes an entry") {
    Metrics m;
    ChunkCache c(300, &m);
    c.Put("a", Bytes(100, 'a'));
    c.Put("b", Bytes(100, 'b'));
    c.Put("c", Bytes(100, 'c'));
    CHECK(c.bytes() == 300);
    REQUIRE(c.Get("a").has_value());  // a is now the most recent: b is the oldest
    c.Put("d", Bytes(100, 'd'));
    CHECK_FALSE(c.Get("b").has_value());
    CHECK(c.Get("a").has_value());
    CHECK(c.Get("c").has_value());
    CHECK(c.Get("d").has_value());
    CHECK(m.Get("cache_evictions") == 1);
    CHECK(c.bytes() == 300);
    CHECK(c.entries() == 3);
    // A bigger chunk evicts as many as it needs, oldest first (a, c, d were used in that
    // order; a 250-byte chunk needs all but 50 bytes).
    c.Put("e", Bytes(250, 'e'));
    CHECK(c.entries() == 1);
    CHECK(c.bytes() == 250);
    CHECK(m.Get("cache_evictions") == 4);
    CHECK(m.Get("cache_bytes") == 250);
    CHECK(m.Get("cache_entries") == 1);
  }

  TEST_CASE("a chunk bigger than the bound is not kept and evicts nothing") {
    Metrics m;
    ChunkCache c(300, &m);
    c.Put("a", Bytes(200, 'a'));
    c.Put("huge", Bytes(301, 'x'));
    CHECK_FALSE(c.Get("huge").has_value());
    CHECK(c.Get("a").has_value());
    CHECK(c.bytes() == 200);
    CHECK(m.Get("cache_evictions") == 0);
    c.Put("exact", Bytes(300, 'x'));  // exactly the bound fits (after evicting a)
    CHECK(c.Get("exact").has_value());
    CHECK(c.bytes() == 300);
  }

  TEST_CASE("putting an id already cached keeps one copy and refreshes it") {
    ChunkCache c(300, nullptr);
    c.Put("a", Bytes(100, 'a'));
    c.Put("b", Bytes(100, 'b'));
    c.Put("a", Bytes(100, 'a'));  // same content (same id): one copy
    CHECK(c.entries() == 2);
    CHECK(c.bytes() == 200);
    c.Put("c", Bytes(100, 'c'));
    c.Put("d", Bytes(100, 'd'));  // evicts b, the oldest: a was refreshed
    CHECK_FALSE(c.Get("b").has_value());
    CHECK(c.Get("a").has_value());
  }

  TEST_CASE("an off cache keeps nothing and counts nothing") {
    Metrics m;
    ChunkCache c(0, &m);
    CHECK_FALSE(c.enabled());
    c.Put("a", Bytes(10, 'a'));
    CHECK_FALSE(c.Get("a").has_value());
    CHECK(c.entries() == 0);
    CHECK(m.Get("cache_hits") == 0);
    CHECK(m.Get("cache_misses") == 0);
    CHECK(m.Get("cache_bytes") == 0);
  }

  TEST_CASE("concurrent puts and gets keep the bound and serve only what was put") {
    Metrics m;
    ChunkCache c(64 * 100, &m);
    std::vector<std::thread> ts;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < 2000; ++i) {
          const int k = (i * 7 + t * 13) % 200;
          const std::string id = "id" + std::to_string(k);
          const std::string wire = Bytes(static_cast<size_t>(50 + k % 50), static_cast<char>(k));
          if (auto e = c.Get(id)) {
            if (*e != wire) ++wrong;
          } else {
            c.Put(id, wire);
          }
          if (c.bytes() > 64 * 100) ++wrong;
        }
      });
    }
    for (auto& t : ts) t.join();
    CHECK(wrong == 0);
    CHECK(c.bytes() <= 64 * 100);
    CHECK(m.Get("cache_hits") + m.Get("cache_misses") == 4 * 2000);
    CHECK(m.Get("cache_bytes") == c.bytes());
    CHECK(m.Get("cache_entries") == static_cast<int64_t>(c.entries()));
  }
}

}  // namespace tern::core
