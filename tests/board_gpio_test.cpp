// tern-core with board.mode = gpio on a simulated GPIO chip (gpio-sim or gpio-mockup), as a
// real process. No board answers on such a chip, so what is tested is what an operator meets
// when the wiring or the board is wrong: the core takes the chip's lines, finds MISO stuck,
// and refuses to start with exit status 1 and a line naming the chip and the MISO line. Where
// no simulated chip is usable (most containers and CI runners) each test prints
// "SKIPPED: <reason>" and CTest reports it as skipped.
#include <doctest/doctest.h>

#include <string>

#include "gpio_sim_chip.h"
#include "process.h"

namespace tern::testing {
namespace {

#define SKIP_WITHOUT_SIM_CHIP(chip)                                                 \
  std::string why_;                                                                 \
  auto chip = hw::testing::OpenSimChip(&why_);                                      \
  if (!chip) {                                                                      \
    MESSAGE("SKIPPED: the core's gpio mode needs a simulated GPIO chip: " << why_); \
    return;                                                                         \
  }

TEST_SUITE("board gpio") {
  TEST_CASE("no board on the chip's lines: the core refuses to start, naming chip and line") {
    SKIP_WITHOUT_SIM_CHIP(chip);
    for (bool pull_up : {false, true}) {
      INFO("MISO pulled " << (pull_up ? "up" : "down"));
      REQUIRE(chip->SetPull(2, pull_up));  // MISO
      TempDir dir("core-gpio");
      const std::string log = dir / "core.log";
      Process p;
      REQUIRE(p.Start({TERN_CORE_BIN, "--set", "node.data_dir=" + dir / "core", "--set",
                       "security.mode=insecure", "--set", "http.port=-1", "--set",
                       "board.mode=gpio", "--set", "board.gpio_chip=" + chip->name(), "--set",
                       "board.gpio_lines=sclk=0,mosi=1,miso=2,cs=3,irq=4"},
                      log));
      CHECK(p.Wait(std::chrono::seconds(30)) == 1);
      const std::string out = ReadFile(log);
      INFO(out);
      CHECK(out.find("board: the board does not answer on gpiod " + chip->name()) !=
            std::string::npos);
      CHECK(out.find(pull_up ? "MISO stuck high" : "MISO stuck low") != std::string::npos);
      CHECK(out.find(chip->name() + " line 2") != std::string::npos);
    }
  }
}

}  // namespace
}  // namespace tern::testing
