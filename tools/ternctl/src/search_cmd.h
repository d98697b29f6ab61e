// `ternctl search QUERY [--from T] [--to T] [--limit N] [--json]`: the chunks and results
// whose source, origin name, kind, priority, tags or notes match QUERY (SQLite FTS5 syntax:
// words, "phrases", AND/OR/NOT, prefix*, column:word), newest first, each with its holders
// (GET /api/v1/search). The times are parsed by the core like every other ternctl time.
// Exit: 0 with matches or none (an empty answer is an answer), 2 for a query the core
// refused (400, its message printed) or a connection problem.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core_client.h"

namespace tern::tools {

struct SearchCmdArgs {
  CLI::App* cmd = nullptr;
  std::string query, from, to;
  int limit = 0;
  bool json = false;
};

void AddSearchCommand(CLI::App& app, SearchCmdArgs* a);
bool SearchCommandSelected(const SearchCmdArgs& a);
int RunSearchCommand(CoreClient& core, const SearchCmdArgs& a);

}  // namespace tern::tools
