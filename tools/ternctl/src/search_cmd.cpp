// ternctl search over the core's HTTP API: see search_cmd.h.
#include "search_cmd.h"

#include <cstdio>
#include <iostream>

#include "cli_util.h"

namespace tern::tools {
namespace {

// "a,b" of a JSON array of strings; "-" when empty.
std::string Joined(const nlohmann::json& arr, const char* sep) {
  std::string s;
  if (!arr.is_array()) return "-";
  for (const auto& v : arr) {
    if (v.is_string()) s += (s.empty() ? "" : sep) + v.get<std::string>();
  }
  return s.empty() ? "-" : s;
}

// "edge-0,edge-2" of the holders' names (the address where a name is unknown).
std::string HolderNames(const nlohmann::json& d) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& h : d.value("holders", nlohmann::json::array())) {
    std::string n = Str(h, "name");
    names.push_back(n.empty() ? std::to_string(Num(h, "addr")) : n);
  }
  return Joined(names, ",");
}

}  // namespace

void AddSearchCommand(CLI::App& app, SearchCmdArgs* a) {
  a->cmd = app.add_subcommand(
      "search",
      "find chunks and results by tag, source, origin, kind, priority or note (newest first), "
      "with their holders");
  a->cmd
      ->add_option("query", a->query,
                   "SQLite FTS5 query: words (all must match), \"phrases\", AND/OR/NOT, "
                   "prefix*, column:word (source, origin, kind, priority, tags, notes)")
      ->required();
  a->cmd->add_option("--from", a->from, "start time (HLC, wall ms, or ISO-8601 UTC)");
  a->cmd->add_option("--to", a->to, "end time, inclusive");
  a->cmd->add_option("--limit", a->limit, "at most this many matches (server default 1000)");
  a->cmd->add_flag("--json", a->json, "the server's JSON");
}

bool SearchCommandSelected(const SearchCmdArgs& a) { return a.cmd && *a.cmd; }

int RunSearchCommand(CoreClient& core, const SearchCmdArgs& a) {
  std::string path = "/api/v1/search?q=" + UrlEncode(a.query);
  if (!a.from.empty()) path += "&from=" + UrlEncode(a.from);
  if (!a.to.empty()) path += "&to=" + UrlEncode(a.to);
  if (a.limit > 0) path += "&limit=" + std::to_string(a.limit);
  auto r = core.Get(path);
  if (!r.ok()) {
    // A refused query is the operator's input, not an absent answer: an error (2).
    std::cerr << "ternctl: " << r.status().message() << "\n";
    return kExitError;
  }
  if (a.json) {
    std::cout << Dump(*r) << "\n";
    return kExitOk;
  }
  const auto& found = (*r)["results"];
  std::printf("%-64s %-7s %-24s %-10s %-26s %-20s %-28s %s\n", "ID", "KIND", "SOURCE", "ORIGIN",
              "FIRST", "TAGS", "NOTES", "HOLDERS");
  for (const auto& d : found) {
    const std::string notes = Str(d, "notes");
    std::printf("%-64s %-7s %-24s %-10s %-26s %-20s %-28s %s\n", Str(d, "id").c_str(),
                Str(d, "kind_name").c_str(), Str(d, "source").c_str(),
                Str(d, "origin_name").c_str(), FormatMs(Num(d, "t_first_ms")).c_str(),
                Joined(d.value("tags", nlohmann::json::array()), ",").c_str(),
                notes.empty() ? "-" : notes.c_str(), HolderNames(d).c_str());
  }
  std::cout << found.size() << " match(es)"
            << (r->value("truncated", false) ? " (truncated: use --limit)" : "") << "\n";
  return kExitOk;
}

}  // namespace tern::tools
