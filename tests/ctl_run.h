// Runs the real ternctl binary against a Site and returns its exit code and output (stdout
// and stderr together), for the integration tests that drive the CLI.
//
// Ctl() talks to the site's running core over its HTTP API the way an operator on a site
// does: `--site DIR` (the core's port from DIR/core/status.json, the token from
// DIR/http-token). The first call makes an operator token with `ternctl token` (offline, on
// the core's own token book, as an operator on the core's box does) and leaves it in
// DIR/http-token. CtlArgs() runs ternctl with exactly the arguments given.
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

inline CtlRun CtlArgs(const Site& site, std::vector<std::string> argv) {
  argv.insert(argv.begin(), TERNCTL_BIN);
  Process p;
  std::string log = site.dir() + "/ctl.log";
  std::remove(log.c_str());
  if (!p.Start(argv, log)) return {-1, ""};
  return {p.Wait(std::chrono::seconds(120)), ReadFile(log)};
}

// The site's operator token in DIR/http-token, made on first use ("" if that failed).
inline std::string SiteToken(const Site& site) {
  const std::string path = site.dir() + "/http-token";
  std::string have = ReadFile(path);
  if (!have.empty()) return have;
  Process p;
  if (!p.Start({TERNCTL_BIN, "--site", site.dir(), "token", "create", "--role", "operator",
                "--name", "tests"},
               path + ".out")) {
    return "";
  }
  if (p.Wait(std::chrono::seconds(30)) != 0) return "";
  // The token is its own line, "tern_" and 43 more characters (stderr, in the same file,
  // says how to use it).
  std::string out = ReadFile(path + ".out"), token;
  for (size_t start = 0; start < out.size() && token.empty();) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    if (line.rfind("tern_", 0) == 0 && line.size() == 48) token = line;
    start = end + 1;
  }
  if (token.empty()) return "";
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return "";
  std::fputs(token.c_str(), f);
  std::fclose(f);
  return token;
}

// `ternctl --site DIR args...`; `token` commands run offline on the core's token book.
inline CtlRun Ctl(const Site& site, std::vector<std::string> args) {
  if (args.empty() || args[0] != "token") (void)SiteToken(site);
  args.insert(args.begin(), {"--site", site.dir()});
  return CtlArgs(site, args);
}

}  // namespace tern::testing
