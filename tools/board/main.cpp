// tern-board: read and write the control board's registers and fields by name, look at the
// front panel, set PWM duties, and (on the simulated board) press buttons and drive inputs.
// The simulated board lives only as long as one invocation, so several commands can be given
// at once, separated by '--' or ';', or read from a script (--script FILE, '-' for stdin: each
// line runs as soon as it arrives), and --panel ends the run with the live front panel.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "board_shell.h"
#include "bringup.h"
#include "live_panel.h"
#include "tern/common/version.h"
#include "tern/hw/gpiod_bus.h"
#ifdef TERN_BOARD_HAVE_SIM
#include "tern/hw/verilator_bus.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "tern-board: control-board registers, fields, panel and PWM over SPI (GPIO or "
      "simulated)"};
  bool sim = false;
  std::string chip, lines, script;
  int half_bit_ns = 0;
  bool keep_going = false;
  bool panel = false;
  bool outputs = false;
  app.add_flag("--sim", sim, "use the Verilated board (default when no --chip is given)");
  app.add_option("--chip", chip, "GPIO chip (name, path, label or number) for real hardware");
  app.add_option("--lines", lines, "GPIO line offsets: sclk=N,mosi=N,miso=N,cs=N[,irq=N]");
  app.add_option("--half-bit-ns", half_bit_ns, "extra hold per SCLK level on GPIO (default 0)");
  app.add_option("--script", script, "read commands from FILE, one per line ('-' = stdin)");
  app.add_flag("-k,--keep-going", keep_going, "run the remaining commands after an error");
  app.add_flag("--outputs", outputs,
               "let bringup energise each relay and fan for a moment (off by default)");
  app.add_flag("--panel", panel,
               "after the commands, show the live front panel in the terminal (keys: 0-3 "
               "buttons, s switch, +/- pot, k kick watchdog, : command, q quit)");
  app.set_version_flag("--version", tern::VersionLine("tern-board"),
                       "Print the version and git commit and exit");
  app.prefix_command();
  app.footer(tern::board::BoardShell::Help());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  // Commands: the words after the options, split at '--' and ';'.
  std::vector<std::vector<std::string>> commands(1);
  for (const std::string& w : app.remaining()) {
    if (w == "--" || w == ";") {
      commands.emplace_back();
    } else {
      commands.back().push_back(w);
    }
  }
  std::erase_if(commands, [](const auto& c) { return c.empty(); });
  if (commands.empty() && script.empty() && !panel) {
    std::cerr << app.help() << "\n";
    return 2;
  }
  std::ifstream script_file;
  std::istream* script_in = &std::cin;
  if (!script.empty() && script != "-") {
    script_file.open(script);
    if (!script_file) {
      std::cerr << "tern-board: cannot open script " << script << "\n";
      return 2;
    }
    script_in = &script_file;
  }

  std::unique_ptr<tern::hw::RegisterBus> bus;
  tern::hw::SimBoard* sim_board = nullptr;
  bool irq_line = false;
#ifdef TERN_BOARD_HAVE_SIM
  std::unique_ptr<tern::hw::SimBoard> board_holder;
#endif
  if (!chip.empty() && !sim) {
    tern::hw::GpiodConfig config;
    config.chip = chip;
    config.half_bit = std::chrono::nanoseconds(half_bit_ns);
    if (lines.empty()) {
      std::cerr << "tern-board: --chip needs --lines sclk=N,mosi=N,miso=N,cs=N[,irq=N]\n";
      return 2;
    }
    if (tern::Status s = tern::hw::ParseGpiodLines(lines, &config); !s.ok()) {
      std::cerr << "tern-board: " << s.ToString() << "\n";
      return 2;
    }
    auto opened = tern::hw::GpiodBus::Open(config);
    if (!opened.ok()) {
      // bringup's first step is this one: say it the checklist's way, with its hint.
      const bool bringup = std::any_of(commands.begin(), commands.end(),
                                       [](const auto& c) { return c[0] == "bringup"; });
      if (bringup) std::cout << tern::board::BringupOpenFailure(opened.status());
      std::cerr << "tern-board: " << opened.status().ToString() << "\n";
      return 1;
    }
    irq_line = config.irq.has_value();
    bus = std::move(opened).value();
  } else {
#ifdef TERN_BOARD_HAVE_SIM
    board_holder = std::make_unique<tern::hw::SimBoard>();
    sim_board = board_holder.get();
    bus = std::make_unique<tern::hw::VerilatorBus>(sim_board);
#else
    std::cerr << "tern-board: this build has no simulated board (TERN_BUILD_FPGA=OFF or no "
                 "verilator); use --chip and --lines\n";
    return 2;
#endif
  }

  tern::board::BoardShell shell(bus.get(), sim_board, &std::cout);
  if (sim_board == nullptr) shell.bringup().irq = irq_line;
  shell.bringup().outputs = outputs;
  int rc = 0;
  // Runs one command; false when the run should stop (an error without --keep-going).
  auto run = [&](const std::vector<std::string>& c) {
    tern::Status s = shell.Run(c);
    std::cout << std::flush;  // a script's reader sees each answer as it is made
    if (s.ok()) return true;
    std::cerr << "tern-board: " << c[0] << ": " << s.ToString() << std::endl;
    rc = 1;
    return keep_going;
  };
  for (const auto& c : commands) {
    if (!run(c)) return rc;
  }
  if (!script.empty()) {
    for (std::string line; std::getline(*script_in, line);) {
      const auto words = tern::board::BoardShell::Split(line);
      if (!words.empty() && !run(words)) return rc;
    }
  }
  if (panel) {
    tern::board::LivePanel live(bus.get(), sim_board);
    live.shell().bringup() = shell.bringup();
    if (tern::Status s = live.Run(); !s.ok()) {
      std::cerr << "tern-board: --panel: " << s.ToString() << "\n";
      return 2;
    }
  }
  return rc;
}
