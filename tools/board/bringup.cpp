// tern-board's first-power-on checklist (bringup.h). Every step reads back what it did, and a
// failing step's hint names the wires that most often cause what was seen.
#include "bringup.h"

#include <cstdio>
#include <thread>

#include "tern/hw/board_regs.h"
#include "tern/hw/cabinet.h"
#include "tern/hw/irq_controller.h"
#include "tern/hw/mos_driver.h"
#include "tern/hw/watchdog.h"
#ifdef TERN_BOARD_HAVE_SIM
#include "tern/hw/verilator_bus.h"
#endif

namespace tern::board {

namespace regs = hw::regs;

namespace {

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

bool Has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// What a failed register access most likely means for the wiring.
std::string LinkHint(const Status& s) {
  const std::string& m = s.message();
  if (Has(m, "stuck low")) {
    return "MISO never goes high: is the board powered and its bitstream loaded, CS_n wired to "
           "the board's CS_n and MISO to its MISO, and a ground wire between host and board?";
  }
  if (Has(m, "stuck high")) {
    return "MISO stays high: check the MISO wire, that CS_n reaches the board (low during a "
           "frame) and the board's power";
  }
  if (s.code() == Status::Code::kCorruption) {
    return "the replies arrive garbled: check that SCLK and MOSI are not swapped, the ground "
           "wire, short leads; try a slower clock (--half-bit-ns 1000)";
  }
  if (s.code() == Status::Code::kFailedPrecondition) {
    return "the board rejects the frames (bad request CRC): MOSI bits are lost or shifted: "
           "check MOSI and SCLK; try a slower clock (--half-bit-ns 1000)";
  }
  return "check the four SPI wires (SCLK, MOSI, MISO, CS_n), the ground and the board's power";
}

class Checklist {
 public:
  Checklist(hw::RegisterBus* bus, const BringupOptions& o, std::ostream* out)
      : bus_(bus), o_(o), out_(*out) {}

  Status Pass(const std::string& step, const std::string& seen) {
    out_ << "PASS " << step << ": " << seen << "\n" << std::flush;
    return Status::Ok();
  }
  Status Fail(const std::string& step, const std::string& seen, const std::string& hint) {
    out_ << "FAIL " << step << ": " << seen << "\n  hint: " << hint << "\n" << std::flush;
    return Status::FailedPrecondition("bringup stopped at step '" + step + "': " + seen);
  }

  // `moment` on the board with the watchdog kicked every 20 ms.
  Status Hold() {
    auto left = o_.moment;
    while (left.count() > 0) {
      TERN_RETURN_IF_ERROR(hw::Watchdog(bus_).Kick());
      const auto step = std::min(left, std::chrono::milliseconds(20));
      if (o_.pause) {
        o_.pause(step);
      } else {
        std::this_thread::sleep_for(step);
      }
      left -= step;
    }
    return hw::Watchdog(bus_).Kick();
  }

  Status Id() {
    uint32_t id = 0;
    if (Status s = bus_->Read(regs::id::kOffset, &id); !s.ok()) {
      return Fail("id", s.message(), LinkHint(s));
    }
    const uint32_t magic = regs::get_field(id, regs::id::magic::kMask, regs::id::magic::kShift);
    const uint32_t version =
        regs::get_field(id, regs::id::version::kMask, regs::id::version::kShift);
    if (magic != regs::id::magic::kReset) {
      return Fail("id", "ID reads " + Hex(id) + ", not a tern board (magic 0x7E4E expected)",
                  "something answers, but not a tern board: is the tern bitstream loaded, and "
                  "is nothing else on these lines?");
    }
    if (version != regs::id::version::kReset) {
      return Fail("id",
                  "ID reads " + Hex(id) + ": register map v" + std::to_string(version) +
                      ", this tool speaks v" + std::to_string(regs::id::version::kReset),
                  "load the bitstream built from this tree's fpga/ (same register map)");
    }
    TERN_ASSIGN_OR_RETURN(hw::LinkErrors le, hw::Watchdog(bus_).ReadLinkErrors());
    link_count_ = le.count;
    return Pass("id", "ID " + Hex(id) + ": tern board, register map v" + std::to_string(version) +
                          ", on " + bus_->Describe());
  }

