// Liveness against a stalled broker, with real processes: Mosquitto stopped (SIGSTOP) for
// 20 s with every connection still open, then resumed (SIGCONT). The core must declare no
// node suspect or dead for the stall, and data must flow again after it.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "site.h"

namespace tern::testing {

TEST_SUITE("liveness") {
  TEST_CASE(
      "a broker stalled for 20 s (SIGSTOP) makes no node suspect or dead, and data flows after") {
    Site site(4, {"source.synthetic.rate=500", "replication.timeout=2s", "uplink.timeout=3s"});
    REQUIRE(site.StartAll());
    auto acks = [&] {
      int64_t n = 0;
      for (int i = 0; i < site.edges(); ++i) n += site.EdgeCounter(i, "grade_core");
      return n;
    };
    // Every edge live and acks flowing before the stall.
    REQUIRE(Site::WaitFor(
        60, [&] { return acks() > 20 && site.CoreStatus().value("broker_heard", false); }));
    const pid_t pid = site.broker().pid();
    REQUIRE(pid > 0);
    REQUIRE(::kill(pid, SIGSTOP) == 0);
    // The core notices it cannot hear the broker (its echo stops coming back) ...
    const bool noticed =
        Site::WaitFor(10, [&] { return site.CoreCounter("broker_silences") >= 1; });
    // ... and the stall lasts 20 s from its start whatever the check took.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    Site::WaitFor(30, [&] { return std::chrono::steady_clock::now() >= until; });
    REQUIRE(::kill(pid, SIGCONT) == 0);
    CHECK(noticed);
    const int64_t before = acks();
    // Heard again, and new data acked by the core after the stall.
    CHECK(Site::WaitFor(60, [&] { return site.CoreStatus().value("broker_heard", false); }));
    CHECK(Site::WaitFor(90, [&] { return acks() > before + 20; }));
    INFO("core log:\n" << site.LogOf("core").substr(0, 20000));
    CHECK(site.CoreCounter("nodes_suspect") == 0);
    CHECK(site.CoreCounter("nodes_dead") == 0);
    const std::string log = site.LogOf("core");
    CHECK(log.find("-> suspect") == std::string::npos);
    CHECK(log.find("-> dead") == std::string::npos);
    site.StopAll();
  }
}

}  // namespace tern::testing
