// tern-board as an operator uses it, as a real process: the live front panel in a real
// terminal (tmux: keys in, screen out) and a script read from a pipe, run line by line as it
// arrives. The simulated board is the real Verilated RTL.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "process.h"
#include "tmux_screen.h"

namespace {

using tern::testing::Process;
using tern::testing::ReadFile;
using tern::testing::TempDir;

using tern::testing::HaveTmux;
using tern::testing::WaitUntil;

// A tmux window of 100x45 (the panel's size) running `command`.
class Tmux : public tern::testing::TmuxScreen {
 public:
  explicit Tmux(const std::string& command) : TmuxScreen("panel", command, 100, 45) {}
};

bool WaitFor(double seconds, const std::function<bool()>& pred) { return WaitUntil(seconds, pred); }

TEST_SUITE("tern-board tool") {
  TEST_CASE("the live panel draws the board and its keys drive the simulated inputs") {
    if (!HaveTmux()) {
      MESSAGE("tmux is not installed (tools/scripts/install-deps.sh installs it): skipped");
      return;
    }
    TempDir dir("panel");
    const std::string marker = dir / "exited";
    Tmux t(std::string(TERN_BOARD_BIN) + " --sim --panel; echo exit=$? > " + marker);
    REQUIRE(t.started());
    const bool drawn = t.Shows("tern control board");
    INFO(t.Screen());
    REQUIRE(drawn);
    CHECK(t.Shows("LED 7 [*] SAFE"));  // out of reset the board is safe, its lamp lit
    t.Keys(": bringup Enter");
    CHECK(t.Shows("board running (safe state left)"));
    t.Keys("k");  // keep it out of the safe state
    CHECK(t.Shows("[kicking]"));
    t.Keys(": 'write DISP_DIGITS 0x7F065B4F' Enter");
    CHECK(t.Shows("DISP_DIGITS (0x180) <- 0x7F065B4F"));
    CHECK(t.Shows("  #    #        #        #        #"));  // 8, 1, 2, 3: the upper row
    t.Keys("s");
    CHECK(t.Shows("switch [ON ]"));
    t.Keys("+ + +");
    CHECK(t.Shows("] 768"));
    t.Keys("2");  // button 2, pressed and released past the debounce filter
    CHECK(t.Shows("button 2 pressed and released"));
    t.Keys(": events Enter");
    CHECK(t.Shows("panel: pressed .*.."));
    t.Keys("q");
    CHECK(WaitFor(30, [&] { return ReadFile(marker) == "exit=0\n"; }));
    INFO(t.Screen());
  }

  TEST_CASE("bringup runs its checklist step by step, and stops at a chip that is not there") {
    TempDir dir("bringup");
    const std::string log = dir / "sim.log";
    Process p;
    REQUIRE(p.Start({TERN_BOARD_BIN, "--sim", "--outputs", "bringup", "--", "read", "SAFE_STATUS"},
                    log));
    CHECK(p.Wait(std::chrono::seconds(120)) == 0);
    const std::string out = ReadFile(log);
    INFO(out);
    size_t at = 0;  // each step once, in the documented order
    for (const char* step :
         {"PASS open: simulated board", "PASS id: ID 0x7E4E0002", "PASS scratch:", "PASS link:",
          "PASS outputs off:", "PASS watchdog:", "PASS irq:", "PASS lamp:", "PASS outputs:",
          "board running (safe state left)", "SAFE_STATUS (0x04C)"}) {
      const size_t next = out.find(step, at);
      CHECK_MESSAGE(next != std::string::npos, step);
      if (next != std::string::npos) at = next;
    }
    CHECK(out.find("FAIL") == std::string::npos);

    const std::string log2 = dir / "chip.log";
    Process q;
    REQUIRE(q.Start({TERN_BOARD_BIN, "--chip", "tern-no-such-chip", "--lines",
                     "sclk=0,mosi=1,miso=2,cs=3", "bringup"},
                    log2));
    CHECK(q.Wait(std::chrono::seconds(30)) == 1);
    const std::string out2 = ReadFile(log2);
    INFO(out2);
    CHECK(out2.find("FAIL open: GPIO chip 'tern-no-such-chip'") != std::string::npos);
    CHECK(out2.find("hint: ") != std::string::npos);
    CHECK(out2.find("PASS") == std::string::npos);
  }

  TEST_CASE("a script from a pipe runs each command as it arrives, not at end of input") {
    TempDir dir("script");
    const std::string fifo = dir / "in", log = dir / "out.log";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    Process p;
    REQUIRE(p.Start(
        {"sh", "-c", std::string("exec ") + TERN_BOARD_BIN + " --sim --script - < " + fifo}, log));
    const int w = open(fifo.c_str(), O_WRONLY);  // returns once tern-board opened its end
    REQUIRE(w >= 0);
    const std::string first = "read ID\n";
    REQUIRE(write(w, first.data(), first.size()) == static_cast<ssize_t>(first.size()));
    // The answer comes while the pipe is still open: the line ran as it arrived.
    CHECK(WaitFor(60, [&] { return ReadFile(log).find("0x7E4E0002") != std::string::npos; }));
    CHECK(p.running());
    const std::string second = "read SCRATCH\n";
    REQUIRE(write(w, second.data(), second.size()) == static_cast<ssize_t>(second.size()));
    CHECK(WaitFor(60, [&] { return ReadFile(log).find("SCRATCH") != std::string::npos; }));
    close(w);
    CHECK(p.Wait(std::chrono::seconds(60)) == 0);
    INFO(ReadFile(log));
  }
}

}  // namespace
