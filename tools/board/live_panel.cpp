// LivePanel: see live_panel.h.
#include "live_panel.h"

#include "tern/hw/watchdog.h"
#include "tern/tui/panel_view.h"
#include "tern/tui/terminal.h"
#ifdef TERN_BOARD_HAVE_SIM
#include "tern/hw/verilator_bus.h"
#endif

namespace tern::board {
namespace {
constexpr const char* kKeys =
    "keys: 0-3 press button  s switch  +/- pot  k kick watchdog  : command  q quit";
constexpr uint16_t kPotStep = 256;
constexpr uint16_t kPotMax = 4095;
}  // namespace

Status LivePanel::Run() {
  TERN_ASSIGN_OR_RETURN(std::unique_ptr<tui::Terminal> term, tui::Terminal::Open());
  status_ = sim_ ? "simulated board: inputs from the keys; run :bringup to leave the safe state"
                 : "real board: the inputs are the board's own";
  for (;;) {
    Frame();
    std::vector<std::string> lines;
    if (auto f = hw::ReadPanelFrame(bus_); f.ok()) {
      lines = tui::RenderPanel(*f, status_);
    } else {
      lines = {"tern control board: reading the panel failed", f.status().ToString(), "", status_};
    }
    lines.emplace_back(std::string(kKeys) + (kick_ ? "   [kicking]" : ""));
    term->Draw(lines);
    if (auto key = term->ReadKey(kFrameMs); key && !OnKey(*key, *term)) return Status::Ok();
  }
}

void LivePanel::RunCommand(const std::string& line) {
  const auto words = BoardShell::Split(line);
  if (words.empty()) return;
  shell_out_.str("");
  const Status s = shell_.Run(words);
  std::string text = shell_out_.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (const auto nl = text.rfind('\n'); nl != std::string::npos) text = text.substr(nl + 1);
  status_ = s.ok() ? (text.empty() ? line + ": ok" : text) : line + ": " + s.ToString();
}

void LivePanel::Frame() {
  if (kick_) {
    if (Status s = hw::Watchdog(bus_).Kick(); !s.ok()) status_ = "kick: " + s.ToString();
  }
#ifdef TERN_BOARD_HAVE_SIM
  if (sim_ == nullptr) return;
  sim_->Tick(kClocksPerFrame);
#endif
}

bool LivePanel::OnKey(int key, tui::Terminal& term) {
  if (key == 'q' || key == 'Q') return false;
  if (key == 'k') {
    kick_ = !kick_;
    status_ = kick_ ? "kicking the watchdog every frame" : "no longer kicking the watchdog";
    return true;
  }
  if (key == ':') {
    if (auto line = term.ReadLine(":")) RunCommand(*line);
    return true;
  }
  const bool input =
      (key >= '0' && key <= '3') || key == 's' || key == '+' || key == '=' || key == '-';
  if (!input) return true;
#ifdef TERN_BOARD_HAVE_SIM
  if (sim_ != nullptr) {
    if (key >= '0' && key <= '3') {  // the shell's press: held past the debounce filter
      RunCommand("press " + std::to_string(key - '0'));
    } else if (key == 's') {
      switch_ = !switch_;
      sim_->SetSwitch(switch_);
      status_ = std::string("switch ") + (switch_ ? "on" : "off");
    } else {
      pot_ = (key == '-')
                 ? static_cast<uint16_t>(pot_ > kPotStep ? pot_ - kPotStep : 0)
                 : static_cast<uint16_t>(pot_ + kPotStep > kPotMax ? kPotMax : pot_ + kPotStep);
      sim_->SetPot(pot_);
      status_ = "pot " + std::to_string(pot_);
    }
    return true;
  }
#endif
  status_ = "inputs can only be driven on the simulated board (--sim)";
  return true;
}

}  // namespace tern::board