  Status Scratch() {
    uint32_t old = 0;
    if (Status s = bus_->Read(regs::scratch::kOffset, &old); !s.ok()) {
      return Fail("scratch", s.message(), LinkHint(s));
    }
    for (uint32_t pattern : {0x5AA5F00Fu, 0xA55A0FF0u}) {
      uint32_t back = 0;
      Status s = bus_->Write(regs::scratch::kOffset, pattern);
      if (s.ok()) s = bus_->Read(regs::scratch::kOffset, &back);
      if (!s.ok()) return Fail("scratch", s.message(), LinkHint(s));
      if (back != pattern) {
        return Fail("scratch",
                    "wrote " + Hex(pattern) + ", read back " + Hex(back) + " (bits " +
                        Hex(back ^ pattern) + " differ)",
                    "bits change between write and read-back: check MOSI and MISO, the ground "
                    "wire; try a slower clock (--half-bit-ns 1000)");
      }
    }
    TERN_RETURN_IF_ERROR(bus_->Write(regs::scratch::kOffset, old));
    return Pass("scratch",
                "SCRATCH wrote and read back 0x5AA5F00F and 0xA55A0FF0, restored " + Hex(old));
  }

  Status Link() {
    auto le = hw::Watchdog(bus_).ReadLinkErrors();
    if (!le.ok()) return Fail("link", le.status().message(), LinkHint(le.status()));
    const hw::BusCounters c = bus_->counters();
    const std::string seen = "LINK_ERR count " + std::to_string(le->count) + " (" +
                             std::to_string(le->count - link_count_) + " during bringup), streak " +
                             std::to_string(le->streak) + "; host: " + std::to_string(c.frames) +
                             " frames, " + std::to_string(c.crc_errors) + " CRC errors, " +
                             std::to_string(c.retries) + " retries";
    if (le->count != link_count_ || le->streak != 0 || c.retries != 0) {
      return Fail("link", seen,
                  "the board saw bad frames: noise or a loose wire on SCLK, MOSI or CS_n; "
                  "shorten the leads, check the ground, try --half-bit-ns 1000");
    }
    if (c.crc_errors + c.bad_patterns + c.stuck_line != 0) {
      return Fail("link", seen,
                  "the host saw garbled replies: noise or a loose wire on MISO; check the "
                  "ground, try --half-bit-ns 1000");
    }
    return Pass("link", seen);
  }

  // Before the safe state is left: nothing may start that the operator did not ask for.
  Status OutputsOff() {
    hw::MosDriver mos(bus_);
    hw::Cabinet cab(bus_);
    Status s = mos.SetChannels(0, 0);
    if (s.ok()) s = mos.SetRelays(0);
    if (s.ok()) s = mos.SetFan(0, 0);
    if (s.ok()) s = mos.SetFan(1, 0);
    if (s.ok()) s = cab.SetMeter(0, 0);
    if (s.ok()) s = cab.SetMeter(1, 0);
    if (!s.ok()) return Fail("outputs off", s.message(), LinkHint(s));
    return Pass("outputs off",
                std::string("PWM gates disabled, relays off, fans and meters at 0 before the safe "
                            "state is left") +
                    (o_.outputs ? "" : " (no --outputs: nothing is energised)"));
  }

