// BoardShell: tern-board's commands over any RegisterBus (see board_shell.h).
#include "board_shell.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string_view>

#include "tern/hw/board_regs.h"
#include "tern/hw/clock_divider.h"
#include "tern/hw/fifo.h"
#include "tern/hw/irq_controller.h"
#include "tern/hw/mos_driver.h"
#include "tern/hw/panel.h"
#include "tern/hw/watchdog.h"
#include "tern/tui/panel_view.h"
#ifdef TERN_BOARD_HAVE_SIM
#include "tern/hw/verilator_bus.h"
#endif

namespace tern::board {

namespace regs = hw::regs;

namespace {

// Fields come from the generated table (regs::kFields, one entry per field of the map).
using regs::FieldInfo;

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

std::string Hex(uint32_t v, int digits = 8) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}

Result<uint32_t> ParseNumber(const std::string& s, const char* what) {
  try {
    size_t used = 0;
    const unsigned long long v = std::stoull(s, &used, 0);
    if (used != s.size() || v > 0xFFFFFFFFull) throw std::out_of_range(s);
    return static_cast<uint32_t>(v);
  } catch (const std::exception&) {
    return Status::InvalidArgument(std::string(what) + ": '" + s + "' is not a 32-bit number");
  }
}

Result<const regs::RegInfo*> FindRegister(const std::string& name) {
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
    TERN_ASSIGN_OR_RETURN(uint32_t addr, ParseNumber(name, "register address"));
    if (addr <= 0xFFFF) {
      if (const regs::RegInfo* r = regs::find(static_cast<uint16_t>(addr))) return r;
    }
    return Status::NotFound("no register at address " + name);
  }
  if (const regs::RegInfo* r = regs::find(std::string_view(Upper(name)))) return r;
  return Status::NotFound("no register named '" + name + "' (try: dump)");
}

