// The core driving the simulated control board: the panel shows the site (live edges, the
// core's link), and relay 0 is energised once an edge goes down; the outputs are read from
// the Verilated board's pins, not from the core's intentions.
#include <doctest/doctest.h>

#include <mutex>
#include <string>
#include <vector>

#include "site.h"
#include "tern/common/mqtt.h"

namespace tern::testing {
TEST_SUITE("board") {
  TEST_CASE("the core shows the site on the simulated board and signals a lost edge") {
    Site site(2, {"source.synthetic.rate=500"}, {"board.mode=sim"});
    REQUIRE(site.StartAll());
    auto board = [&] {
      auto s = site.CoreStatus();
      return s.contains("board") ? s["board"] : nlohmann::json::object();
    };
    auto leds = [&] { return board().value("leds", 0); };
    // Two live edges (LEDs 0 and 1, in address order) and the core's link (LED 6), safe state left.
    REQUIRE(Site::WaitFor(30, [&] { return (leds() & 0x43) == 0x43; }));
    CHECK((leds() & 0x80) == 0);  // LED 7 is the board's SAFE lamp
    CHECK((board().value("relays", 0) & 1) == 0);
    CHECK(board().value("fan_duty", 0) >= 64);  // the fans pin itself is a PWM wave
    site.KillEdge(1, 15);  // a clean stop: the edge says goodbye, the core marks it offline
    CHECK(Site::WaitFor(20, [&] { return (board().value("relays", 0) & 1) == 1; }));
    // One live-edge LED left (LEDs follow the edges' address order).
    CHECK(Site::WaitFor(10, [&] { return __builtin_popcount(leds() & 0x0F) == 1; }));
    CHECK(site.CoreCounter("board_errors") == 0);
  }

  TEST_CASE("a hot cabinet raises the over-temperature alarm: LED 5, full fan, metrics, x/alarms") {
    // A machine room at 80 C with a 1-s cabinet time constant: the cabinet passes the
    // 70 C limit within seconds of the start.
    Site site(1, {"source.synthetic.rate=200"},
              {"board.mode=sim", "board.sim_ambient_c=80", "board.sim_thermal_tau=1s"});
    REQUIRE(site.broker().ok());
    // A third party watching the exports, as in the analysis test.
    const Identity observer = site.broker().mode() == BrokerMode::kPki
                                  ? site.broker().Issue("cabinet-watch", crypto::Role::kObserver)
                                  : Identity{};
    auto x = MqttClient::Create(site.ClientOptions("cabinet-watch", observer));
    REQUIRE(x.ok());
    std::mutex mu;
    std::vector<std::string> alarms;
    (*x)->OnMessage([&](const std::string& t, std::string_view p) {
      std::lock_guard<std::mutex> lk(mu);
      if (t == "tern/x/alarms/core/cabinet") alarms.emplace_back(p);
    });
    REQUIRE((*x)->Subscribe("tern/x/#").ok());
    REQUIRE((*x)->Start().ok());
    REQUIRE(site.StartAll());
    auto board = [&] {
      auto s = site.CoreStatus();
      return s.contains("board") ? s["board"] : nlohmann::json::object();
    };
    REQUIRE(Site::WaitFor(60, [&] { return board().value("over_temp", false); }));
    CHECK(board().value("temp_c", 0.0) >= 70.0);
    CHECK((board().value("leds", 0) & 0x20) != 0);  // LED 5: over temperature
    CHECK(board().value("fan_duty", 0) == 255);      // the fan curve is at full duty
    CHECK(site.CoreCounter("board_over_temp") == 1);
    CHECK(site.CoreCounter("board_over_temp_alarms") == 1);
    CHECK(site.LogOf("core").find("cabinet over temperature") != std::string::npos);
    CHECK(Site::WaitFor(30, [&] {
      std::lock_guard<std::mutex> lk(mu);
      for (const auto& a : alarms) {
        auto j = nlohmann::json::parse(a, nullptr, false);
        if (!j.is_discarded() && j.value("type", "") == "cabinet_alarm" &&
            j.value("kind", "") == "over_temp" && j.value("active", false) &&
            j.value("temp_c", 0.0) >= 70.0 && j.value("wall_ms", 0) > 0)
          return true;
      }
      return false;
    }));
    (*x)->Stop();
    CHECK(site.CoreCounter("board_errors") == 0);
  }

  TEST_CASE("the meters show the ingest rate and the stores' fill") {
    // Small stores (4 MiB offered each) fill visibly; 1 chunk/s is full scale on meter 0.
    Site site(2, {"source.synthetic.rate=500", "node.capacity=4M"},
              {"board.mode=sim", "board.meter_ingest_full=1"});
    REQUIRE(site.StartAll());
    auto board = [&] {
      auto s = site.CoreStatus();
      return s.contains("board") ? s["board"] : nlohmann::json::object();
    };
    auto meter = [&](int i) {
      auto b = board();
      return b.contains("meters") ? b["meters"][static_cast<size_t>(i)].get<int>() : -1;
    };
    CHECK(Site::WaitFor(60, [&] { return board().value("ingest_chunks_per_s", 0.0) > 0.0; }));
    CHECK(Site::WaitFor(30, [&] { return meter(0) > 0; }));
    CHECK(Site::WaitFor(60, [&] { return meter(1) > 0; }));
    INFO(board().dump());
    CHECK(site.CoreCounter("board_errors") == 0);
  }

  TEST_CASE("a cabinet that stays cool raises no alarm") {
    Site site(1, {"source.synthetic.rate=200"}, {"board.mode=sim", "board.sim_thermal_tau=1s"});
    REQUIRE(site.StartAll());
    auto board = [&] {
      auto s = site.CoreStatus();
      return s.contains("board") ? s["board"] : nlohmann::json::object();
    };
    // Settled (tau 1 s) at 22 C ambient: about 34 C idle, well below 70 C.
    REQUIRE(Site::WaitFor(60, [&] { return board().value("temp_c", 0.0) > 25.0; }));
    CHECK(board().value("temp_c", 0.0) < 60.0);
    CHECK_FALSE(board().value("over_temp", true));
    CHECK(site.CoreCounter("board_over_temp_alarms") == 0);
    CHECK((board().value("leds", 0) & 0x20) == 0);
  }

  TEST_CASE("a bad board mode is refused naming the key") {
    TempDir dir;
    Process p;
    std::string log = dir / "out.log";
    REQUIRE(p.Start({TERN_CORE_BIN, "--set", "board.mode=gpio9"}, log));
    CHECK(p.Wait(std::chrono::seconds(20)) == 2);
    CHECK(ReadFile(log).find("'board.mode'") != std::string::npos);
  }

  TEST_CASE("board.mode = gpio: missing lines and a bad half-bit time are both named, exit 2") {
    TempDir dir;
    Process p;
    const std::string log = dir / "out.log";
    REQUIRE(p.Start({TERN_CORE_BIN, "--set", "board.mode=gpio", "--set", "board.gpio_half_bit=5x"},
                    log));
    CHECK(p.Wait(std::chrono::seconds(20)) == 2);
    INFO(ReadFile(log));
    CHECK(ReadFile(log).find("config key 'board.gpio_lines' is required with board.mode = gpio") !=
          std::string::npos);
    CHECK(ReadFile(log).find("config key 'board.gpio_half_bit': '5x' is not a half-bit time") !=
          std::string::npos);
    Process q;
    const std::string log2 = dir / "out2.log";
    REQUIRE(q.Start({TERN_CORE_BIN, "--set", "board.gpio_lines=sclk=1,mosi=1,miso=2,cs=3"}, log2));
    CHECK(q.Wait(std::chrono::seconds(20)) == 2);
    CHECK(ReadFile(log2).find("config key 'board.gpio_lines': GPIO lines "
                              "'sclk=1,mosi=1,miso=2,cs=3': two lines share an offset") !=
          std::string::npos);
  }

  TEST_CASE("board.mode = gpio on a chip that does not exist: the core does not start, exit 1") {
    TempDir dir;
    Process p;
    const std::string log = dir / "out.log";
    REQUIRE(p.Start({TERN_CORE_BIN, "--set", "node.data_dir=" + dir / "core", "--set",
                     "security.mode=insecure", "--set", "http.port=-1", "--set", "board.mode=gpio",
                     "--set", "board.gpio_chip=tern-no-such-chip", "--set",
                     "board.gpio_lines=sclk=0,mosi=1,miso=2,cs=3,irq=4"},
                    log));
    CHECK(p.Wait(std::chrono::seconds(20)) == 1);
    const std::string out = ReadFile(log);
    INFO(out);
    CHECK(out.find("tern-core failed to start") != std::string::npos);
    CHECK(out.find("board: GPIO chip 'tern-no-such-chip'") != std::string::npos);
  }
}
}  // namespace tern::testing
