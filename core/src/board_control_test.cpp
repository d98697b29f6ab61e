// The board control loop on a real board's driver (board.mode = gpio) over FakeBus, which
// speaks the real frame format to a register map: the probe's refusals, the snapshot's mode
// and pins, button 0 over the API acknowledging in software, and the physical inputs
// refused with FailedPrecondition. Also board.gpio_half_bit's parsing and the GPIO driver's
// start errors (a chip that does not exist, a bad line specification).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "board_driver.h"
#include "fake_bus.h"
#include "tern/hw/board_regs.h"

namespace tern::core {
namespace {

namespace regs = hw::regs;
using hw::testing::FakeBus;

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A FakeBus that answers the probe as a tern board of `id`.
std::unique_ptr<FakeBus> BoardBus(uint32_t id = regs::id::kReset) {
  auto bus = std::make_unique<FakeBus>();
  bus->Set(regs::id::kOffset, id);
  return bus;
}

Result<std::unique_ptr<BoardControl>> StartReal(std::unique_ptr<FakeBus> bus, Metrics* m,
                                                int64_t alarms) {
  BoardOptions o;
  o.mode = "gpio";
  auto view = [alarms] {
    BoardView v;
    v.alarms = alarms;
    v.live_edges = 0x1;
    v.connected = true;
    return v;
  };
  return StartBoardControl(o, MakeRealBoardDriver(std::move(bus)), view, m, nullptr);
}

// A bus whose wires can be pulled from another thread: while `down` every access fails as a
// board with MISO stuck low would. Delegates to a FakeBus used only by the board thread.
class FlakyBus final : public hw::RegisterBus {
 public:
  FlakyBus(std::unique_ptr<FakeBus> bus, const std::atomic<bool>* down)
      : bus_(std::move(bus)), down_(down) {}
  Status Read(uint16_t addr, uint32_t* out) override {
    if (*down_) return Status::Unavailable("MISO stuck low (test)");
    return bus_->Read(addr, out);
  }
  Status Write(uint16_t addr, uint32_t value) override {
    if (*down_) return Status::Unavailable("MISO stuck low (test)");
    return bus_->Write(addr, value);
  }
  std::string Describe() const override { return "flaky fake board"; }

