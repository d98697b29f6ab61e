#include "result_placer.h"

#include <doctest/doctest.h>

namespace tern::core {
namespace {
constexpr uint32_t kCore = 1;
struct Fixture {
  Metrics m;
  Membership members{3000, 10000};
  ResultPlacer p{3, 3000, kCore, Topics(), &m};
  std::map<ChunkId, std::vector<uint32_t>> holders;
  ChunkId id = std::string(32, 'r');
  Fixture() {
    members.SetCoreName("core");
    for (uint32_t a = 2; a <= 6; ++a) {
      members.Add(a, "n" + std::to_string(a));
      msg::Heartbeat hb;
      hb.cpu = 0.1 * a;
      (void)members.OnHeartbeat(a, hb, 0);
    }
  }
  std::vector<uint32_t> Puts(uint64_t now) {
    std::vector<uint32_t> to;
    for (const auto& o : p.Tick(now, members, [&](const ChunkId& c) { return holders[c]; })) {
      auto t = Topics().Parse(o.topic);
      if (t.kind == "put") to.push_back(members.AddrOf(t.to));
    }
    return to;
  }
};
}  // namespace

TEST_SUITE("result_placer") {
  TEST_CASE("a result goes to its edge first, then the least loaded, resent after the timeout") {
    Fixture f;
    f.p.Add(f.id, "wire", 5);
    CHECK(f.Puts(100) == std::vector<uint32_t>{2, 3, 5});
    CHECK(f.Puts(200).empty());  // waiting for the stores' notices
    f.holders[f.id] = {5, 2};
    CHECK(f.Puts(3200) == std::vector<uint32_t>{3});
    CHECK(f.m.Get("result_resends") == 1);
  }

  TEST_CASE("a put_nack sends the copy elsewhere, a store that went offline is replaced") {
    Fixture f;
    f.p.Add(f.id, "wire", 5);
    CHECK(f.Puts(100).size() == 3);
    msg::PutNack n;
    n.id = f.id;
    n.holder = 3;
    f.p.OnPutNack(n);
    CHECK(f.m.Get("result_refusals") == 1);
    CHECK(f.Puts(200) == std::vector<uint32_t>{4});
    (void)f.members.OnOffline(2);
    CHECK(f.Puts(3300) == std::vector<uint32_t>{4, 5, 6});  // 2 replaced; 4 and 5 resent
    f.p.Placed(f.id);
    CHECK(f.p.size() == 0);
  }

  TEST_CASE("a result recovered after a restart is restated to every store before placing") {
    Fixture f;
    f.p.Recover(f.id, "wire");
    auto out = f.p.Tick(1000, f.members, [](const ChunkId&) { return std::vector<uint32_t>(); });
    REQUIRE(out.size() == 5);
    auto r = msg::DecodeText<msg::Restate>(out[0].payload);
    REQUIRE(r.ok());
    CHECK(r->to == kCore);
    CHECK(f.Puts(2000).empty());  // holding for the stores' answers
    f.holders[f.id] = {2, 3, 4};
    CHECK(f.Puts(4001).empty());  // they had it
  }
}
}  // namespace tern::core
