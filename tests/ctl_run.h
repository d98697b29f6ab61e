// Runs the real ternctl binary against a Site's core.db and returns its exit code and
// output (stdout and stderr together), for the integration tests that drive the CLI.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "site.h"

namespace tern::testing {

struct CtlRun {
  int code;
  std::string out;
};

inline CtlRun Ctl(const Site& site, std::vector<std::string> args) {
  std::vector<std::string> argv = {TERNCTL_BIN, "--core-db", site.CoreDir() + "/core.db"};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p;
  std::string log = site.dir() + "/ctl.log";
  std::remove(log.c_str());
  if (!p.Start(argv, log)) return {-1, ""};
  return {p.Wait(std::chrono::seconds(30)), ReadFile(log)};
}

}  // namespace tern::testing
