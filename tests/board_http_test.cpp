// The running core's control board over HTTP and ternctl (issue 11, item 2), with real
// processes: a broker, the core with board.mode = sim, three edges whose synthetic source
// injects anomalies. The alarms energise relay 1; `ternctl board press 0` acknowledges them
// through the board's own debounce and event path, the core counts board_alarm_acks, and
// the frame read from the board's registers shows relay 1 and LED 4 off. Also: who may do
// what (a read token may look, not press), bad bodies (400 naming the field, counted), and
// the answer without a board.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"
#include "tern/core/http_tokens.h"

namespace tern::testing {
namespace {

nlohmann::json Parse(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

}  // namespace

TEST_SUITE("board over http") {
  TEST_CASE("an alarm acknowledged through ternctl board press clears the relay") {
    // 4 anomalies on edge-0 (every 1500 of its 6000 records), then every source stops.
    Site site(3, {"source.synthetic.rate=2000", "source.synthetic.max_records=6000"},
              {"board.mode=sim"});
    REQUIRE(site.broker().ok());
    std::filesystem::create_directories(site.CoreDir());
    auto read_token = core::TokenBook::Create(core::TokenBook::PathIn(site.CoreDir()),
                                              core::HttpRole::kRead, "board-reader", 1);
    REQUIRE(read_token.ok());
    REQUIRE(site.StartCore());
    REQUIRE(site.StartEdgeWith(0, {"source.synthetic.anomaly_every=1500"}));
    REQUIRE(site.StartEdge(1));
    REQUIRE(site.StartEdge(2));
    REQUIRE(Site::WaitFor(30, [&] { return site.CoreStatus().value("http_port", -1) > 0; }));
    const int port = site.CoreStatus().value("http_port", -1);
    auto board = [&] { return Parse(HttpCall(port, "GET", "/api/v1/board", *read_token).body); };
    auto relays = [&] {
      return board().value("frame", nlohmann::json::object()).value("relays", -1);
    };

    // The alarms arrive and stay unacknowledged: relay 1 and LED 4 on, as the registers say.
    REQUIRE(Site::WaitFor(180, [&] { return site.Settled(18000); }));
    REQUIRE(Site::WaitFor(30, [&] { return (relays() & 0x2) != 0; }));
    nlohmann::json before = board();
    INFO("board before: " << before.dump());
    CHECK(before.value("mode", "") == "sim");
    CHECK(before.value("alarms_unacknowledged", 0) >= 1);
    CHECK((before["frame"].value("leds", 0) & 0x10) != 0);
    CHECK(before["frame"]["digits"].size() == 4);
    const auto shown = Ctl(site, {"board"});
    CHECK(shown.code == 0);
    CHECK(shown.out.find("1 alarm") != std::string::npos);

    // A read token may look but not press.
    auto refused = HttpCall(port, "POST", "/api/v1/board/press", *read_token, R"({"button":0})");
    CHECK(refused.status == 403);
    CHECK((relays() & 0x2) != 0);

    // The operator presses button 0 with ternctl.
    const auto pressed = Ctl(site, {"board", "press", "0"});
    INFO("ternctl board press 0: " << pressed.out);
    CHECK(pressed.code == 0);
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("board_alarm_acks") == 1; }));
    CHECK(Site::WaitFor(10, [&] { return (relays() & 0x2) == 0; }));
    nlohmann::json after = board();
    INFO("board after: " << after.dump());
    CHECK(after.value("alarms_unacknowledged", -1) == 0);
    CHECK((after["frame"].value("leds", 0xFF) & 0x10) == 0);
    CHECK(
        site.LogOf("core").find("http: board press {\"button\":0,\"hold_ms\":0} by token tests") !=
        std::string::npos);
    CHECK(site.LogOf("core").find("operator acknowledged") != std::string::npos);

    // Bad bodies: 400 naming the field, counted; nothing pressed.
    const std::string op = SiteToken(site);
    auto bad = HttpCall(port, "POST", "/api/v1/board/press", op, R"({"button":7})");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("'button'") != std::string::npos);
    bad = HttpCall(port, "POST", "/api/v1/board/pot", op, R"({"value":"high"})");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("'value'") != std::string::npos);
    bad = HttpCall(port, "POST", "/api/v1/board/switch", op, R"({"on":true,"off":1})");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("'off'") != std::string::npos);
    CHECK(Site::WaitFor(10, [&] { return site.CoreCounter("board_bad_requests") == 3; }));
    CHECK(site.CoreCounter("board_alarm_acks") == 1);

    // The switch and the pot reach the board's inputs (debounced, captured) and its frame.
    CHECK(Ctl(site, {"board", "switch", "on"}).code == 0);
    CHECK(Ctl(site, {"board", "pot", "3000"}).code == 0);
    CHECK(Site::WaitFor(10, [&] {
      auto f = board().value("frame", nlohmann::json::object());
      return f.value("switch", false) && f.value("pot", 0) == 3000;
    }));
    CHECK(Ctl(site, {"board", "pot", "5000"}).code == 2);  // out of range: 400, a usage error
    CHECK(site.CoreCounter("board_errors") == 0);
  }

  TEST_CASE("without a board the board endpoints answer 404 and ternctl board exits 1") {
    Site site(1, {"source.synthetic.rate=100"});
    REQUIRE(site.StartCore());
    REQUIRE(Site::WaitFor(30, [&] { return site.CoreStatus().value("http_port", -1) > 0; }));
    const int port = site.CoreStatus().value("http_port", -1);
    const std::string op = SiteToken(site);
    auto r = HttpCall(port, "GET", "/api/v1/board", op);
    CHECK(r.status == 404);
    CHECK(Parse(r.body).value("error", "") == "no board: board.mode is off");
    CHECK(HttpCall(port, "POST", "/api/v1/board/press", op, R"({"button":0})").status == 404);
    CHECK(Ctl(site, {"board"}).code == 1);
  }
}

}  // namespace tern::testing
