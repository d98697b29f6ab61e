// Unit tests for the core's scheduler: config validation, the basic cases, work
// conservation, removal, stats and determinism (shares and fairness: scheduler_fairness_test).
// Everything runs on a virtual clock (pick counts), so the tests are deterministic.
#include "tern/core/scheduler.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "scheduler_testing.h"

namespace tern::core {
using namespace sched_testing;

TEST_SUITE("scheduler") {
  TEST_CASE("config validation names the bad field") {
    CHECK(SchedulerConfig{}.Validate().ok());
    SchedulerConfig c;
    c.class_min_share[3] = 0;
    Status st = c.Validate();
    CHECK(st.code() == Status::Code::kInvalidArgument);
    CHECK(st.message().find("class_min_share[3]") != std::string::npos);
    c = {};
    c.class_min_share = {0.5, 0.3, 0.2, 0.1};
    CHECK(c.Validate().message().find("class_min_share must sum") != std::string::npos);
    c = {};
    c.class_min_share[1] = std::nan("");
    CHECK(c.Validate().message().find("class_min_share[1]") != std::string::npos);
    c = {};
    c.backlog_min_share = 1.0;
    CHECK(c.Validate().message().find("backlog_min_share") != std::string::npos);
    c = {};
    c.backlog_min_share = 0;
    CHECK(c.Validate().message().find("backlog_min_share") != std::string::npos);
    c = {};
    c.quantum_bytes = 0;
    CHECK(c.Validate().message().find("quantum_bytes") != std::string::npos);
    CHECK_FALSE(Scheduler::Create(c).ok());
    CHECK(Scheduler::Create(SchedulerConfig{}).ok());
  }

  TEST_CASE("empty and single item cases") {
    Scheduler s;
    CHECK_FALSE(s.Next(0).has_value());
    CHECK(s.empty());
    REQUIRE(s.Enqueue(Item("a", 7, 3, 500)).ok());
    CHECK(s.size() == 1);
    CHECK(s.queued_bytes() == 500);
    auto it = s.Next(1);
    REQUIRE(it.has_value());
    CHECK(it->id == "a");
    CHECK(s.empty());
    CHECK_FALSE(s.Next(2).has_value());
    // A zero-byte item is served too (it costs 1 byte of credit).
    REQUIRE(s.Enqueue(Item("z", 7, 0, 0, true)).ok());
    CHECK(s.Next(3)->id == "z");
  }

  TEST_CASE("enqueue rejects duplicate ids and bad classes") {
    Scheduler s;
    REQUIRE(s.Enqueue(Item("a", 1, 2)).ok());
    CHECK(s.Enqueue(Item("a", 2, 1)).message().find("already queued") != std::string::npos);
    CHECK(s.Enqueue(Item("b", 1, 4)).code() == Status::Code::kInvalidArgument);
    CHECK(s.Enqueue(Item("c", 1, -1)).code() == Status::Code::kInvalidArgument);
    CHECK(s.size() == 1);
    CHECK(s.Next(0)->id == "a");
    REQUIRE(s.Enqueue(Item("a", 1, 2)).ok());  // the id may come back once served
  }

  TEST_CASE("removal") {
    Scheduler s;
    for (int i = 0; i < 5; ++i) REQUIRE(s.Enqueue(Item("a" + std::to_string(i), 1, 2, 10)).ok());
    REQUIRE(s.Enqueue(Item("b0", 2, 2, 10)).ok());
    CHECK(s.Remove("a2"));
    CHECK_FALSE(s.Remove("a2"));
    CHECK_FALSE(s.Remove("nope"));
    CHECK(s.Remove("b0"));  // edge 2 leaves the round
    CHECK(s.Remove("a0"));
    CHECK(s.size() == 3);
    CHECK(s.queued_bytes() == 30);
    CHECK(s.Stats(1, 2, 0).depth == 3);
    CHECK(s.Stats(2, 2, 0).depth == 0);
    std::vector<std::string> order;
    while (auto it = s.Next(0)) order.push_back(it->id);
    CHECK(order == std::vector<std::string>{"a1", "a3", "a4"});
    CHECK(s.Stats(1, 2, 0).served_items == 3);
    CHECK(s.Stats(2, 2, 0).served_items == 0);
  }

  TEST_CASE("stats and snapshot report depth, bytes, age and service") {
    Scheduler s;
    REQUIRE(s.SetEdgeWeight(4, 2.5).ok());
    REQUIRE(s.Enqueue(Item("x", 4, 1, 300, false, 1000)).ok());
    REQUIRE(s.Enqueue(Item("y", 4, 1, 200, true, 1500)).ok());
    REQUIRE(s.Enqueue(Item("z", 5, 3, 50, false, 1800)).ok());
    SchedStats st = s.Stats(4, 1, 2000);
    CHECK(st.depth == 2);
    CHECK(st.queued_bytes == 500);
    CHECK(st.oldest_age_ms == 1000);
    CHECK(s.Stats(4, 0, 2000).depth == 0);
    CHECK(s.Stats(9, 1, 2000).depth == 0);
    CHECK(s.Next(2000)->id == "x");
    st = s.Stats(4, 1, 2100);
    CHECK(st.depth == 1);
    CHECK(st.oldest_age_ms == 600);
    CHECK(st.served_items == 1);
    CHECK(st.served_bytes == 300);
    const auto j = s.Snapshot(2100);
    CHECK(j["items"] == 2);
    CHECK(j["queued_bytes"] == 250);
    CHECK(j["config"]["class_min_share"]["bulk"] == 0.10);
    REQUIRE(j["edges"].size() == 2);
    CHECK(j["edges"][0]["edge"] == 4);
    CHECK(j["edges"][0]["weight"] == 2.5);
    CHECK(j["edges"][0]["classes"]["high"]["oldest_age_ms"] == 600);
    CHECK(j["edges"][0]["classes"]["high"]["served_bytes"] == 300);
    CHECK(j["edges"][1]["classes"]["bulk"]["depth"] == 1);
    CHECK(j["lanes"]["live"]["served_bytes"] == 300);
    CHECK(j["lanes"]["backlog"]["classes"]["high"]["items"] == 1);
  }

  TEST_CASE("the same input gives the same order") {
    auto run = [] {
      std::mt19937_64 rng(7);
      Scheduler s;
      std::vector<std::string> out;
      for (int i = 0; i < 3000; ++i) {
        const uint64_t r = rng();
        REQUIRE(s.Enqueue(Item(std::to_string(i), r % 4, (r >> 4) % 4, 1 + (r >> 8) % 300000,
                               (r >> 30) % 5 == 0))
                    .ok());
        if (i % 2 == 1) out.push_back(s.Next(0)->id);
      }
      while (auto it = s.Next(0)) out.push_back(it->id);
      return out;
    };
    CHECK(run() == run());
  }
}

}  // namespace tern::core
