// Reads through the core (issue 12, item 4) with real processes: GET
// /api/v1/chunks/{id}/bytes asks the holder in the core's zone first (node.zone on the core
// and on one edge, sent in its heartbeats), keeps what it got in the read cache, and serves
// the second read of the same chunk from there (X-Tern-Holder: cache, cache_hits moved)
// even once every holder is stopped; with cache.max_bytes=0 nothing is cached and a read
// with every holder stopped fails (503).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"
#include "tern/common/bytes.h"

namespace tern::testing {
namespace {

struct Read {
  int status = -1;
  std::string holder;  // X-Tern-Holder
  std::string body;
};

Read GetBytes(int port, const std::string& token, const std::string& hex) {
  const std::string raw =
      RawHttp(port, "GET /api/v1/chunks/" + hex + "/bytes HTTP/1.0\r\nHost: localhost\r\n" +
                        "Authorization: Bearer " + token + "\r\n\r\n");
  Read r;
  const size_t head = raw.find("\r\n\r\n");
  if (head == std::string::npos) return r;
  r.status = HttpStatusOf(raw);
  r.body = raw.substr(head + 4);
  const std::string key = "\r\nX-Tern-Holder: ";
  if (size_t at = raw.find(key); at != std::string::npos && at < head) {
    const size_t from = at + key.size();
    r.holder = raw.substr(from, raw.find("\r\n", from) - from);
  }
  return r;
}

// Starts the site with edge 2 in zone hall-a, settles it, and returns an acked chunk held by
// all three edges (every chunk is: three edges, three copies).
std::string SettledChunk(Site& site, int64_t records) {
  REQUIRE(site.StartCore());
  REQUIRE(site.StartEdge(0));
  REQUIRE(site.StartEdge(1));
  REQUIRE(site.StartEdgeWith(2, {"node.zone=hall-a"}));
  REQUIRE(Site::WaitFor(180, [&] { return site.Settled(records); }));
  std::set<ChunkId> acked;
  for (const auto& [id, holders] : site.ReadManifest(&acked)) {
    if (acked.count(id) && holders.size() == 3) return ToHex(id);
  }
  FAIL("no acked chunk with three holders");
  return "";
}

}  // namespace

TEST_SUITE("read_cache") {
  TEST_CASE("read cache: the nearest holder first, then the cache, even with the holders stopped") {
    const int64_t kPerEdge = 400;
    Site site(
        3, {"source.synthetic.rate=200", "source.synthetic.max_records=400", "chunk.window=200ms"},
        {"node.zone=hall-a"});
    const std::string hex = SettledChunk(site, 3 * kPerEdge);
    const int port = site.CoreStatus().value("http_port", -1);
    REQUIRE(port > 0);
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());
    // The core shows edge-2's zone (from its heartbeats) before the read relies on it.
    REQUIRE(Site::WaitFor(30, [&] {
      for (const auto& n : site.CoreStatus().value("nodes", nlohmann::json::array())) {
        if (n.value("name", "") == "edge-2") return n.value("zone", "") == "hall-a";
      }
      return false;
    }));

    const Read first = GetBytes(port, token, hex);
    INFO("core log: " << site.LogTail("core", 20));
    REQUIRE(first.status == 200);
    CHECK(ToHex(ChunkIdOf(first.body)) == hex);
    CHECK(first.holder == "edge-2");  // in the core's zone, whatever the loads
    CHECK(Site::WaitFor(10, [&] {
      return site.CoreCounter("cache_misses") == 1 && site.CoreCounter("cache_entries") == 1 &&
             site.CoreCounter("cache_bytes") == static_cast<int64_t>(first.body.size());
    }));

    for (int i = 0; i < 3; ++i) site.KillEdge(i, 15);
    const Read second = GetBytes(port, token, hex);
    REQUIRE(second.status == 200);
    CHECK(second.holder == "cache");
    CHECK(second.body == first.body);
    CHECK(Site::WaitFor(10, [&] { return site.CoreCounter("cache_hits") == 1; }));
    CHECK(Site::WaitFor(10, [&] {
      const auto m = HttpCall(port, "GET", "/metrics", token);
      return m.status == 200 &&
             m.body.find("\ntern_core_cache_hit_ratio 0.5\n") != std::string::npos;
    }));
  }

  TEST_CASE("read cache: with cache.max_bytes=0 nothing is cached") {
    const int64_t kPerEdge = 400;
    Site site(
        3, {"source.synthetic.rate=200", "source.synthetic.max_records=400", "chunk.window=200ms"},
        {"cache.max_bytes=0"});
    const std::string hex = SettledChunk(site, 3 * kPerEdge);
    const int port = site.CoreStatus().value("http_port", -1);
    REQUIRE(port > 0);
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());

    for (int round = 0; round < 2; ++round) {
      const Read r = GetBytes(port, token, hex);
      REQUIRE(r.status == 200);
      CHECK(ToHex(ChunkIdOf(r.body)) == hex);
      CHECK(r.holder.rfind("edge-", 0) == 0);  // a holder each time, never the cache
    }
    CHECK(Site::WaitFor(10, [&] { return site.CoreCounter("chunk_reads") == 2; }));
    CHECK(site.CoreCounter("cache_hits") == 0);
    CHECK(site.CoreCounter("cache_misses") == 0);
    CHECK(site.CoreCounter("cache_bytes") == 0);
    CHECK(site.CoreCounter("cache_entries") == 0);

    for (int i = 0; i < 3; ++i) site.KillEdge(i, 15);
    // The core asks the holders it still thinks live (5 s each at most), then answers 503.
    const Read gone = GetBytes(port, token, hex);
    CHECK(gone.status == 503);
  }
}

}  // namespace tern::testing
