// Reads through the core (issue 12, item 4) with real processes: GET
// /api/v1/chunks/{id}/bytes asks the holder in the core's zone first (node.zone on the core
// and on one edge, sent in its heartbeats), keeps what it got in the read cache, and serves
// the second read of the same chunk from there (X-Tern-Holder: cache, cache_hits moved)
// even once every holder is stopped; with cache.max_bytes=0 nothing is cached and a read
// with every holder stopped fails (503).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

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

// Three edges, edge 2 in zone hall-a, settled: `hex` is an acked chunk held by all three
// (every chunk is: three edges, three copies); `port` and `token` reach the core's HTTP API.
struct ReadSite {
  Site site;
  std::string hex, token;
  int port = -1;

  explicit ReadSite(std::vector<std::string> core_overrides)
      : site(
            3,
            {"source.synthetic.rate=200", "source.synthetic.max_records=400", "chunk.window=200ms"},
            std::move(core_overrides)) {
    REQUIRE(site.StartCore());
    REQUIRE(site.StartEdge(0));
    REQUIRE(site.StartEdge(1));
    REQUIRE(site.StartEdgeWith(2, {"node.zone=hall-a"}));
    REQUIRE(Site::WaitFor(180, [&] { return site.Settled(3 * 400); }));
    std::set<ChunkId> acked;
    for (const auto& [id, holders] : site.ReadManifest(&acked)) {
      if (acked.count(id) && holders.size() == 3) hex = ToHex(id);
    }
    REQUIRE(!hex.empty());
    port = site.CoreStatus().value("http_port", -1);
    REQUIRE(port > 0);
    token = SiteToken(site);
    REQUIRE(!token.empty());
  }
  Read Get() const { return GetBytes(port, token, hex); }
  void StopEdges() {
    for (int i = 0; i < 3; ++i) site.KillEdge(i, 15);
  }
};

}  // namespace

TEST_SUITE("read_cache") {
  TEST_CASE("read cache: the nearest holder first, then the cache, even with the holders stopped") {
    ReadSite r({"node.zone=hall-a"});
    Site& site = r.site;
    // The core shows edge-2's zone (from its heartbeats) before the read relies on it.
    REQUIRE(Site::WaitFor(30, [&] {
      for (const auto& n : site.CoreStatus().value("nodes", nlohmann::json::array())) {
        if (n.value("name", "") == "edge-2") return n.value("zone", "") == "hall-a";
      }
      return false;
    }));

    const Read first = r.Get();
    INFO("core log: " << site.LogTail("core", 20));
    REQUIRE(first.status == 200);
    CHECK(ToHex(ChunkIdOf(first.body)) == r.hex);
    CHECK(first.holder == "edge-2");  // in the core's zone, whatever the loads
    CHECK(Site::WaitFor(10, [&] {
      return site.CoreCounter("cache_misses") == 1 && site.CoreCounter("cache_entries") == 1 &&
             site.CoreCounter("cache_bytes") == static_cast<int64_t>(first.body.size());
    }));

    r.StopEdges();
    const Read second = r.Get();
    REQUIRE(second.status == 200);
    CHECK(second.holder == "cache");
    CHECK(second.body == first.body);
    CHECK(Site::WaitFor(10, [&] { return site.CoreCounter("cache_hits") == 1; }));
    CHECK(Site::WaitFor(10, [&] {
      const auto m = HttpCall(r.port, "GET", "/metrics", r.token);
      return m.status == 200 &&
             m.body.find("\ntern_core_cache_hit_ratio 0.5\n") != std::string::npos;
    }));
  }

  TEST_CASE("read cache: with cache.max_bytes=0 nothing is cached") {
    ReadSite r({"cache.max_bytes=0"});
    Site& site = r.site;
    for (int round = 0; round < 2; ++round) {
      const Read got = r.Get();
      REQUIRE(got.status == 200);
      CHECK(ToHex(ChunkIdOf(got.body)) == r.hex);
      CHECK(got.holder.rfind("edge-", 0) == 0);  // a holder each time, never the cache
    }
    CHECK(Site::WaitFor(10, [&] { return site.CoreCounter("chunk_reads") == 2; }));
    CHECK(site.CoreCounter("cache_hits") == 0);
    CHECK(site.CoreCounter("cache_misses") == 0);
    CHECK(site.CoreCounter("cache_bytes") == 0);
    CHECK(site.CoreCounter("cache_entries") == 0);

    r.StopEdges();
    // The core asks the holders it still thinks live (5 s each at most), then answers 503.
    CHECK(r.Get().status == 503);
  }
}

}  // namespace tern::testing