  Status WatchdogStep() {
    hw::Watchdog wd(bus_);
    if (Status s = wd.LeaveSafeState(); !s.ok()) {
      const bool fault = Has(s.message(), "MOS_FAULT");
      return Fail("watchdog", s.message(),
                  fault ? "the gate drivers' fault input (fault_ni, active low) is asserted: "
                          "check its wire; tie it high if no driver is fitted"
                        : LinkHint(s));
    }
    uint32_t period = 0;
    TERN_RETURN_IF_ERROR(bus_->Read(regs::wdog_period::kOffset, &period));
    TERN_ASSIGN_OR_RETURN(uint16_t left, wd.Remaining());
    TERN_ASSIGN_OR_RETURN(hw::SafeStatus st, wd.ReadSafeStatus());
    if (st.safe) {
      return Fail("watchdog", "SAFE_STATUS still reads " + st.ToString(), LinkHint(Status::Ok()));
    }
    return Pass("watchdog", "kicked, safe state left (SAFE_STATUS " + st.ToString() + "), " +
                                std::to_string(left) + " of " + std::to_string(period) +
                                " watchdog ticks left");
  }

  Status Irq() {
    if (!o_.irq) {
      out_ << "SKIP irq: no irq= in --lines (optional: the core polls the interrupt state "
              "every refresh)\n";
      return Status::Ok();
    }
    const char* hint_idle =
        "IRQ_n is low with every source disabled: check that the irq= offset is the line wired "
        "to the board's IRQ_n, and that nothing else pulls it low";
    const char* hint_test =
        "INTR_TEST did not bring IRQ_n low: check the IRQ_n wire and its irq= offset";
    hw::IrqController irq(bus_);
    TERN_ASSIGN_OR_RETURN(uint16_t enabled, irq.Enabled());
    TERN_RETURN_IF_ERROR(irq.Enable(0));
    TERN_ASSIGN_OR_RETURN(bool low, bus_->WaitIrq(std::chrono::milliseconds(1)));
    if (low) return Fail("irq", "IRQ_n low (asserted) with INTR_ENABLE 0", hint_idle);
    TERN_RETURN_IF_ERROR(irq.Acknowledge(hw::irq::kPanel));
    TERN_RETURN_IF_ERROR(irq.Enable(hw::irq::kPanel));
    TERN_RETURN_IF_ERROR(irq.Trigger(hw::irq::kPanel));
    TERN_ASSIGN_OR_RETURN(bool asserted, bus_->WaitIrq(std::chrono::milliseconds(100)));
    TERN_RETURN_IF_ERROR(irq.Acknowledge(hw::irq::kPanel));
    TERN_ASSIGN_OR_RETURN(bool still, bus_->WaitIrq(std::chrono::milliseconds(1)));
    TERN_RETURN_IF_ERROR(irq.Enable(enabled));
    if (!asserted) return Fail("irq", "IRQ_n stayed high after INTR_TEST.panel", hint_test);
    if (still) {
      return Fail("irq", "IRQ_n stayed low after the acknowledgement",
                  "IRQ_n does not follow the board: check that nothing else drives the line");
    }
    return Pass("irq",
                "IRQ_n high with every source disabled, low after INTR_TEST, high again after "
                "the acknowledgement");
  }

  Status Lamp() {
    uint32_t digits = 0, ctrl = 0, leds = 0;
    Status s = bus_->Read(regs::disp_digits::kOffset, &digits);
    if (s.ok()) s = bus_->Read(regs::disp_ctrl::kOffset, &ctrl);
    if (s.ok()) s = bus_->Read(regs::led::kOffset, &leds);
    // Raw segments at full brightness: every segment and dot of 8.8.8.8., every LED.
    if (s.ok()) s = bus_->Write(regs::disp_ctrl::kOffset, regs::disp_ctrl::bright::kMask);
    if (s.ok()) s = bus_->Write(regs::disp_digits::kOffset, 0xFFFFFFFFu);
    if (s.ok()) s = bus_->Write(regs::led::kOffset, 0xFF);
    uint32_t back = 0;
    if (s.ok()) s = bus_->Read(regs::led::kOffset, &back);
    if (s.ok()) s = Hold();
    if (s.ok()) s = bus_->Write(regs::disp_digits::kOffset, digits);
    if (s.ok()) s = bus_->Write(regs::disp_ctrl::kOffset, ctrl);
    if (s.ok()) s = bus_->Write(regs::led::kOffset, leds);
    if (!s.ok()) return Fail("lamp", s.message(), LinkHint(s));
    if (back != 0xFF) {
      return Fail("lamp", "LED reads back " + Hex(back) + " after writing 0xFF",
                  "the panel registers do not hold what was written: check MOSI");
    }
    return Pass("lamp", "every LED and 8.8.8.8. on for " + std::to_string(o_.moment.count()) +
                            " ms, then restored: did all 8 LEDs, 28 segments and 4 dots light?");
  }

