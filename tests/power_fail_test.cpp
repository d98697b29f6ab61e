// Backup power (issue 11, item 4) with real processes: a broker, the core with board.mode =
// sim, three edges acking chunks. The UPS's power-fail input (POST /api/v1/board/sim
// {"power_fail":true}) makes the core checkpoint within board.holdup: it stops taking new
// uplinks (the edges are answered `throttle` and keep the chunks in their outboxes), commits,
// records power-checkpoint.json, and the panel shows it (relay 2, LED 5, "PFAL"). Power back:
// the core takes uplinks again and the outboxes drain. The safe-stop button (3) held 3 s stops
// the core in order (exit 0); after a restart the checkpoint is still visible and `ternctl
// verify` finds nothing acked lost.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <string>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"

namespace tern::testing {
namespace {

nlohmann::json Parse(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

int64_t Outboxes(const Site& site) {
  int64_t n = 0;
  for (int i = 0; i < site.edges(); ++i) n += site.EdgeStatus(i).value("outbox_chunks", 0);
  return n;
}

}  // namespace

TEST_SUITE("power fail") {
  TEST_CASE("power fail checkpoints within the hold-up budget, holds uplinks and resumes") {
    Site site(3, {"source.synthetic.rate=400"}, {"board.mode=sim", "board.holdup=2s"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.CoreStatus().value("http_port", -1) > 0; }));
    const int port = site.CoreStatus().value("http_port", -1);
    const std::string op = SiteToken(site);
    REQUIRE(!op.empty());
    auto board = [&] { return Parse(HttpCall(port, "GET", "/api/v1/board", op).body); };
    REQUIRE(Site::WaitFor(60, [&] { return site.CoreCounter("uplinks") > 20; }));

    auto r = HttpCall(port, "POST", "/api/v1/board/sim", op, R"({"power_fail":true})");
    REQUIRE(r.status == 200);
    // The checkpoint: done, timed within the budget, recorded where a restart finds it.
    REQUIRE(Site::WaitFor(30, [&] {
      return board().value("power", nlohmann::json::object()).value("checkpoint", "") == "done";
    }));
    nlohmann::json b = board();
    INFO("board on backup: " << b.dump());
    CHECK(b["power"].value("on_backup", false));
    CHECK(b["power"].value("checkpoint_ms", 99999) <= 2000);
    CHECK(b["power"]["last_checkpoint"].value("within_budget", false));
    CHECK(b.value("power_fail", false));
    CHECK((b["frame"].value("relays", 0) & 0x4) != 0);  // relay 2: backup-power transfer
    CHECK((b["frame"].value("leds", 0) & 0x20) != 0);   // LED 5
    CHECK(b["frame"]["digits"] == nlohmann::json::array({0x38, 0x77, 0x71, 0x73}));  // PFAL
    CHECK(Site::WaitFor(10, [&] {
      return site.CoreCounter("board_power_fail_events") == 1 &&
             site.CoreCounter("board_checkpoints") == 1;
    }));
    CHECK(site.CoreCounter("board_checkpoint_ms") <= 2000);
    CHECK(site.CoreCounter("board_checkpoint_overruns") == 0);
    CHECK(site.LogOf("core").find("the UPS reports mains failure") != std::string::npos);
    const auto marker = Parse(ReadFile(site.CoreDir() + "/power-checkpoint.json"));
    CHECK(marker.value("event", "") == "power_fail_checkpoint");

    // On backup: nothing new is taken. Edges are throttled and keep their chunks. (The
    // counters come from status.json: once it shows a held uplink, its `uplinks` is the
    // count after the hold.)
    REQUIRE(Site::WaitFor(30, [&] { return site.CoreCounter("uplinks_held") > 0; }));
    const nlohmann::json held_status = site.CoreStatus();
    const int64_t uplinks = held_status["counters"].value("uplinks", -1);
    const int64_t held0 = held_status["counters"].value("uplinks_held", -1);
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("uplinks_held") >= held0 + 10; }));
    CHECK(site.CoreCounter("uplinks") == uplinks);
    CHECK(Outboxes(site) > 0);
    CHECK(site.EdgeCounter(0, "uplinks_throttled") + site.EdgeCounter(1, "uplinks_throttled") > 0);

    // Power back: the core takes uplinks again and the outboxes drain.
    r = HttpCall(port, "POST", "/api/v1/board/sim", op, R"({"power_fail":false})");
    REQUIRE(r.status == 200);
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("uplinks") > uplinks; }));
    CHECK(Site::WaitFor(30, [&] { return (board()["frame"].value("relays", 0xF) & 0x4) == 0; }));
    CHECK(site.LogOf("core").find("mains power is back") != std::string::npos);
    // Stop the sources so the outboxes can empty.
    for (int i = 0; i < site.edges(); ++i) CHECK(site.SignalEdge(i, SIGUSR1));
    CHECK(Site::WaitFor(90, [&] { return Outboxes(site) == 0; }));

    // The safe-stop button held past 3 s: the core's orderly stop, exit 0.
    r = HttpCall(port, "POST", "/api/v1/board/press", op, R"({"button":3,"hold_ms":3500})");
    CHECK(r.status == 200);
    CHECK(site.WaitCoreExit(std::chrono::seconds(30)) == 0);
    CHECK(site.LogOf("core").find("safe-stop button (button 3) held") != std::string::npos);

    // After a restart the checkpoint is still visible, and nothing acked was lost.
    REQUIRE(site.StartCore());
    // The new core is up once its status.json names a new port.
    REQUIRE(Site::WaitFor(60, [&] {
      const int p = site.CoreStatus().value("http_port", -1);
      return p > 0 && p != port;
    }));
    CHECK(Site::WaitFor(30, [&] {
      auto p = site.CoreStatus()
                   .value("board", nlohmann::json::object())
                   .value("power", nlohmann::json::object());
      return p.value("last_checkpoint", nlohmann::json()).is_object() &&
             !p.value("on_backup", true);
    }));
    CHECK(site.LogOf("core").find("the last power-fail checkpoint") != std::string::npos);
    auto v = Ctl(site, {"verify"});
    INFO("ternctl verify: " << v.out);
    CHECK(v.code == 0);
  }
}

}  // namespace tern::testing
