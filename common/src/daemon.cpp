// Shared daemon main: command line, config, logging, the data directory's lock, and the
// signals, which are heard from the first moment: the daemon starts on a thread of its own
// while this one listens, so a daemon waiting for something (the edge for its address) still
// stops at once on SIGINT/SIGTERM. The whole stop has a budget from the signal (kStopBudget):
// a part still blocked then (a TCP connect to a broker that never answers) does not hold
// the process, whose durable state is in SQLite. systemd hears READY=1/STOPPING=1 here.
#include "tern/common/daemon.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "tern/common/dir_lock.h"
#include "tern/common/log.h"
#include "tern/common/systemd_notify.h"
#include "tern/common/version.h"

namespace tern {
namespace {
volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_pause = 0;
void OnSignal(int sig) { g_signal = sig; }
void OnPause(int) { g_pause = 1; }

// How long a daemon gets to give up its start after a signal before the process ends anyway.
constexpr auto kCancelGrace = std::chrono::milliseconds(1500);
// From the signal to the end of the process, whatever the daemon was doing: under the 2 s
// that systemd units, the site runner and operators are promised (docs/deploy.md).
constexpr auto kStopBudget = std::chrono::milliseconds(1800);

using Clock = std::chrono::steady_clock;

// Runs `stop` on this thread; if it has not returned by `deadline`, a watchdog logs what
// happened and ends the process (exit 0: the stop was asked for; committed data is durable).
void StopBy(Clock::time_point deadline, const std::string& program,
            const std::function<void()>& stop) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lk(mu);
    if (cv.wait_until(lk, deadline, [&] { return done; })) return;
    spdlog::warn("{}: the stop did not finish within {} ms of the signal; exiting anyway", program,
                 kStopBudget.count());
    spdlog::default_logger()->flush();
    std::_Exit(0);
  });
  stop();
  {
    std::lock_guard<std::mutex> lk(mu);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
}

// Prints each line of a (possibly multi-line) error with the program's name, once.
void PrintError(const std::string& program, const std::string& message) {
  std::istringstream in(message);
  std::string line;
  while (std::getline(in, line)) std::cerr << program << ": " << line << "\n";
}

bool HasKey(const ConfigSchema& schema, const std::string& key) {
  for (const auto& k : schema.keys) {
    if (k.name == key) return true;
  }
  return false;
}
}  // namespace

void Daemon::Pause() { spdlog::info("SIGUSR1: nothing to pause in this daemon; ignored"); }

int RunDaemon(int argc, char** argv, const ConfigSchema& schema, const std::string& name_key,
              const std::function<Result<std::unique_ptr<Daemon>>(const Config&)>& create) {
  CLI::App app{schema.program};
  std::string file;
  std::vector<std::string> sets;
  bool example = false, print = false, version = false;
  app.add_option("-c,--config", file, "Config file (key = value lines)");
  app.add_option("--set", sets, "Override a config key: --set key=value (repeatable)");
  app.add_flag("--example-config", example, "Print a config file with every key and exit");
  app.add_flag("--print-config", print, "Print the effective config with origins and exit");
  app.add_flag("--version", version, "Print the version and git commit and exit");
  // Handled by the daemon's main() before this (RunCheck); listed here for --help.
  bool check = false;
  app.add_flag("--check", check,
               "Run the preflight checks (--json: as JSON) and exit 0/1/2 (docs/preflight.md)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (version) {
    std::cout << VersionLine(schema.program) << "\n";
    return 0;
  }
  if (example) {
    std::cout << Config::Example(schema);
    return 0;
  }
  auto cfg = Config::Load(schema, file, sets);
  if (!cfg.ok()) {
    PrintError(schema.program, cfg.status().message());
    return 2;
  }
  if (print) {
    std::cout << cfg->Dump();
    return 0;
  }
  Status ls = InitLogging(cfg->String(name_key), cfg->String("log.level"));
  if (!ls.ok()) {
    PrintError(schema.program, ls.message());
    return 2;
  }
  spdlog::info("{}", VersionLine(schema.program));
  for (const auto& k : schema.keys) {
    if (k.name == "security.mode" && cfg->String(k.name) == "insecure") {
      spdlog::warn(
          "{}: security.mode = insecure: plain MQTT, statements neither signed nor "
          "verified; for tests only (docs/security.md)",
          schema.program);
    }
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGUSR1, OnPause);
  // Held until the process ends: a second daemon on the same directory stops here.
  std::optional<DirLock> lock;
  if (HasKey(schema, "node.data_dir")) {
    auto l = DirLock::Acquire(cfg->String("node.data_dir"), schema.program);
    if (!l.ok()) {
      spdlog::critical("{} cannot start: {}", schema.program, l.status().message());
      return 1;
    }
    lock.emplace(std::move(*l));
  }
  auto d = create(*cfg);
  if (!d.ok()) {
    spdlog::critical("{} failed to start: {}", schema.program, d.status().ToString());
    return 1;
  }
  Daemon* daemon = d->get();
  systemd::NotifyStatus("starting");
  std::atomic<bool> started{false};
  Status start_status;
  std::thread starter([&] {
    start_status = daemon->Start();
    started = true;
  });
  while (!started && !g_signal) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // The stop budget runs from the signal, also when it came during the start.
  std::optional<Clock::time_point> signal_at;
  if (g_signal) signal_at = Clock::now();
  if (!started) {
    systemd::NotifyStopping("signal during the start, giving it up");
    spdlog::info("{}: signal {} while starting, giving up the start", schema.program,
                 static_cast<int>(g_signal));
    daemon->Cancel();
    const auto deadline = std::chrono::steady_clock::now() + kCancelGrace;
    while (!started && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!started) {
      // The start is still winding down (an MQTT client that waits out its reconnect
      // back-off before it stops): leave anyway, as asked. Nothing was committed yet that
      // an abrupt end could lose (SQLite survives it in any case).
      spdlog::warn(
          "{}: exiting without waiting for the start to wind down ({} ms after the "
          "signal)",
          schema.program, kCancelGrace.count());
      spdlog::shutdown();
      std::_Exit(0);
    }
  }
  starter.join();
  if (!start_status.ok()) {
    if (g_signal) {
      spdlog::warn("{}: stopped by signal {} before it was up: {}", schema.program,
                   static_cast<int>(g_signal), start_status.message());
      StopBy(signal_at.value_or(Clock::now()) + kStopBudget, schema.program, [&] { d->reset(); });
      spdlog::shutdown();
      return 0;
    }
    spdlog::critical("{} failed to start: {}", schema.program, start_status.ToString());
    return daemon->StartFailureExitCode(start_status);
  }
  if (!g_signal) systemd::NotifyReady("running: " + VersionLine(schema.program));
  while (!g_signal) {
    if (g_pause) {
      g_pause = 0;
      daemon->Pause();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!signal_at) signal_at = Clock::now();
  spdlog::info("{}: signal {}, stopping", schema.program, static_cast<int>(g_signal));
  systemd::NotifyStopping("stopping on signal " + std::to_string(static_cast<int>(g_signal)));
  StopBy(*signal_at + kStopBudget, schema.program, [&] {
    daemon->Stop();
    d->reset();
  });
  spdlog::info("{}: stopped", schema.program);
  spdlog::shutdown();
  return 0;
}

}  // namespace tern
