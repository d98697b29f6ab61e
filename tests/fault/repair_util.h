// Helpers of the fault battery's repair scenarios (store lost for good, two stores lost
// together, a corrupted copy, an empty data directory): losing a store for good, reading the
// core's repair document (GET /api/v1/repair, with its history of repair copies) over the
// HTTP API as an operator would, and the wait for the live edges to drain.
//
// A lost store's data directory is deleted and a one-line status.json is written back in its
// place ({"addr": N, "outbox_chunks": 0}), so the invariant check can still name the address
// the lost store had (its rows in the manifest) and say why it lacks its copies.
// Thread-safety: free functions over a Site the caller owns; one thread.
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"

namespace tern::testing {

// Kills edge i (-9) and deletes its data directory; it is never restarted. Its address.
inline uint32_t LoseStore(Site& site, int i) {
  const uint32_t addr = site.EdgeAddr(i);
  REQUIRE(addr != 0);
  site.KillEdge(i, 9);
  std::error_code ec;
  std::filesystem::remove_all(site.EdgeDir(i), ec);
  REQUIRE_FALSE(ec);
  std::filesystem::create_directories(site.EdgeDir(i), ec);
  REQUIRE_FALSE(ec);
  FILE* f = std::fopen((site.EdgeDir(i) + "/status.json").c_str(), "w");
  REQUIRE(f != nullptr);
  const std::string tomb = nlohmann::json{{"addr", addr}, {"outbox_chunks", 0}}.dump();
  std::fputs(tomb.c_str(), f);
  std::fclose(f);
  return addr;
}

// GET `path` from the core's HTTP API with the site's operator token, parsed; {} on any error.
inline nlohmann::json CoreApi(const Site& site, const std::string& path) {
  const int port = site.CoreStatus().value("http_port", -1);
  if (port <= 0) return {};
  auto r = HttpCall(port, "GET", path, SiteToken(site));
  if (r.status != 200) return {};
  auto j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json{} : j;
}

// Every edge in `live` has an empty outbox and has collected at least `records_each`.
inline bool LiveDrained(const Site& site, const std::vector<int>& live, int64_t records_each) {
  for (int i : live) {
    auto s = site.EdgeStatus(i);
    if (s.value("outbox_chunks", int64_t{1}) != 0) return false;
    if (site.EdgeCounter(i, "records_local") < records_each) return false;
  }
  return true;
}

// One repair copy of the core's history (GET /api/v1/repair, "history").
struct RepairEntry {
  std::string id;  // the chunk id's first 16 hex digits
  int copies = 0;  // good copies when the copy started
  int64_t ready_ms = 0, started_ms = 0, finished_ms = 0;
  std::string source, target, result;
};

inline std::vector<RepairEntry> RepairHistory(const nlohmann::json& doc) {
  std::vector<RepairEntry> out;
  if (!doc.contains("history")) return out;
  for (const auto& h : doc["history"]) {
    out.push_back({h.value("id", ""), h.value("copies", 0), h.value("ready_ms", int64_t{0}),
                   h.value("started_ms", int64_t{0}), h.value("finished_ms", int64_t{0}),
                   h.value("source", ""), h.value("target", ""), h.value("result", "")});
  }
  return out;
}

}  // namespace tern::testing