  Status Outputs() {
    hw::MosDriver mos(bus_);
    Status s;
    for (unsigned r = 0; r < 4 && s.ok(); ++r) {
      s = mos.SetRelays(static_cast<uint8_t>(1u << r));
      if (s.ok()) s = Hold();
      if (s.ok()) s = mos.SetRelays(0);
    }
    for (unsigned f = 0; f < 2 && s.ok(); ++f) {
      s = mos.SetFan(f, 0xFF);
      if (s.ok()) s = Hold();
      if (s.ok()) s = mos.SetFan(f, 0);
    }
    if (!s.ok()) return Fail("outputs", s.message(), LinkHint(s));
    return Pass("outputs", "relays 0-3, then fans 0-1, each on for " +
                               std::to_string(o_.moment.count()) +
                               " ms, then off: did each relay click and each fan run?");
  }

 private:
  hw::RegisterBus* bus_;
  const BringupOptions& o_;
  std::ostream& out_;
  uint16_t link_count_ = 0;
};

}  // namespace

BringupOptions SimBringupOptions(hw::SimBoard* sim) {
  BringupOptions o;
  o.irq = true;
  o.moment = std::chrono::milliseconds(20);
#ifdef TERN_BOARD_HAVE_SIM
  o.pause = [sim](std::chrono::milliseconds d) {
    sim->Tick(static_cast<uint64_t>(d.count()) * hw::SimBoard::kClockHz / 1000);
  };
#else
  (void)sim;
#endif
  return o;
}

Status RunBringup(hw::RegisterBus* bus, const BringupOptions& o, std::ostream* out) {
  Checklist c(bus, o, out);
  TERN_RETURN_IF_ERROR(c.Pass("open", bus->Describe()));
  TERN_RETURN_IF_ERROR(c.Id());
  TERN_RETURN_IF_ERROR(c.Scratch());
  TERN_RETURN_IF_ERROR(c.Link());
  TERN_RETURN_IF_ERROR(c.OutputsOff());
  TERN_RETURN_IF_ERROR(c.WatchdogStep());
  TERN_RETURN_IF_ERROR(c.Irq());
  TERN_RETURN_IF_ERROR(c.Lamp());
  if (o.outputs) TERN_RETURN_IF_ERROR(c.Outputs());
  *out << "board running (safe state left); kick the watchdog within its period\n";
  return Status::Ok();
}

std::string BringupOpenFailure(const Status& s) {
  const std::string& m = s.message();
  std::string hint;
  if (Has(m, "without libgpiod")) {
    hint = "install libgpiod-dev and rebuild tern (TERN_WITH_GPIOD=ON)";
  } else if (Has(m, "cannot open")) {
    hint =
        "check --chip (gpiodetect lists the chips) and that this user may open "
        "/dev/gpiochipN (root, or the group that owns it)";
  } else if (Has(m, "no such line")) {
    hint =
        "the chip has no line at that offset: check the offsets in --lines (gpioinfo CHIP "
        "lists the lines)";
  } else if (Has(m, "Device or resource busy")) {
    hint =
        "another program holds the line (gpioinfo shows its consumer): stop it, e.g. a "
        "tern-core running with board.mode = gpio";
  } else {
    hint = "check --chip and --lines (gpioinfo CHIP shows the lines and who holds them)";
  }
  return "FAIL open: " + m + "\n  hint: " + hint + "\n";
}

}  // namespace tern::board
