// Repair on a whole Core with the in-process broker: a store that dies for good has its
// chunks copied elsewhere (the copy completes on the target's `stored`); a block report that
// lacks a copy leads to a restate, and the restate_nack removes the row; a drained store's
// copies move off and it is asked to delete them.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>

#include "core_site_testing.h"
#include "tern/common/store_messages.h"

namespace tern::core {
using testing::Site;
using testing::WaitFor;

namespace {

// Heartbeats `live` at most every 200 ms while `cond` is waited for.
bool WaitBeating(Site& s, const std::vector<uint32_t>& live, const std::function<bool()>& cond,
                 int seconds = 30) {
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  return WaitFor(
      [&] {
        if (std::chrono::steady_clock::now() - last > std::chrono::milliseconds(200)) {
          for (uint32_t a : live) s.Heartbeat(a);
          last = std::chrono::steady_clock::now();
        }
        return cond();
      },
      seconds);
}

// A chunk of `origin`'s, uplinked and stored by `holders`, waited for until acked.
testing::TestChunk Acked(Site& s, uint32_t origin, uint64_t seq,
                         const std::vector<uint32_t>& holders) {
  auto c = testing::MakeChunk(origin, seq);
  s.broker->Inject(s.t.Up(s.N(origin)), c.Uplink());
  for (uint32_t h : holders) s.Stored(c, h);
  REQUIRE(WaitFor([&] {
    auto r = s.Db()->Chunk(c.id);
    return r.ok() && r->has_value() && (*r)->acked;
  }));
  return c;
}

std::vector<std::pair<std::string, msg::Copy>> CopiesSent(Site& s) {
  std::vector<std::pair<std::string, msg::Copy>> out;
  for (const auto& m : s.broker->PublishedOn("tern/down/+")) {
    auto c = msg::DecodeText<msg::Copy>(m.payload);
    if (c.ok()) out.emplace_back(s.t.Parse(m.topic).to, *c);
  }
  return out;
}

std::vector<uint32_t> Others(const std::vector<uint32_t>& all, uint32_t except) {
  std::vector<uint32_t> v;
  for (uint32_t a : all) {
    if (a != except) v.push_back(a);
  }
  return v;
}

}  // namespace

TEST_SUITE("core_repair") {
  TEST_CASE("a store dead for good has its copies made again from a live holder") {
    Site s;
    s.o.suspect_after_ms = 500;
    s.o.dead_after_ms = 1500;
    s.Start();
    auto e = s.LiveEdges(5);
    auto c = Acked(s, e[0], 1, {e[0], e[1], e[2]});
    // Store 2 falls silent; once dead, its copy no longer counts.
    REQUIRE(WaitBeating(s, Others(e, e[2]), [&] { return !CopiesSent(s).empty(); }));
    auto [source, copy] = CopiesSent(s)[0];
    CHECK(copy.id == c.id);
    CHECK((source == s.N(e[0]) || source == s.N(e[1])));
    CHECK((copy.to_addr == e[3] || copy.to_addr == e[4]));
    CHECK(s.Counter("repair_copies_requested") >= 1);
    // The target's stored notice completes the copy.
    s.Stored(c, copy.to_addr);
    REQUIRE(WaitBeating(s, Others(e, e[2]), [&] { return s.Counter("repair_copies_done") == 1; }));
    REQUIRE(WaitBeating(s, Others(e, e[2]), [&] { return s.Counter("repair_queue") == 0; }));
    CHECK(s.Counter("repair_copies_requested") == 1);
  }

  TEST_CASE("a copy missing from a block report is restated, and removed on restate_nack") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(4);
    auto c = Acked(s, e[0], 1, {e[0], e[1], e[2]});
    msg::BlockReport p;
    p.holder = e[1];
    p.report = 42;
    p.last = true;  // an empty store
    s.Tell(s.t.Stored(s.N(e[1])), p.Encode());
    REQUIRE(WaitBeating(s, e, [&] {
      for (const auto& r : s.On<msg::Restate>(s.t.Down(s.N(e[1])))) {
        if (r.id == c.id) return true;
      }
      return false;
    }));
    CHECK(s.Db()->Holders(c.id).value().size() == 3);  // not yet: only the nack says so
    s.Tell(s.t.Peer(s.N(e[1]), s.o.name), msg::RestateNack{c.id, e[1], "not held"}.Encode());
    // Counted inside the turn's transaction; the row is gone once it commits.
    REQUIRE(WaitBeating(s, e, [&] { return s.Db()->Holders(c.id).value().size() == 2; }));
    CHECK(s.Counter("reconcile_missing") == 1);
    // Repair copies it to the one store without it.
    REQUIRE(WaitBeating(s, e, [&] { return !CopiesSent(s).empty(); }));
    CHECK(CopiesSent(s)[0].second.to_addr != e[0]);
    CHECK(CopiesSent(s)[0].second.to_addr != e[2]);
  }

  TEST_CASE("a drained store's copies move off, then it is asked to delete them") {
    Site s;
    s.o.http_port = 0;
    s.o.http_auth = false;
    s.Start();
    auto e = s.LiveEdges(4);
    auto c = Acked(s, e[0], 1, {e[0], e[1], e[2]});
    int port = 0;
    REQUIRE(WaitFor([&] {
      port = s.core->StatusJson().value("http_port", -1);
      return port > 0;
    }));
    httplib::Client cli("127.0.0.1", port);
    auto res = cli.Post("/api/v1/nodes/" + s.N(e[2]) + "/drain", "", "application/json");
    REQUIRE(res);
    CHECK(res->status == 202);
    // The member list says so; the copy goes to the one store without it.
    REQUIRE(WaitBeating(s, e, [&] {
      for (const auto& m : s.On<msg::Members>(s.t.Members())) {
        for (const auto& n : m.nodes) {
          if (n.addr == e[2] && n.draining) return true;
        }
      }
      return false;
    }));
    REQUIRE(WaitBeating(s, e, [&] { return !CopiesSent(s).empty(); }));
    CHECK(CopiesSent(s)[0].second.to_addr == e[3]);
    s.Stored(c, e[3]);
    REQUIRE(WaitBeating(s, e, [&] { return !s.On<msg::Delete>(s.t.Down(s.N(e[2]))).empty(); }));
    auto report = cli.Get("/api/v1/report");
    REQUIRE(report);
    auto j = nlohmann::json::parse(report->body);
    CHECK(j["totals"]["nodes"] == 4);
    // Forgetting a live node is refused.
    auto forget = cli.Post("/api/v1/nodes/" + s.N(e[2]) + "/forget", "", "application/json");
    REQUIRE(forget);
    CHECK(forget->status == 409);
  }
}

}  // namespace tern::core
