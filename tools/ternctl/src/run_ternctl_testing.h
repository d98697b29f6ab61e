// For the CLI tests: runs the real ternctl binary (TERNCTL_PATH) and captures its output.
// Thread-safety: free function; each call runs its own process.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace tern::tools {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout, and stderr too when asked for
};

// `ternctl <args>`; stderr is discarded unless `with_stderr`.
inline RunResult RunTernctl(const std::string& args, bool with_stderr = false) {
  std::string cmd =
      std::string(TERNCTL_PATH) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  RunResult r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace tern::tools
