// ChunkFetcher: the spool first, then the read cache, then live holders nearest first (the
// core's zone, then lowest load, then name), a nack or silence moves on, answers from the
// wrong holder or for the wrong chunk are refused, and every failure names the holders tried.
#include "chunk_fetcher.h"

#include <doctest/doctest.h>

#include "chunk_cache.h"
#include "tern/common/bytes.h"
#include "tern/common/protocol.h"

namespace tern::core {
namespace {

struct Sent {
  std::string topic;
  msg::Get get;
};

struct Rig {
  std::string wire = "some chunk bytes";
  ChunkId id = ChunkIdOf(wire);
  std::optional<ChunkWhere> where = ChunkWhere{{1, 2, 3}, std::nullopt};
  std::vector<LiveNode> live = {{1, "edge-1", 0.9}, {2, "edge-2", 0.1}, {3, "edge-3", 0.5}};
  std::vector<Sent> sent;
  // What the holder named answers, called from inside send (before Fetch waits).
  std::function<void(ChunkFetcher&, const Sent&)> answer;
  Metrics m;
  std::unique_ptr<ChunkCache> cache;
  std::unique_ptr<ChunkFetcher> f;

  explicit Rig(int timeout_ms = 5000, int64_t cache_bytes = -1, std::string zone = "") {
    if (cache_bytes >= 0) cache = std::make_unique<ChunkCache>(cache_bytes, &m);
    ChunkFetcherDeps d;
    d.where = [this](const ChunkId& q) -> Result<std::optional<ChunkWhere>> {
      if (q != id) return std::optional<ChunkWhere>();
      return where;
    };
    d.live = [this] { return live; };
    d.send = [this](const std::string& t, const std::string& p) {
      auto g = msg::Get::Decode(nlohmann::json::parse(p));
      REQUIRE(g.ok());
      sent.push_back({t, *g});
      if (answer) answer(*f, sent.back());
    };
    d.down_prefix = "tern/down/";
    d.core_name = "core";
    d.timeout_ms = timeout_ms;
    d.metrics = &m;
    d.zone = std::move(zone);
    d.cache = cache.get();
    f = std::make_unique<ChunkFetcher>(std::move(d));
  }
  std::string Got(uint32_t sender, uint64_t req, const std::string& bytes) const {
    return EncodeEnvelope(EnvelopeType::kGot, sender, req, ChunkIdOf(bytes), "", bytes);
  }
};

std::string NameOf(const std::string& topic) { return topic.substr(topic.rfind('/') + 1); }

}  // namespace

TEST_SUITE("chunk_fetcher") {
  TEST_CASE("a chunk not in the manifest is NotFound and nothing is sent") {
    Rig r;
    auto got = r.f->Fetch(ChunkIdOf("other"));
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == Status::Code::kNotFound);
    CHECK(got.status().message().find("not in the manifest") != std::string::npos);
    CHECK(r.sent.empty());
  }

  TEST_CASE("spooled bytes are served by the core without asking a holder") {
    Rig r;
    r.where->spooled = r.wire;
    auto got = r.f->Fetch(r.id);
    REQUIRE(got.ok());
    CHECK(got->wire == r.wire);
    CHECK(got->holder == "core");
    CHECK(r.sent.empty());
    CHECK(r.m.Get("chunk_reads") == 1);
  }

  TEST_CASE("the live holder with the lowest load is asked first and its bytes served") {
    Rig r;
    r.answer = [&](ChunkFetcher& f, const Sent& s) {
      CHECK(f.OnGot(NameOf(s.topic), r.Got(2, s.get.req, r.wire)));
    };
    auto got = r.f->Fetch(r.id);
    REQUIRE(got.ok());
    CHECK(got->holder == "edge-2");
    CHECK(got->wire == r.wire);
    REQUIRE(r.sent.size() == 1);
    CHECK(r.sent[0].topic == "tern/down/edge-2");
    CHECK(r.sent[0].get.id == r.id);
    CHECK(r.m.Get("chunk_reads") == 1);
  }

