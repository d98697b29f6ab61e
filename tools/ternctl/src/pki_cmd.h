// `ternctl pki init|issue|revoke|list`: the site PKI (common Pki): the CA, node certificates
// and keys, the CRL, and the broker's generated ACL and mosquitto.conf. Works on files only;
// after issue and revoke the operator sends mosquitto SIGHUP (the output says so).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tern::tools {

struct PkiCmdArgs {
  CLI::App* cmd = nullptr;
  CLI::App* init = nullptr;
  CLI::App* issue = nullptr;
  CLI::App* revoke = nullptr;
  CLI::App* list = nullptr;
  std::string dir = "./pki";
  std::string name;
  std::string role;
  int days = 365;
  std::vector<std::string> sans;
  bool json = false;
  // init
  std::string site = "tern";
  std::string prefix = "tern";
  int port = 8883;
  std::string bind;
  std::string user;
  std::vector<std::string> conf_lines;
  int ca_days = 3650;
};

// Adds the `pki` subcommand with its four subcommands to `app`.
void AddPkiCommands(CLI::App& app, PkiCmdArgs* args);
// Runs it if it was selected: the exit code (0 ok; 1 not found or refused, e.g. the name
// already holds a certificate; 2 bad value or I/O), or -1 if `pki` was not selected.
int RunPkiCommand(const PkiCmdArgs& args);

}  // namespace tern::tools
