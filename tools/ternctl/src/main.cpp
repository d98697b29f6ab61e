// ternctl: the operator's command line. Thin: flags and dispatch here, each command in its
// own file. Every command about the site asks the running core over its HTTP API
// (core_client.h); none opens another node's files. The only files ternctl opens itself are
// on the box it runs on: `token` (the core's token book, beside --core-db: run it on the
// core's box), `pki` (a PKI directory) and `analyze` (a CSV file).
//
// Exit codes, the same for every command (cli_util.h): 0 ok; 1 problems found / not found /
// no good copy / refused because of a node's state; 2 usage, connection, authentication or
// I/O error.
#include <CLI/CLI.hpp>
#include <iostream>

#include "analysis_cmd.h"
#include "analyze.h"
#include "backup_cmd.h"
#include "board_cmd.h"
#include "chunk_cmd.h"
#include "cli_util.h"
#include "core_client.h"
#include "edge_cmd.h"
#include "node_cmd.h"
#include "pki_cmd.h"
#include "report_cmd.h"
#include "search_cmd.h"
#include "tern/common/version.h"
#include "token_cmd.h"
#include "top_cmd.h"
#include "verify_cmd.h"

int main(int argc, char** argv) {
  using namespace tern::tools;
  CLI::App app{"ternctl: operate a tern site through its core's HTTP API"};
  app.footer(
      "Exit codes (every command): 0 ok; 1 problems found / not found / no good copy / refused "
      "for the node's state; 2 usage, connection, authentication (401/403) or I/O error.\n"
      "The core: --core URL, or --site DIR (the port from DIR/core/status.json, the token from "
      "DIR/http-token). Token: --token, --token-file, $TERN_TOKEN, or the site's.\n"
      "Offline, on the core's own box only: `token` works on the token book beside --core-db.\n"
      "Times: HLC stamps, wall-clock ms, or ISO-8601 UTC (2026-11-21T10:00:00).");
  app.require_subcommand(1);
  app.set_version_flag("--version", tern::VersionLine("ternctl"),
                       "Print the version and git commit and exit");
  CoreFlags cf;
  std::string core_db = "./core-data/core.db";
  app.add_option("--core", cf.core,
                 "the core's HTTP API, http://HOST:PORT or https://HOST:PORT (default "
                 "http://127.0.0.1:8080)");
  app.add_option("--site", cf.site,
                 "a site directory (run-site.sh's): the core's port from DIR/core/status.json, "
                 "the token from DIR/http-token, core.db as DIR/core/core.db");
  app.add_option("--token", cf.token, "bearer token for the HTTP API");
  app.add_option("--token-file", cf.token_file, "a file holding the bearer token");
  app.add_option("--ca", cf.ca, "https: the CA certificate that signed the core's");
  app.add_option("--cert", cf.cert, "https: a client certificate (instead of a token)");
  app.add_option("--key", cf.key, "https: the client certificate's key");
  app.add_option(
      "--timeout", cf.timeout_s,
      "seconds to wait for the core (default 90: verify waits up to 60 s for the stores)");
  app.add_option("--core-db", core_db,
                 "offline, on the core's own box only: the core's database, whose directory "
                 "holds the token book `token` works on")
      ->capture_default_str();

  NodeCmdArgs node_args;
  AddNodeCommands(app, &node_args);
  ReportCmdArgs report_args;
  AddReportCommands(app, &report_args);
  ChunkCmdArgs chunk_args;
  AddChunkCommands(app, &chunk_args);
  VerifyCmdArgs verify_args;
  AddVerifyCommand(app, &verify_args);
  EdgeCmdArgs edge_args;
  AddEdgeCommands(app, &edge_args);
  AnalyzeArgs analyze_args;
  AddAnalyzeCommand(app, &analyze_args);
  TokenCmdArgs token_args;
  AddTokenCommands(app, &token_args);
  PkiCmdArgs pki_args;
  AddPkiCommands(app, &pki_args);
  BackupCmdArgs backup_args;
  AddBackupCommand(app, &backup_args);
  TopCmdArgs top_args;
  AddTopCommand(app, &top_args);
  BoardCmdArgs board_args;
  AddBoardCommands(app, &board_args);
  SearchCmdArgs search_args;
  AddSearchCommand(app, &search_args);
  AnalysisCmdArgs analysis_args;
  AddAnalysisCommand(app, &analysis_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }
  if (!cf.site.empty() && app.count("--core-db") == 0) core_db = cf.site + "/core/core.db";

  if (int rc = RunAnalyzeCommand(analyze_args); rc >= 0) return rc;
  if (int rc = RunPkiCommand(pki_args); rc >= 0) return rc;
  if (int rc = RunTokenCommand(core_db, token_args); rc >= 0) return rc;
  if (int rc = RunBackupCommand(core_db, backup_args); rc >= 0) return rc;
  if (int rc = RunTopCommand(cf, top_args); rc >= 0) return rc;  // resolves (and waits) itself

  auto endpoint = ResolveEndpoint(cf);
  if (!endpoint.ok()) {
    if (verify_args.cmd && *verify_args.cmd && verify_args.json) {
      std::cout << Dump({{"ok", false}, {"error", endpoint.status().message()}}) << "\n";
    }
    std::cerr << "ternctl: " << endpoint.status().message() << "\n";
    return kExitError;  // a flag or file the operator gave is wrong: never "not found"
  }
  try {
    CoreClient core(*endpoint);
    if (NodeCommandSelected(node_args)) return RunNodeCommand(core, node_args);
    if (ReportCommandSelected(report_args)) return RunReportCommand(core, report_args);
    if (ChunkCommandSelected(chunk_args)) return RunChunkCommand(core, chunk_args);
    if (verify_args.cmd && *verify_args.cmd) return RunVerify(core, verify_args);
    if (EdgeCommandSelected(edge_args)) return RunEdgeCommand(core, edge_args);
    if (BoardCommandSelected(board_args)) return RunBoardCommand(core, board_args);
    if (SearchCommandSelected(search_args)) return RunSearchCommand(core, search_args);
    if (AnalysisCommandSelected(analysis_args)) return RunAnalysisCommand(core, analysis_args);
  } catch (const std::exception& e) {  // e.g. a JSON document of an unexpected shape
    std::cerr << "ternctl: " << e.what() << "\n";
    return kExitError;
  }
  return kExitError;
}