 private:
  std::unique_ptr<FakeBus> bus_;
  const std::atomic<bool>* down_;
};

bool WaitFor(const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// The snapshot once the board thread has refreshed at least once (generous deadline).
nlohmann::json Refreshed(const BoardControl& b) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    nlohmann::json j = b.Snapshot();
    if (j.contains("frame")) return j;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return nlohmann::json::object();
}

TEST_SUITE("core.board") {
  TEST_CASE("a real board: mode gpio, pins from the registers, no simulated clock") {
    Metrics m;
    auto b = StartReal(BoardBus(), &m, 3);
    REQUIRE(b.ok());
    const nlohmann::json j = Refreshed(**b);
    INFO(j.dump());
    CHECK(j.value("mode", "") == "gpio");
    CHECK(j["cycles"].is_null());
    // Edge 0 live (LED 0), an unacknowledged alarm (LED 4), the gateway link (LED 6).
    CHECK(j.value("leds", 0) == 0x51);
    CHECK((j.value("relays", 0) & 0x2) == 0x2);  // relay 1: an alarm not yet acknowledged
    CHECK(j.value("alarms_unacknowledged", -1) == 3);
    CHECK(j.value("safe", "") == "running");
    (*b)->Stop();
  }

  TEST_CASE("a real board: button 0 over the API acknowledges in software, the rest is refused") {
    Metrics m;
    auto b = StartReal(BoardBus(), &m, 3);
    REQUIRE(b.ok());
    REQUIRE(Refreshed(**b).value("alarms_unacknowledged", -1) == 3);
    Status s = (*b)->Press(1, 0);
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK(Has(s.message(), "button 1 is a real button"));
    s = (*b)->Press(0, 3000);  // a hold needs a finger on the button
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK((*b)->SetSwitch(true).code() == Status::Code::kFailedPrecondition);
    CHECK((*b)->SetPot(100).code() == Status::Code::kFailedPrecondition);
    s = (*b)->SimTemperature(90.0);
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK(Has(s.message(), "sensor"));
    CHECK((*b)->SimPowerFail(true).code() == Status::Code::kFailedPrecondition);
    CHECK(m.Get("board_alarm_acks") == 0);
    // The press is applied by the refresh that answers it: acknowledged once it returns.
    REQUIRE((*b)->Press(0, 0).ok());
    CHECK((*b)->Snapshot().value("alarms_unacknowledged", -1) == 0);
    CHECK(((*b)->Snapshot().value("leds", 0) & 0x10) == 0);
    CHECK(m.Get("board_alarm_acks") == 1);
    (*b)->Stop();
  }

  TEST_CASE("a real board that does not answer, or answers another map, is refused at start") {
    Metrics m;
    auto silent = StartReal(std::make_unique<FakeBus>(), &m, 0);  // ID reads 0
    REQUIRE_FALSE(silent.ok());
    CHECK(Has(silent.status().message(), "board: the board does not answer on"));
    CHECK(Has(silent.status().message(), "ID reads 0x00000000"));
    auto stuck = BoardBus();
    stuck->SetStuckMiso(true);
    auto high = StartReal(std::move(stuck), &m, 0);
    REQUIRE_FALSE(high.ok());
    CHECK(Has(high.status().message(), "MISO stuck high"));
    auto old = StartReal(BoardBus(0x7E4E0001), &m, 0);
    REQUIRE_FALSE(old.ok());
    CHECK(old.status().code() == Status::Code::kFailedPrecondition);
    CHECK(Has(old.status().message(), "register map v1, this core speaks v2"));
  }

  TEST_CASE("a board that stops answering is counted, and taken out of its safe state again") {
    std::atomic<bool> down{false}, safe{false};
    std::atomic<int> clears{0};
    auto fake = BoardBus();
    // SAFE_STATUS as the board's watchdog makes it; SAFE_CLEAR leaves the safe state.
    fake->OnRead(regs::safe_status::kOffset, [&]() -> uint32_t {
      return safe ? regs::safe_status::safe::kMask | regs::safe_status::cause_wdog::kMask : 0;
    });
    fake->OnWrite(regs::safe_clear::kOffset, [&](uint32_t) {
      ++clears;
      safe = false;
    });
    Metrics m;
    BoardOptions o;
    o.mode = "gpio";
    auto b = StartBoardControl(
        o, MakeRealBoardDriver(std::make_unique<FlakyBus>(std::move(fake), &down)),
        [] { return BoardView{}; }, &m, nullptr);
    REQUIRE(b.ok());
    REQUIRE(Refreshed(**b).value("safe", "") == "running");
    CHECK(clears == 1);  // the start left the safe state
    down = true;         // a wire comes loose: the watchdog expires on the board
    CHECK(WaitFor([&] { return m.Get("board_errors") >= 3; }));
    safe = true;
    down = false;
    CHECK(WaitFor([&] { return clears == 2; }));
    CHECK(WaitFor([&] { return (*b)->Snapshot().value("safe", std::string()) == "running"; }));
    const int64_t errors = m.Get("board_errors");
    REQUIRE((*b)->Press(0, 0).ok());         // returns after the refresh that took it
    CHECK(m.Get("board_errors") == errors);  // which did not fail
    (*b)->Stop();
  }

  TEST_CASE("board.gpio: a chip that does not exist and a bad line specification name the key") {
    BoardOptions o;
    o.mode = "gpio";
    o.gpio_chip = "tern-no-such-chip";
    o.gpio_lines = "sclk=0,mosi=1,miso=2,cs=3";
    auto r = MakeGpioBoardDriver(o);
    REQUIRE_FALSE(r.ok());
    CHECK(Has(r.status().message(), "GPIO chip 'tern-no-such-chip'"));
    o.gpio_lines = "sclk=0,mosi=1,miso=2";
    r = MakeGpioBoardDriver(o);
    REQUIRE_FALSE(r.ok());
    CHECK(Has(r.status().message(), "config key 'board.gpio_lines'"));
    CHECK(Has(r.status().message(), "missing 'cs'"));
  }

  TEST_CASE("board.gpio_half_bit: 0 or a whole number of ns, us or ms, at most 10 ms") {
    using std::chrono::nanoseconds;
    CHECK(*ParseGpioHalfBit("0") == nanoseconds(0));
    CHECK(*ParseGpioHalfBit("500ns") == nanoseconds(500));
    CHECK(*ParseGpioHalfBit("10us") == nanoseconds(10000));
    CHECK(*ParseGpioHalfBit("10ms") == nanoseconds(10000000));
    for (const char* bad :
         {"", "5", "11ms", "1s", "-1us", "1.5us", "us", "10 us", "9999999999ns"}) {
      INFO(bad);
      auto r = ParseGpioHalfBit(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(Has(r.status().message(), "is not a half-bit time"));
    }
  }
}

}  // namespace
}  // namespace tern::core
