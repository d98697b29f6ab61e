// Preflight report: rendering (table, JSON), the exit code, and the `--check` command line
// both daemons share (see preflight.h). The checks themselves are in preflight_checks.cpp.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tern/common/preflight.h"

namespace tern {

const char* ResultName(CheckResult r) {
  switch (r) {
    case CheckResult::kOk:
      return "ok";
    case CheckResult::kWarn:
      return "warn";
    case CheckResult::kFail:
      return "fail";
  }
  return "fail";
}

std::string RenderTable(const std::vector<CheckLine>& lines) {
  size_t w = std::strlen("check");
  for (const auto& l : lines) w = std::max(w, l.check.size());
  std::ostringstream os;
  auto row = [&](const std::string& c, const std::string& r, const std::string& d) {
    os << c << std::string(w - c.size() + 2, ' ') << r << std::string(7 - r.size(), ' ') << d
       << "\n";
  };
  row("check", "result", "detail");
  for (const auto& l : lines) {
    // A detail is one line: a newline inside would break the columns (and `grep`).
    std::string d = l.detail;
    std::replace(d.begin(), d.end(), '\n', ' ');
    row(l.check, ResultName(l.result), d);
  }
  return os.str();
}

std::string RenderJson(const std::vector<CheckLine>& lines) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();  // keys in report order
  for (const auto& l : lines) {
    a.push_back({{"check", l.check}, {"result", ResultName(l.result)}, {"detail", l.detail}});
  }
  // Replaced, not thrown, for bytes that are not UTF-8 (a path, a broker's error text).
  return a.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int PreflightExitCode(const std::vector<CheckLine>& lines) {
  for (const auto& l : lines) {
    if (l.result == CheckResult::kFail) return 1;
  }
  return 0;
}

bool WantsCheck(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check") == 0) return true;
  }
  return false;
}

int RunCheck(int argc, char** argv, const ConfigSchema& schema,
             const std::function<std::vector<CheckLine>(const Config&)>& checks) {
  CLI::App app{schema.program + " --check: preflight checks (docs/preflight.md)"};
  std::string file;
  std::vector<std::string> sets;
  bool check = false, json = false;
  app.add_option("-c,--config", file, "Config file (key = value lines)");
  app.add_option("--set", sets, "Override a config key: --set key=value (repeatable)");
  app.add_flag("--check", check, "Run the preflight checks and exit");
  app.add_flag("--json", json, "With --check: print the report as a JSON array");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  // The report is the output: the clients the checks use would otherwise log their retries
  // into it (stdout).
  spdlog::set_level(spdlog::level::off);
  auto print = [&](const std::vector<CheckLine>& lines) {
    std::cout << (json ? RenderJson(lines) : RenderTable(lines)) << std::flush;
  };
  auto cfg = Config::Load(schema, file, sets);
  if (!cfg.ok()) {
    // Every error, one a line, as the daemon itself would print them; then the report.
    std::istringstream in(cfg.status().message());
    std::string line;
    while (std::getline(in, line)) std::cerr << schema.program << ": " << line << "\n";
    print({{"config valid", CheckResult::kFail, cfg.status().message()}});
    return 2;
  }
  std::vector<CheckLine> lines = {{"config valid", CheckResult::kOk,
                                   file.empty() ? "built-in defaults and --set" : "file " + file}};
  for (auto& l : checks(*cfg)) lines.push_back(std::move(l));
  print(lines);
  return PreflightExitCode(lines);
}

}  // namespace tern
