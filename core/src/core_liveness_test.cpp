// The core's liveness gate on the in-process broker: while the broker passes nothing on
// (the connection still open, as with a stalled Mosquitto) nobody becomes suspect or dead;
// while it passes messages, silence still makes a node suspect, then dead.
#include <doctest/doctest.h>

#include <chrono>

#include "core_site_testing.h"

namespace tern::core {
using testing::Site;
using testing::WaitFor;

namespace {
std::string StateOf(Site& s, uint32_t addr) {
  for (const auto& n : s.core->StatusJson().value("nodes", nlohmann::json::array())) {
    if (n["addr"] == addr) return n["state"];
  }
  return "";
}
bool Heard(Site& s) { return s.core->StatusJson().value("broker_heard", false); }
}  // namespace

TEST_SUITE("core_liveness") {
  TEST_CASE("a stalled broker (connected, delivering nothing) makes nobody suspect or dead") {
    Site s;
    s.o.suspect_after_ms = 1500;
    s.o.dead_after_ms = 3000;
    s.Start();
    auto e = s.LiveEdges(2);
    REQUIRE(WaitFor([&] { return Heard(s); }));
    s.broker->StopAutoDelivery();  // the stall: the transport stays connected
    REQUIRE(WaitFor([&] { return s.Counter("broker_silences") == 1; }));
    CHECK(WaitFor([&] { return !Heard(s); }));
    // Hold the stall well past dead_after; the nodes must stay live all along.
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(4000);
    bool all_live = true;
    while (std::chrono::steady_clock::now() < until) {
      for (uint32_t a : e) all_live = all_live && StateOf(s, a) == "live";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(all_live);
    // The broker resumes; the nodes' heartbeats follow within suspect_after.
    s.broker->StartAutoDelivery();
    for (uint32_t a : e) s.Heartbeat(a);
    REQUIRE(WaitFor([&] { return Heard(s); }));
    for (uint32_t a : e) s.Heartbeat(a);
    CHECK(s.Counter("nodes_suspect") == 0);
    CHECK(s.Counter("nodes_dead") == 0);
    for (uint32_t a : e) CHECK(StateOf(s, a) == "live");
  }

  TEST_CASE("while the broker is heard, a silent node becomes suspect, then dead, and is counted") {
    Site s;
    s.o.suspect_after_ms = 600;
    s.o.dead_after_ms = 1200;
    s.Start();
    auto e = s.LiveEdges(1);
    REQUIRE(WaitFor([&] { return StateOf(s, e[0]) == "dead"; }));
    CHECK(s.Counter("nodes_suspect") == 1);
    CHECK(s.Counter("nodes_dead") == 1);
    CHECK(s.Counter("broker_silences") == 0);
  }

  TEST_CASE("a forged echo is rejected and counted") {
    Site s;
    s.Start();
    s.broker->Inject(s.t.Echo(s.o.name), "not an echo");
    REQUIRE(WaitFor([&] { return s.Counter("rejected_echo") == 1; }));
  }
}

}  // namespace tern::core