Result<const FieldInfo*> FindField(const std::string& spec) {
  const auto dot = spec.find('.');
  if (dot == std::string::npos) {
    return Status::InvalidArgument("field '" + spec + "': expected REGISTER.FIELD");
  }
  TERN_ASSIGN_OR_RETURN(const regs::RegInfo* reg, FindRegister(spec.substr(0, dot)));
  std::string field = spec.substr(dot + 1);
  std::transform(field.begin(), field.end(), field.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string names;
  for (const FieldInfo& f : regs::kFields) {
    if (f.offset != reg->offset) continue;
    if (f.name == field) return &f;
    names += (names.empty() ? "" : ", ") + std::string(f.name);
  }
  return Status::NotFound(std::string(reg->name) + " has no field '" + field +
                          "' (fields: " + names + ")");
}

const char* AccessName(regs::Access a) {
  switch (a) {
    case regs::Access::kRw:
      return "rw";
    case regs::Access::kRo:
      return "ro";
    case regs::Access::kRw1c:
      return "rw1c";
    case regs::Access::kWo:
      return "wo";
  }
  return "?";
}

// "NAME (0xOFF) = 0x... [a=1 b=0x2]"
std::string Describe(const regs::RegInfo& r, uint32_t v) {
  std::string s = hw::RegisterLabel(r.offset) + " = " + Hex(v);
  std::string fields;
  for (const FieldInfo& f : regs::kFields) {
    if (f.offset != r.offset) continue;
    const uint32_t fv = (v & f.mask) >> f.shift;
    fields += (fields.empty() ? "" : " ") + std::string(f.name) + "=" +
              (f.width == 1 ? std::to_string(fv) : Hex(fv, static_cast<int>((f.width + 3) / 4)));
  }
  if (!fields.empty()) s += "  [" + fields + "]";
  return s;
}

std::string Bits(uint32_t v, int n) {
  std::string s;
  for (int i = n - 1; i >= 0; --i) s += ((v >> i) & 1) ? '*' : '.';
  return s;
}

Status Need(const std::vector<std::string>& w, size_t min, size_t max, const char* usage) {
  if (w.size() < min || w.size() > max) {
    return Status::InvalidArgument(std::string("usage: ") + usage);
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> BoardShell::Split(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line.substr(0, line.find('#')));
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

const char* BoardShell::Help() {
  return "commands (several per invocation, separated by '--' or ';'):\n"
         "  read REG                 read a register by name or address, with its fields\n"
         "  write REG VALUE          write a register\n"
         "  field REG.FIELD [VALUE]  read a field, or read-modify-write it\n"
         "  dump                     every register\n"
         "  probe                    check the board ID\n"
         "  bringup                  first-power-on checklist (ID, scratch, link, watchdog, IRQ,\n"
         "                           lamp test; --outputs: relays and fans); leaves the safe "
         "state\n"
         "  safe                     safe-state status and causes\n"
         "  kick                     kick the watchdog\n"
         "  pwm CH DUTY [PERIOD]     set a channel's duty (ticks) and enable it\n"
         "  panel                    the front panel: digits, LEDs, relays, fans, buttons, switch, "
         "pot\n"
         "  events                   drain the event FIFO\n"
         "  wait-irq MS              wait for the IRQ line and take the enabled sources\n"
         "  counters                 host-side link counters\n"
         "simulation only (--sim):\n"
         "  press BUTTON             press and release a button (held past the debounce)\n"
         "  hold BUTTON 0|1          press or release a button and leave it\n"
         "  set pot|switch|fault|gpio VALUE   drive a board input\n"
         "  run MS                   advance simulated time\n"
         "  pins                     board output pins now\n";
}

Status BoardShell::Run(const std::vector<std::string>& w) {
  if (w.empty()) return Status::Ok();
  const std::string cmd = w[0];
  std::ostream& out = *out_;
  auto need_sim = [&]() -> Status {
    if (sim_ == nullptr) {
      return Status::FailedPrecondition("'" + cmd + "' needs the simulated board (--sim)");
    }
    return Status::Ok();
  };

  if (cmd == "help") {
    out << Help();
    return Status::Ok();
  }
  if (cmd == "read") {
    TERN_RETURN_IF_ERROR(Need(w, 2, 2, "read REG"));
    TERN_ASSIGN_OR_RETURN(const regs::RegInfo* r, FindRegister(w[1]));
    uint32_t v = 0;
    TERN_RETURN_IF_ERROR(bus_->Read(r->offset, &v));
    out << Describe(*r, v) << "\n";
    return Status::Ok();
  }
  if (cmd == "write") {
    TERN_RETURN_IF_ERROR(Need(w, 3, 3, "write REG VALUE"));
    TERN_ASSIGN_OR_RETURN(const regs::RegInfo* r, FindRegister(w[1]));
    TERN_ASSIGN_OR_RETURN(uint32_t v, ParseNumber(w[2], "value"));
    if (r->access == regs::Access::kRo) {
      return Status::InvalidArgument(std::string(r->name) + " is read-only");
    }
    if (v & ~r->mask) {
      return Status::InvalidArgument(std::string(r->name) + ": value " + Hex(v) +
                                     " has bits outside the register mask " + Hex(r->mask));
    }
    TERN_RETURN_IF_ERROR(bus_->Write(r->offset, v));
    out << hw::RegisterLabel(r->offset) << " <- " << Hex(v) << "\n";
    return Status::Ok();
  }
  if (cmd == "field") {
    TERN_RETURN_IF_ERROR(Need(w, 2, 3, "field REG.FIELD [VALUE]"));
    TERN_ASSIGN_OR_RETURN(const FieldInfo* f, FindField(w[1]));
    const regs::RegInfo* r = regs::find(f->offset);
    const std::string label = std::string(f->reg) + "." + std::string(f->name);
    if (w.size() == 2) {
      if (r->access == regs::Access::kWo) {
        return Status::InvalidArgument(label + ": register is write-only");
      }
      uint32_t v = 0;
      TERN_RETURN_IF_ERROR(bus_->Read(f->offset, &v));
      out << label << " = " << Hex((v & f->mask) >> f->shift, 0) << "\n";
      return Status::Ok();
    }
    TERN_ASSIGN_OR_RETURN(uint32_t fv, ParseNumber(w[2], "value"));
    if (f->width < 32 && fv >> f->width) {
      return Status::InvalidArgument(label + ": " + w[2] + " does not fit in " +
                                     std::to_string(f->width) + " bits");
    }
    if (r->access == regs::Access::kRo) return Status::InvalidArgument(label + " is read-only");
    // Read-modify-write keeps the other fields. Write-only registers read 0 and rw1c
    // registers must not write back the 1s they read, so both start from 0.
    uint32_t v = 0;
    if (r->access == regs::Access::kRw) TERN_RETURN_IF_ERROR(bus_->Read(f->offset, &v));
    v = (v & ~f->mask) | ((fv << f->shift) & f->mask);
    TERN_RETURN_IF_ERROR(bus_->Write(f->offset, v));
    out << label << " <- " << Hex(fv, 0) << "  (" << hw::RegisterLabel(f->offset) << " <- "
        << Hex(v) << ")\n";
    return Status::Ok();
  }
  if (cmd == "dump") {
    for (const regs::RegInfo& r : regs::kRegisters) {
      if (r.access == regs::Access::kWo) {
        out << hw::RegisterLabel(r.offset) << "  (write-only)\n";
        continue;
      }
      if (r.flags & regs::kFlagPop) {
        out << hw::RegisterLabel(r.offset) << "  (not read: a read pops the FIFO)\n";
        continue;
      }
      uint32_t v = 0;
      TERN_RETURN_IF_ERROR(bus_->Read(r.offset, &v));
      out << Describe(r, v) << "  " << AccessName(r.access) << "\n";
    }
    return Status::Ok();
  }
  if (cmd == "probe") {
    TERN_ASSIGN_OR_RETURN(uint16_t version, hw::Watchdog(bus_).Probe());
    out << "tern board, register map version " << version << ", on " << bus_->Describe() << "\n";
    return Status::Ok();
  }
  if (cmd == "bringup") return RunBringup(bus_, bringup_, out_);
  if (cmd == "safe") {
    TERN_ASSIGN_OR_RETURN(hw::SafeStatus st, hw::Watchdog(bus_).ReadSafeStatus());
    TERN_ASSIGN_OR_RETURN(uint16_t left, hw::Watchdog(bus_).Remaining());
    out << st.ToString() << "; watchdog ticks left " << left << "\n";
    return Status::Ok();
  }
  if (cmd == "kick") {
    TERN_RETURN_IF_ERROR(hw::Watchdog(bus_).Kick());
    out << "kicked\n";
    return Status::Ok();
  }
  if (cmd == "pwm") {
    TERN_RETURN_IF_ERROR(Need(w, 3, 4, "pwm CH DUTY [PERIOD]"));
    TERN_ASSIGN_OR_RETURN(uint32_t ch, ParseNumber(w[1], "channel"));
    TERN_ASSIGN_OR_RETURN(uint32_t duty, ParseNumber(w[2], "duty"));
    if (duty > 0xFFFF) return Status::InvalidArgument("duty: at most 65535 ticks");
    hw::MosDriver mos(bus_);
    if (w.size() == 4) {
      TERN_ASSIGN_OR_RETURN(uint32_t period, ParseNumber(w[3], "period"));
      if (period > 0xFFFF) return Status::InvalidArgument("period: at most 65535 ticks");
      TERN_RETURN_IF_ERROR(mos.SetPeriod(static_cast<uint16_t>(period)));
    }
    TERN_RETURN_IF_ERROR(mos.SetDuty(ch, static_cast<uint16_t>(duty)));
    TERN_RETURN_IF_ERROR(mos.EnableChannel(ch, true));
    TERN_ASSIGN_OR_RETURN(uint16_t period, mos.Period());
    out << "PWM channel " << ch << ": duty " << duty << "/" << period << " ticks ("
        << (period ? 100.0 * duty / period : 0.0) << "%)\n";
    if (bus_->last_flags().safe_state) {
      out << "note: the board is in the safe state, gates stay off (run: bringup)\n";
    }
#ifdef TERN_BOARD_HAVE_SIM
    if (sim_ != nullptr && !bus_->last_flags().safe_state) {
      // Measure on the pins over whole periods (DIV_PWM ticks per count).
      TERN_ASSIGN_OR_RETURN(uint16_t div, hw::ClockDivider(bus_).Get(hw::Divider::kPwm));
      const uint64_t clocks = uint64_t{std::max<uint16_t>(period, 1)} * std::max<uint16_t>(div, 1);
      sim_->Tick(2 * clocks);  // the shadow register takes the duty at the boundary
      uint64_t hi = 0, lo = 0;
      const uint64_t n = 4 * clocks;
      for (uint64_t i = 0; i < n; ++i) {
        sim_->Tick();
        hi += (sim_->pwm_hi() >> ch) & 1u;
        lo += (sim_->pwm_lo() >> ch) & 1u;
      }
      out << "measured on pins: high side "
          << 100.0 * static_cast<double>(hi) / static_cast<double>(n) << "%, low side "
          << 100.0 * static_cast<double>(lo) / static_cast<double>(n) << "% (rest is dead time)\n";
    }
#endif
    return Status::Ok();
  }
  if (cmd == "panel") {
    TERN_ASSIGN_OR_RETURN(hw::PanelFrame f, hw::ReadPanelFrame(bus_));
    for (const std::string& line : tui::RenderPanel(f)) out << line << "\n";
    return Status::Ok();
  }
  if (cmd == "events") {
    std::vector<hw::FifoEvent> other;
    std::vector<hw::PanelEvent> ev;
    // Print what was popped even if a later pop failed, then report the failure.
    const Status taken = hw::Panel(bus_).TakeEvents(&ev, &other);
    for (const hw::PanelEvent& e : ev) {
      out << "panel:";
      if (e.pressed) out << " pressed " << Bits(e.pressed, 4);
      if (e.released) out << " released " << Bits(e.released, 4);
      if (e.switch_changed) out << " switch " << (e.switch_level ? "on" : "off");
      out << "  (buttons now " << Bits(e.buttons, 4) << ")\n";
    }
    for (const hw::FifoEvent& e : other) {
      out << "event type " << Hex(e.type, 2) << " payload " << Hex(e.payload, 4) << "\n";
    }
    if (ev.empty() && other.empty() && taken.ok()) out << "no events\n";
    return taken;
  }
  if (cmd == "wait-irq") {
    TERN_RETURN_IF_ERROR(Need(w, 2, 2, "wait-irq MS"));
    TERN_ASSIGN_OR_RETURN(uint32_t ms, ParseNumber(w[1], "milliseconds"));
    TERN_ASSIGN_OR_RETURN(uint16_t got,
                          hw::IrqController(bus_).WaitAndTake(std::chrono::milliseconds(ms)));
    out << (got ? "irq: sources " + Bits(got, 10) +
                      " (power temp wdog link safe fault gpio panel ovf thresh)"
                : std::string("no irq within ") + w[1] + " ms")
        << "\n";
    return Status::Ok();
  }
  if (cmd == "counters") {
    const hw::BusCounters c = bus_->counters();
    out << "frames " << c.frames << " reads " << c.reads << " writes " << c.writes << " retries "
        << c.retries << " crc_errors " << c.crc_errors << " bad_requests " << c.bad_requests
        << " bad_patterns " << c.bad_patterns << " stuck_line " << c.stuck_line << " failures "
        << c.failures << "\n";
    return Status::Ok();
  }

#ifdef TERN_BOARD_HAVE_SIM
  if (cmd == "press" || cmd == "hold") {
    TERN_RETURN_IF_ERROR(need_sim());
    TERN_RETURN_IF_ERROR(cmd == "press" ? Need(w, 2, 2, "press BUTTON")
                                        : Need(w, 3, 3, "hold BUTTON 0|1"));
    TERN_ASSIGN_OR_RETURN(uint32_t b, ParseNumber(w[1], "button"));
    if (b >= hw::Panel::kButtons) return Status::InvalidArgument("button: 0..3");
    if (cmd == "hold") {
      TERN_ASSIGN_OR_RETURN(uint32_t on, ParseNumber(w[2], "level"));
      sim_->SetButton(b, on != 0);
      out << "button " << b << (on ? " held down\n" : " released\n");
      return Status::Ok();
    }
    // Hold past the debounce filter: (thresh + 3) debounce ticks each way.
    TERN_ASSIGN_OR_RETURN(uint16_t div, hw::ClockDivider(bus_).Get(hw::Divider::kDebounce));
    uint32_t cfg = 0;
    TERN_RETURN_IF_ERROR(bus_->Read(regs::debounce_cfg::kOffset, &cfg));
    const uint64_t hold =
        (((cfg & regs::debounce_cfg::thresh::kMask) >> regs::debounce_cfg::thresh::kShift) + 3) *
        uint64_t{std::max<uint16_t>(div, 1)};
    sim_->SetButton(b, true);
    sim_->Tick(hold);
    sim_->SetButton(b, false);
    sim_->Tick(hold);
    out << "button " << b << " pressed and released (" << hold << " clocks each)\n";
    return Status::Ok();
  }
  if (cmd == "set") {
    TERN_RETURN_IF_ERROR(need_sim());
    TERN_RETURN_IF_ERROR(Need(w, 3, 3, "set pot|switch|fault|gpio VALUE"));
    TERN_ASSIGN_OR_RETURN(uint32_t v, ParseNumber(w[2], "value"));
    if (w[1] == "pot") {
      if (v > 0xFFF) return Status::InvalidArgument("pot: 12 bits");
      sim_->SetPot(static_cast<uint16_t>(v));
    } else if (w[1] == "switch") {
      sim_->SetSwitch(v != 0);
    } else if (w[1] == "fault") {
      sim_->SetFault(v != 0);
    } else if (w[1] == "gpio") {
      if (v > 0xFFFF) return Status::InvalidArgument("gpio: 16 bits");
      sim_->SetGpioIn(static_cast<uint16_t>(v));
    } else {
      return Status::InvalidArgument("set: unknown input '" + w[1] +
                                     "' (pot, switch, fault, gpio)");
    }
    out << "input " << w[1] << " = " << Hex(v, 0) << "\n";
    return Status::Ok();
  }
  if (cmd == "run") {
    TERN_RETURN_IF_ERROR(need_sim());
    TERN_RETURN_IF_ERROR(Need(w, 2, 2, "run MS"));
    TERN_ASSIGN_OR_RETURN(uint32_t ms, ParseNumber(w[1], "milliseconds"));
    sim_->Tick(uint64_t{ms} * hw::SimBoard::kClockHz / 1000);
    out << "ran " << ms << " ms of board time (cycle " << sim_->cycles() << ")\n";
    return Status::Ok();
  }
  if (cmd == "pins") {
    TERN_RETURN_IF_ERROR(need_sim());
    out << "pwm_hi " << Bits(sim_->pwm_hi(), 4) << "  pwm_lo " << Bits(sim_->pwm_lo(), 4)
        << "  relay " << Bits(sim_->relays(), 4) << "  fan " << Bits(sim_->fans(), 2) << "  led "
        << Bits(sim_->leds(), 8) << "  irq " << (sim_->irq_asserted() ? "low" : "high")
        << "\ngpio_o " << Hex(sim_->gpio_out(), 4) << "  gpio_oe " << Hex(sim_->gpio_oe(), 4)
        << "  seg " << Hex(sim_->segments(), 2) << "  digit " << Bits(sim_->digit_select(), 4)
        << "\n";
    return Status::Ok();
  }
#else
  if (cmd == "press" || cmd == "hold" || cmd == "set" || cmd == "run" || cmd == "pins") {
    return need_sim();
  }
#endif
  return Status::InvalidArgument("unknown command '" + cmd + "' (try: help)");
}

}  // namespace tern::board
