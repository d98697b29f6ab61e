// `ternctl report` (like `hdfs dfsadmin -report`: totals, chunks by copy count, the repair
// backlog and rate, then each node's state, capacity, used, chunks and last heartbeat; GET
// /api/v1/report) and `ternctl repair status` (the repair queue and its tasks; GET
// /api/v1/repair).
#pragma once

#include <CLI/CLI.hpp>

#include "core_client.h"

namespace tern::tools {

struct ReportCmdArgs {
  CLI::App* report = nullptr;
  CLI::App* repair = nullptr;
  CLI::App* status = nullptr;
  bool json = false;
};

void AddReportCommands(CLI::App& app, ReportCmdArgs* a);
bool ReportCommandSelected(const ReportCmdArgs& a);
// The exit code: 0 when the answer came (whatever the site's state), else per cli_util.h.
int RunReportCommand(CoreClient& core, const ReportCmdArgs& a);

}  // namespace tern::tools
