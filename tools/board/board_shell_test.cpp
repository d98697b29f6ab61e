// tern-board's commands: register/field access by name against FakeBus (exact traffic), and
// the simulation commands against the Verilated board.
#include "board_shell.h"

#include <doctest/doctest.h>

#include <sstream>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"
#ifdef TERN_BOARD_HAVE_SIM
#include "tern/hw/verilator_bus.h"
#endif

namespace tern::board {
namespace {
namespace regs = hw::regs;
using hw::testing::FakeBus;
using hw::testing::R;
using hw::testing::W;

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_SUITE("tools.board") {
  TEST_CASE("read, write and field by name, case-insensitive, with exact traffic") {
    FakeBus bus;
    std::ostringstream out;
    BoardShell sh(&bus, nullptr, &out);
    bus.Set(regs::pwm_ctrl::kOffset, 0x0102);
    REQUIRE(sh.Run({"write", "PWM_DUTY0", "0x80"}).ok());
    REQUIRE(sh.Run({"read", "pwm_ctrl"}).ok());
    REQUIRE(sh.Run({"field", "PWM_CTRL.EN", "0xF"}).ok());
    REQUIRE(sh.Run({"field", "pwm_ctrl.softstart"}).ok());
    CHECK(bus.log() ==
          std::vector{W(regs::pwm_duty::offset(0), 0x80), R(regs::pwm_ctrl::kOffset, 0x0102),
                      R(regs::pwm_ctrl::kOffset, 0x0102), W(regs::pwm_ctrl::kOffset, 0x010F),
                      R(regs::pwm_ctrl::kOffset, 0x010F)});
    CHECK(Has(out.str(), "PWM_CTRL (0x100) = 0x00000102  [en=0x2 softstart=0x1]"));
    CHECK(Has(out.str(), "PWM_CTRL.softstart = 0x1"));
  }

  TEST_CASE("rw1c fields are written without echoing other set bits") {
    FakeBus bus;
    std::ostringstream out;
    BoardShell sh(&bus, nullptr, &out);
    bus.Set(regs::intr_state::kOffset, 0xFF);
    REQUIRE(sh.Run({"field", "INTR_STATE.panel", "1"}).ok());
    CHECK(bus.log() == std::vector{W(regs::intr_state::kOffset, regs::intr_state::panel::kMask)});
  }

  TEST_CASE("mistakes are refused before any frame, naming what is wrong") {
    FakeBus bus;
    std::ostringstream out;
    BoardShell sh(&bus, nullptr, &out);
    Status s = sh.Run({"read", "NOPE"});
    CHECK(s.code() == Status::Code::kNotFound);
    CHECK(Has(s.message(), "NOPE"));
    s = sh.Run({"field", "PWM_CTRL.bogus", "1"});
    CHECK(s.code() == Status::Code::kNotFound);
    CHECK(Has(s.message(), "en, softstart"));
    CHECK(sh.Run({"field", "PWM_CTRL.en", "0x10"}).code() == Status::Code::kInvalidArgument);
    CHECK(sh.Run({"write", "ID", "1"}).code() == Status::Code::kInvalidArgument);
    CHECK(sh.Run({"write", "LED", "0x100"}).code() == Status::Code::kInvalidArgument);
    CHECK(sh.Run({"press", "1"}).code() == Status::Code::kFailedPrecondition);  // no sim
    CHECK(bus.counters().frames == 0);
  }

  TEST_CASE("the generated field table covers every register and agrees with its namespaces") {
    size_t regs_with_fields = 0;
    for (const regs::RegInfo& r : regs::kRegisters) {
      uint32_t mask = 0;
      for (const regs::FieldInfo& f : regs::kFields) {
        if (f.offset == r.offset) mask |= f.mask;
      }
      CHECK_MESSAGE(mask == r.mask, r.name);  // the fields tile exactly the defined bits
      regs_with_fields += mask != 0;
    }
    CHECK(regs_with_fields == regs::kRegisters.size());
    const regs::FieldInfo* f = regs::find_field("PWM_CTRL", "softstart");
    REQUIRE(f != nullptr);
    CHECK(f->mask == regs::pwm_ctrl::softstart::kMask);
    CHECK(f->shift == regs::pwm_ctrl::softstart::kShift);
    CHECK(f->width == regs::pwm_ctrl::softstart::kWidth);
    CHECK(f->access == regs::Access::kRw);
    CHECK(regs::find_field("PWM_CTRL", "bogus") == nullptr);
  }

  TEST_CASE("Split drops comments and blank lines") {
    CHECK(BoardShell::Split("  write LED 0x3   # lamp") ==
          std::vector<std::string>{"write", "LED", "0x3"});
    CHECK(BoardShell::Split("# only a comment").empty());
  }

#ifdef TERN_BOARD_HAVE_SIM
  TEST_CASE("simulated board: bring up, press a button, see the event, pwm measured on pins") {
    hw::SimBoard board;
    hw::VerilatorBus bus(&board);
    std::ostringstream out;
    BoardShell sh(&bus, &board, &out);
    for (const char* line : {"bringup", "write DIV_DEBOUNCE 50", "press 3", "events",
                             "pwm 2 250 1000", "panel", "set pot 0x123", "run 1", "panel"}) {
      INFO(line);
      const Status s = sh.Run(BoardShell::Split(line));
      INFO(s.ToString());
      REQUIRE(s.ok());
    }
    const std::string o = out.str();
    INFO(o);
    CHECK(Has(o, "panel: pressed *...  (buttons now *...)"));
    CHECK(Has(o, "panel: released *...  (buttons now ....)") == false);  // releases not enabled
    CHECK(Has(o, "measured on pins: high side 24."));  // 25% minus the 8-clock dead time
    CHECK(Has(o, "] 291"));                            // the pot, from the panel view
    CHECK_FALSE(board.assertion_failed());
  }
#endif
}

}  // namespace
}  // namespace tern::board
