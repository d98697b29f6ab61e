// Shared daemon main.
#include "tern/common/daemon.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <spdlog/spdlog.h>
#include <thread>

#include "tern/common/log.h"

namespace tern {
namespace {
volatile std::sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }
}  // namespace

int RunDaemon(int argc, char** argv, const ConfigSchema& schema, const std::string& name_key,
              const std::function<Result<std::unique_ptr<Daemon>>(const Config&)>& start) {
  CLI::App app{schema.program};
  std::string file;
  std::vector<std::string> sets;
  bool example = false, print = false;
  app.add_option("-c,--config", file, "Config file (key = value lines)");
  app.add_option("--set", sets, "Override a config key: --set key=value (repeatable)");
  app.add_flag("--example-config", example, "Print a config file with every key and exit");
  app.add_flag("--print-config", print, "Print the effective config with origins and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (example) {
    std::cout << Config::Example(schema);
    return 0;
  }
  auto cfg = Config::Load(schema, file, sets);
  if (!cfg.ok()) {
    std::cerr << schema.program << ": " << cfg.status().message() << "\n";
    return 2;
  }
  if (print) {
    std::cout << cfg->Dump();
    return 0;
  }
  Status ls = InitLogging(cfg->String(name_key), cfg->String("log.level"));
  if (!ls.ok()) {
    std::cerr << schema.program << ": " << ls.message() << "\n";
    return 2;
  }
  for (const auto& k : schema.keys) {
    if (k.name == "security.mode" && cfg->String(k.name) == "insecure") {
      spdlog::warn("{}: security.mode = insecure: plain MQTT, statements neither signed nor "
                   "verified; for tests only (docs/security.md)",
                   schema.program);
    }
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  auto d = start(*cfg);
  if (!d.ok()) {
    spdlog::critical("{} failed to start: {}", schema.program, d.status().ToString());
    return 1;
  }
  while (!g_signal) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  spdlog::info("{}: signal {}, stopping", schema.program, static_cast<int>(g_signal));
  (*d)->Stop();
  d->reset();
  spdlog::info("{}: stopped", schema.program);
  spdlog::shutdown();
  return 0;
}

}  // namespace tern
