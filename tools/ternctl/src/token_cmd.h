// `ternctl token create|list|revoke`: the bearer tokens of the core's HTTP API, kept in
// `<core data dir>/http-tokens.json` (see tern/core/http_tokens.h). The running core re-reads
// the file when it changes, so a new token works and a revoked one stops working at once.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tern::tools {

struct TokenCmdArgs {
  CLI::App* cmd = nullptr;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
  std::string role = "read", label, data_dir;
  bool json = false;
};

// Adds the `token` subcommand with `create`, `list` and `revoke` to `app`.
void AddTokenCommands(CLI::App& app, TokenCmdArgs* args);
// Runs it if it was selected: the exit code (0 ok, 1 no such token, 2 bad value or I/O), or
// -1. Without --data-dir the book is the one beside `core_db`.
int RunTokenCommand(const std::string& core_db, const TokenCmdArgs& args);

}  // namespace tern::tools
