// ternctl report / repair status over the core's HTTP API: see report_cmd.h.
#include "report_cmd.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli_util.h"

namespace tern::tools {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Ago(int64_t ms) {
  if (ms <= 0) return "never";
  int64_t s = (NowMs() - ms) / 1000;
  return FormatMs(ms) + " (" + std::to_string(s < 0 ? 0 : s) + " s ago)";
}

std::string Bytes(int64_t b) {
  return std::to_string(b) + " (" + HumanBytes(static_cast<double>(b)) + ")";
}

// " (draining: N chunks left, its store holds M)" or " (drained: empty)"; "" if not draining.
std::string DrainNote(const nlohmann::json& n) {
  if (!n.value("draining", false)) return "";
  if (n.value("drained", false)) return " (drained: empty, safe to stop and forget)";
  const std::string held = n.contains("store_chunks") && n["store_chunks"].is_number()
                               ? std::to_string(Num(n, "store_chunks"))
                               : "?";
  return " (draining: " + std::to_string(Num(n, "chunks")) +
         " chunk(s) left in the manifest, its store holds " + held + ")";
}

void PrintRepair(const nlohmann::json& r) {
  std::cout << "Repair: queue " << Num(r, "queue") << ", in flight " << Num(r, "in_flight")
            << ", done " << Num(r, "done") << ", failed " << Num(r, "failed") << ", "
            << HumanBytes(static_cast<double>(Num(r, "bytes"))) << " copied, "
            << HumanBytes(Real(r, "bytes_per_s")) << "/s\n";
  std::string blocked = Str(r, "blocked_reason");
  if (!blocked.empty()) std::cout << "  blocked: " << blocked << "\n";
}

int Report(CoreClient& core, bool json) {
  auto got = core.Get("/api/v1/report");
  if (!got.ok()) return Fail(got.status());
  const auto& j = *got;
  if (json) {
    std::cout << Dump(j) << "\n";
    return kExitOk;
  }
  const auto& t = j.value("totals", nlohmann::json::object());
  const int64_t cap = Num(t, "capacity"), used = Num(t, "used");
  std::cout << "Configured capacity: " << Bytes(cap) << "\n"
            << "Used: " << Bytes(used);
  if (cap > 0) std::printf(" %.2f%%", 100.0 * static_cast<double>(used) / static_cast<double>(cap));
  std::cout << "\nLive nodes: " << Num(t, "live") << " of " << Num(t, "nodes") << "\n"
            << "Chunks: " << Num(t, "chunks") << ", " << Bytes(Num(t, "bytes")) << " bytes\n";
  const auto& c = j.value("copies", nlohmann::json::object());
  std::cout << "Chunks by copies:";
  for (const char* k : {"0", "1", "2", "3", "4+"}) std::cout << "  " << k << ": " << Num(c, k);
  std::cout << "\n";
  PrintRepair(j.value("repair", nlohmann::json::object()));
  const auto& rec = j.value("reconcile", nlohmann::json::object());
  std::cout << "Reconciliation: last full pass " << FormatMs(Num(rec, "last_full_ms"));
  if (Num(rec, "last_full_ms") > 0) std::cout << " (" << Num(rec, "age_s") << " s ago)";
  std::cout << "\n";
  // Co-location (docs/architecture.md, "Placement and co-location").
  const auto& pl = j.value("placement", nlohmann::json::object());
  std::cout << "Co-location: " << Num(pl, "colocated") << " of " << Num(pl, "windows")
            << " windows of the last " << Num(pl, "period_s") << " s on the same stores";
  if (pl.contains("ratio") && pl["ratio"].is_number()) {
    std::printf(" (%.1f%%)", 100.0 * pl["ratio"].get<double>());
  }
  std::cout << "\n";
  for (const auto& n : j.value("nodes", nlohmann::json::array())) {
    const int64_t ncap = Num(n, "capacity"), nused = Num(n, "used");
    std::cout << "\nName: " << Str(n, "name") << " (addr " << Num(n, "addr") << ")\n"
              << "State: " << Str(n, "state") << DrainNote(n) << "\n"
              << "Capacity: " << Bytes(ncap) << "\n"
              << "Used: " << Bytes(nused);
    if (ncap > 0) {
      std::printf(" %.2f%%", 100.0 * static_cast<double>(nused) / static_cast<double>(ncap));
    }
    std::cout << "\nChunks: " << Num(n, "chunks") << ", " << Bytes(Num(n, "bytes")) << " bytes\n"
              << "Disk full: " << (n.value("disk_full", false) ? "YES" : "no") << "\n"
              << "Disk pressure: " << n.value("pressure", std::string("normal")) << "\n"
              << "Last heartbeat: " << Ago(Num(n, "last_heartbeat_ms")) << "\n"
              << "Last block report: " << Ago(Num(n, "last_report_ms")) << "\n";
  }
  return kExitOk;
}

int Repair(CoreClient& core, bool json) {
  auto got = core.Get("/api/v1/repair");
  if (!got.ok()) return Fail(got.status());
  const auto& j = *got;
  if (json) {
    std::cout << Dump(j) << "\n";
    return kExitOk;
  }
  PrintRepair(j);
  const auto& by = j.value("by_copies", nlohmann::json::object());
  std::cout << "Queued by copies left: 0: " << Num(by, "0") << "  1: " << Num(by, "1")
            << "  2: " << Num(by, "2") << "  corrupt: " << Num(j, "corrupt") << "\n";
  const auto& tasks = j.value("tasks", nlohmann::json::array());
  if (tasks.empty()) return kExitOk;
  std::printf("%-66s %-7s %-16s %-16s %s\n", "CHUNK", "COPIES", "SOURCE", "TARGET", "AGE");
  constexpr size_t kShow = 50;
  for (size_t i = 0; i < tasks.size() && i < kShow; ++i) {
    const auto& t = tasks[i];
    std::printf("%-66s %-7lld %-16s %-16s %.1f s\n", Str(t, "id").c_str(),
                static_cast<long long>(Num(t, "copies")), Str(t, "source").c_str(),
                Str(t, "target").c_str(), static_cast<double>(Num(t, "age_ms")) / 1000.0);
  }
  if (tasks.size() > kShow) std::cout << "... " << tasks.size() - kShow << " more (--json)\n";
  return kExitOk;
}

}  // namespace

void AddReportCommands(CLI::App& app, ReportCmdArgs* a) {
  a->report = app.add_subcommand(
      "report", "site report: capacity, chunks by copy count, repair, each node's state");
  a->report->add_flag("--json", a->json, "the server's JSON");
  a->repair = app.add_subcommand("repair", "the repair queue");
  a->repair->require_subcommand(1);
  a->status = a->repair->add_subcommand("status", "backlog, rate and the tasks in the queue");
  a->status->add_flag("--json", a->json, "the server's JSON");
}

bool ReportCommandSelected(const ReportCmdArgs& a) {
  return (a.report && *a.report) || (a.repair && *a.repair);
}

int RunReportCommand(CoreClient& core, const ReportCmdArgs& a) {
  return *a.report ? Report(core, a.json) : Repair(core, a.json);
}

}  // namespace tern::tools
