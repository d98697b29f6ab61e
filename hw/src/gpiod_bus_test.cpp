// GpiodBus on a simulated GPIO chip (gpio-sim over configfs, or gpio-mockup over debugfs).
// No board answers on such a chip, so the tests check what the host side can: the lines are
// requested with the right idle levels, a MISO line pulled low or high is reported as stuck
// naming the line, and the IRQ line is seen. Where neither module is usable (most containers
// and CI runners) every test SKIPS and says why; CTest shows them as skipped.
#include "tern/hw/gpiod_bus.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "gpio_sim_chip.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {

using testing::OpenSimChip;
using testing::SimChip;

constexpr unsigned kSclk = 0, kMosi = 1, kMiso = 2, kCs = 3, kIrq = 4;

#define SKIP_WITHOUT_SIM_CHIP(chip)                                          \
  std::string why_;                                                          \
  auto chip = OpenSimChip(&why_);                                            \
  if (!chip) {                                                               \
    MESSAGE("SKIPPED: GpiodBus test needs a simulated GPIO chip: " << why_); \
    return;                                                                  \
  }

GpiodConfig ConfigFor(const SimChip& chip) {
  GpiodConfig c;
  c.chip = chip.name();
  c.sclk = kSclk;
  c.mosi = kMosi;
  c.miso = kMiso;
  c.cs = kCs;
  c.irq = kIrq;
  c.retry.max_attempts = 1;
  return c;
}

TEST_SUITE("hw.gpiod") {
  TEST_CASE("lines are requested idle: CS high, SCLK and MOSI low") {
    SKIP_WITHOUT_SIM_CHIP(chip);
    auto bus = GpiodBus::Open(ConfigFor(*chip));
    REQUIRE(bus.ok());
    CHECK(chip->Output(kCs) == std::optional<bool>(true));
    CHECK(chip->Output(kSclk) == std::optional<bool>(false));
    CHECK(chip->Output(kMosi) == std::optional<bool>(false));
  }

  TEST_CASE("no board on the lines: MISO stuck low/high is reported naming the line") {
    SKIP_WITHOUT_SIM_CHIP(chip);
    auto opened = GpiodBus::Open(ConfigFor(*chip));
    REQUIRE(opened.ok());
    GpiodBus& bus = **opened;
    REQUIRE(chip->SetPull(kMiso, false));
    uint32_t v = 0;
    Status s = bus.Read(regs::id::kOffset, &v);
    CHECK(s.code() == Status::Code::kUnavailable);
    CHECK(s.message().find("MISO stuck low") != std::string::npos);
    CHECK(s.message().find(chip->name() + " line 2") != std::string::npos);
    REQUIRE(chip->SetPull(kMiso, true));
    s = bus.Read(regs::id::kOffset, &v);
    CHECK(s.message().find("MISO stuck high") != std::string::npos);
    CHECK(chip->Output(kCs) == std::optional<bool>(true));  // deselected after the frame
    CHECK(bus.counters().frames == 2);
  }

  TEST_CASE("IRQ line: high times out, low is seen") {
    SKIP_WITHOUT_SIM_CHIP(chip);
    auto opened = GpiodBus::Open(ConfigFor(*chip));
    REQUIRE(opened.ok());
    REQUIRE(chip->SetPull(kIrq, true));
    auto r = (*opened)->WaitIrq(std::chrono::milliseconds(20));
    REQUIRE(r.ok());
    CHECK_FALSE(*r);
    REQUIRE(chip->SetPull(kIrq, false));
    r = (*opened)->WaitIrq(std::chrono::milliseconds(500));
    REQUIRE(r.ok());
    CHECK(*r);
  }
}

TEST_SUITE("hw.gpiod") {
  TEST_CASE("line specification parsing") {
    GpiodConfig c;
    REQUIRE(ParseGpiodLines("sclk=17,mosi=27,miso=22,cs=0x17,irq=24", &c).ok());
    CHECK(c.sclk == 17);
    CHECK(c.cs == 23);
    CHECK(c.irq == std::optional<unsigned>(24));
    CHECK(ParseGpiodLines("sclk=1,mosi=2,miso=3", &c).message().find("missing 'cs'") !=
          std::string::npos);
    CHECK(ParseGpiodLines("sclk=1,mosi=1,miso=3,cs=4", &c).code() ==
          Status::Code::kInvalidArgument);
    CHECK(ParseGpiodLines("sclk=1,mosi=2,miso=3,cs=4,led=5", &c).code() ==
          Status::Code::kInvalidArgument);
  }

  TEST_CASE("opening a chip that does not exist names it") {
    GpiodConfig c;
    c.chip = "tern-no-such-chip";
    c.sclk = 0, c.mosi = 1, c.miso = 2, c.cs = 3;
    auto r = GpiodBus::Open(c);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("tern-no-such-chip") != std::string::npos);
  }
}

}  // namespace
}  // namespace tern::hw
