// ternctl token create/list/revoke over the core's token book.
#include "token_cmd.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "tern/core/http_tokens.h"

namespace tern::tools {
namespace {

std::string BookPath(const std::string& core_db, const TokenCmdArgs& a) {
  if (!a.data_dir.empty()) return core::TokenBook::PathIn(a.data_dir);
  size_t slash = core_db.rfind('/');
  return core::TokenBook::PathIn(slash == std::string::npos ? "." : core_db.substr(0, slash));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Create(const std::string& path, const TokenCmdArgs& a) {
  auto role = core::ParseHttpRole(a.role);
  if (!role.ok()) return FailIn("token", role.status());
  auto token = core::TokenBook::Create(path, *role, a.label, NowMs());
  if (!token.ok()) return FailIn("token", token.status());
  // The token on stdout alone (for scripts); how to use it on stderr.
  std::cout << *token << "\n";
  std::cerr << "ternctl token: created '" << a.label << "' (" << a.role << ") in " << path
            << "; it is shown only now. Use it as\n  curl -H 'Authorization: Bearer <token>' "
               "http://127.0.0.1:8080/api/v1/nodes\n";
  return 0;
}

int List(const std::string& path, const TokenCmdArgs& a) {
  auto book = core::TokenBook::Load(path);
  if (!book.ok()) return FailIn("token", book.status());
  nlohmann::json all = nlohmann::json::array();
  for (const auto& t : book->List()) {
    all.push_back(
        {{"label", t.label}, {"role", core::HttpRoleName(t.role)}, {"created_ms", t.created_ms}});
  }
  if (a.json) {
    std::cout << all.dump() << "\n";
    return 0;
  }
  std::printf("%-24s %-9s %s\n", "LABEL", "ROLE", "CREATED (UTC)");
  for (const auto& t : all) {
    time_t secs = static_cast<time_t>(t["created_ms"].get<int64_t>() / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::printf("%-24s %-9s %s\n", t["label"].get<std::string>().c_str(),
                t["role"].get<std::string>().c_str(), when);
  }
  return 0;
}

}  // namespace

void AddTokenCommands(CLI::App& app, TokenCmdArgs* a) {
  a->cmd = app.add_subcommand("token", "bearer tokens of the core's HTTP API");
  a->cmd->require_subcommand(1);
  a->cmd->add_option("--data-dir", a->data_dir,
                     "the core's data dir (default: the directory of --core-db)");
  a->create = a->cmd->add_subcommand("create", "make a token; prints it once");
  a->create->add_option("--role", a->role, "read (every GET) or operator (also changes settings)")
      ->capture_default_str();
  a->create->add_option("--name", a->label, "a label for the token, e.g. grafana")->required();
  a->list = a->cmd->add_subcommand("list", "labels, roles and creation times (never the tokens)");
  a->list->add_flag("--json", a->json, "JSON output");
  a->revoke = a->cmd->add_subcommand("revoke", "remove a token; the core refuses it at once");
  a->revoke->add_option("name", a->label, "the token's label")->required();
  // `ternctl token create --data-dir D ...` as well as `ternctl token --data-dir D create ...`.
  for (CLI::App* sub : {a->create, a->list, a->revoke}) sub->fallthrough();
}

int RunTokenCommand(const std::string& core_db, const TokenCmdArgs& a) {
  if (!a.cmd || !*a.cmd) return -1;
  const std::string path = BookPath(core_db, a);
  if (*a.create) return Create(path, a);
  if (*a.list) return List(path, a);
  Status s = core::TokenBook::Revoke(path, a.label);
  if (!s.ok()) return FailIn("token", s);
  std::cerr << "ternctl token: revoked '" << a.label << "'\n";
  return 0;
}

}  // namespace tern::tools