  TEST_CASE("a nack moves on to the next holder by load, dead holders are never asked") {
    Rig r;
    r.live.erase(r.live.begin());  // edge-1 is not live
    r.answer = [&](ChunkFetcher& f, const Sent& s) {
      if (NameOf(s.topic) == "edge-2") {
        msg::GetNack n;
        n.id = r.id;
        n.holder = 2;
        n.req = s.get.req;
        n.reason = "not held";
        CHECK(f.OnGetNack(n, "edge-2"));
      } else {
        CHECK(f.OnGot(NameOf(s.topic), r.Got(3, s.get.req, r.wire)));
      }
    };
    auto got = r.f->Fetch(r.id);
    REQUIRE(got.ok());
    CHECK(got->holder == "edge-3");
    REQUIRE(r.sent.size() == 2);
    CHECK(r.sent[0].topic == "tern/down/edge-2");
    CHECK(r.sent[1].topic == "tern/down/edge-3");
  }

  TEST_CASE("answers from another node or for another chunk are refused and counted") {
    Rig r(/*timeout_ms=*/200);
    r.answer = [&](ChunkFetcher& f, const Sent& s) {
      CHECK_FALSE(f.OnGot("edge-9", r.Got(9, s.get.req, r.wire)));              // not asked
      CHECK_FALSE(f.OnGot(NameOf(s.topic), r.Got(2, s.get.req, "other")));      // other chunk
      CHECK_FALSE(f.OnGot(NameOf(s.topic), r.Got(2, s.get.req + 99, r.wire)));  // no such req
      CHECK_FALSE(f.OnGot(NameOf(s.topic), "TRNM garbage"));
    };
    auto got = r.f->Fetch(r.id);
    REQUIRE_FALSE(got.ok());
    CHECK(r.m.Get("chunk_read_refused") == 12);
    CHECK(r.sent.size() == 3);
  }

  TEST_CASE("silence from every live holder is Unavailable naming each one tried") {
    Rig r(/*timeout_ms=*/100);
    auto got = r.f->Fetch(r.id);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == Status::Code::kUnavailable);
    for (const char* n : {"edge-1", "edge-2", "edge-3"}) {
      CHECK(got.status().message().find(n) != std::string::npos);
    }
    CHECK(got.status().message().find("no answer") != std::string::npos);
    CHECK(r.m.Get("chunk_read_failures") == 1);
    CHECK(r.m.Get("chunk_reads") == 0);
  }

  TEST_CASE("no live holder at all is Unavailable at once") {
    Rig r;
    r.live.clear();
    auto got = r.f->Fetch(r.id);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().message().find("no live holder") != std::string::npos);
    CHECK(r.sent.empty());
  }

  TEST_CASE("a status document gives the live nodes with their load and zone") {
    auto live = ChunkFetcher::LiveFromStatus([] {
      return nlohmann::json::parse(
          R"({"nodes":[{"addr":1,"name":"a","state":"live","load":0.5,"zone":"z1"},
        {"addr":2,"name":"b","state":"dead","load":0.1},{"addr":3,"name":"c","state":"live",
        "load":null},{"name":"x","state":"live"}]})");
    })();
    REQUIRE(live.size() == 2);
    CHECK(live[0].name == "a");
    CHECK(live[0].load == doctest::Approx(0.5));
    CHECK(live[0].zone == "z1");
    CHECK(live[1].zone.empty());
    CHECK(live[1].addr == 3);
    CHECK(live[1].load == 0);
    CHECK(ChunkFetcher::LiveFromStatus([] { return nlohmann::json(); })().empty());
  }

  TEST_CASE("holders in the core's zone are asked first, then by load, then by name") {
    const std::vector<LiveNode> live = {{1, "edge-1", 0.9, "hall-a"},
                                        {2, "edge-2", 0.1, "hall-b"},
                                        {3, "edge-3", 0.5, "hall-a"},
                                        {4, "edge-4", 0.1, ""},
                                        {5, "edge-5", 0.0, "hall-a"}};
    auto names = [](const std::vector<LiveNode>& v) {
      std::string s;
      for (const auto& n : v) s += n.name + " ";
      return s;
    };
    // Holder 5 is not a holder, 6 is not live: neither is asked.
    CHECK(names(OrderHolders({1, 2, 3, 4, 6}, live, "hall-a")) == "edge-3 edge-1 edge-2 edge-4 ");
    // No zone of its own (or one no holder has): load, then name.
    CHECK(names(OrderHolders({1, 2, 3, 4}, live, "")) == "edge-2 edge-4 edge-3 edge-1 ");
    CHECK(names(OrderHolders({1, 2, 3, 4}, live, "hall-z")) == "edge-2 edge-4 edge-3 edge-1 ");
    // A holder without a zone is never "in" the core's zone, even an empty one.
    CHECK(names(OrderHolders({4, 2}, live, "hall-b")) == "edge-2 edge-4 ");
  }

  TEST_CASE("a fetch asks the holder in the core's zone before a less loaded one elsewhere") {
    Rig r(5000, -1, "hall-a");
    r.live = {{1, "edge-1", 0.9, "hall-a"}, {2, "edge-2", 0.1, "hall-b"}, {3, "edge-3", 0.5, ""}};
    r.answer = [&](ChunkFetcher& f, const Sent& s) {
      CHECK(f.OnGot(NameOf(s.topic), r.Got(1, s.get.req, r.wire)));
    };
    auto got = r.f->Fetch(r.id);
    REQUIRE(got.ok());
    CHECK(got->holder == "edge-1");
    REQUIRE(r.sent.size() == 1);
    CHECK(r.sent[0].topic == "tern/down/edge-1");
  }

  TEST_CASE("bytes from a holder are cached: the next read is served without asking anyone") {
    Rig r(5000, 1 << 20);
    r.answer = [&](ChunkFetcher& f, const Sent& s) {
      CHECK(f.OnGot(NameOf(s.topic), r.Got(2, s.get.req, r.wire)));
    };
    auto first = r.f->Fetch(r.id);
    REQUIRE(first.ok());
    CHECK(first->holder == "edge-2");
    CHECK(r.m.Get("cache_misses") == 1);
    CHECK(r.m.Get("cache_bytes") == static_cast<int64_t>(r.wire.size()));
    r.live.clear();  // every holder gone: the cache still serves it
    auto second = r.f->Fetch(r.id);
    REQUIRE(second.ok());
    CHECK(second->holder == kFromCache);
    CHECK(second->wire == r.wire);
    CHECK(r.sent.size() == 1);
    CHECK(r.m.Get("cache_hits") == 1);
    CHECK(r.m.Get("chunk_reads") == 2);
    // A chunk the manifest no longer lists is not served from the cache.
    r.where.reset();
    auto gone = r.f->Fetch(r.id);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.status().code() == Status::Code::kNotFound);
    CHECK(r.m.Get("cache_hits") == 1);
  }

  TEST_CASE("spooled bytes are served from the spool and not cached, and an off cache keeps none") {
    Rig spool(5000, 1 << 20);
    spool.where->spooled = spool.wire;
    REQUIRE(spool.f->Fetch(spool.id).ok());
    CHECK(spool.cache->entries() == 0);
    CHECK(spool.m.Get("cache_misses") == 0);  // the cache was not even looked at

    Rig off(5000, 0);
    off.answer = [&](ChunkFetcher& f, const Sent& s) {
      CHECK(f.OnGot(NameOf(s.topic), off.Got(2, s.get.req, off.wire)));
    };
    REQUIRE(off.f->Fetch(off.id).ok());
    REQUIRE(off.f->Fetch(off.id).ok());
    CHECK(off.sent.size() == 2);  // both reads asked a holder
    CHECK(off.m.Get("cache_hits") == 0);
    CHECK(off.m.Get("cache_bytes") == 0);
  }
}

}  // namespace tern::core
