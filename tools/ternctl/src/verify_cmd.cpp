// ternctl verify over the core's HTTP API: see verify_cmd.h.
#include "verify_cmd.h"

#include <iostream>

#include "cli_util.h"

namespace tern::tools {
namespace {

// A count the server gives as a number (or, should it list them, as an array).
int64_t Count(const nlohmann::json& j, const char* key) {
  if (j.contains(key) && j[key].is_array()) return static_cast<int64_t>(j[key].size());
  return Num(j, key);
}

std::string Names(const nlohmann::json& a) {
  std::string s;
  for (const auto& n : a)
    s += (s.empty() ? "" : ", ") + (n.is_string() ? n.get<std::string>() : Dump(n));
  return s.empty() ? "(none)" : s;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, VerifyCmdArgs* a) {
  a->cmd = app.add_subcommand("verify",
                              "compare the manifest with what every live store reports it holds");
  a->cmd->add_flag("--json", a->json, "exactly one JSON object on stdout (the server's)");
  a->cmd->add_flag("--rehash", a->rehash,
                   "have every store re-read and re-hash its chunks first (slower)");
}

int RunVerify(CoreClient& core, const VerifyCmdArgs& a) {
  auto r = core.Get(std::string("/api/v1/verify") + (a.rehash ? "?rehash=1" : ""));
  if (!r.ok()) {
    if (a.json) std::cout << Dump({{"ok", false}, {"error", r.status().message()}}) << "\n";
    return Fail(r.status());
  }
  const auto& v = *r;
  const bool ok = v.value("ok", false);
  if (a.json) {
    std::cout << Dump(v) << "\n";
    return ok ? kExitOk : kExitProblems;
  }
  std::cout << "chunks in manifest: " << Num(v, "chunks") << " (hashes "
            << (a.rehash ? "re-read by the stores" : "as last reported") << ")\n"
            << "stores answered:   " << Names(v.value("stores_answered", nlohmann::json::array()))
            << "\n"
            << "stores silent:     " << Names(v.value("stores_silent", nlohmann::json::array()))
            << "\n"
            << "missing copies:    " << Count(v, "missing") << "\n"
            << "under-replicated:  " << Count(v, "under_replicated");
  const auto& by = v.value("by_copies", nlohmann::json::object());
  if (!by.empty()) {
    std::cout << " (by good copies:";
    for (const auto& it : by.items()) std::cout << " " << it.key() << ": " << Dump(it.value());
    std::cout << ")";
  }
  std::cout << "\n"
            << "lost:              " << Count(v, "lost") << "\n"
            << "extra copies:      " << Count(v, "extra") << "\n"
            << "corrupt copies:    " << Count(v, "corrupt") << "\n";
  // Chunks still being placed: their discrepancies are counted apart and are not problems,
  // so a reader of the text sees why they are not in the figures above (as --json does).
  if (v.contains("in_flight") && v["in_flight"].is_object()) {
    const auto& f = v["in_flight"];
    std::cout << "in flight:         " << Num(f, "chunks")
              << " chunks (not yet acked, or newer than " << Num(f, "window_s")
              << " s; not problems): missing " << Count(f, "missing") << ", extra "
              << Count(f, "extra") << ", under-replicated " << Count(f, "under_replicated")
              << ", no copy yet " << Count(f, "lost") << "\n";
  }
  const auto& problems = v.value("problems", nlohmann::json::array());
  constexpr size_t kShow = 20;
  for (size_t i = 0; i < problems.size() && i < kShow; ++i) {
    const auto& p = problems[i];
    std::cout << "  " << Str(p, "problem") << " " << Str(p, "id");
    if (!Str(p, "node").empty()) std::cout << " at " << Str(p, "node");
    std::cout << "\n";
  }
  if (problems.size() > kShow) {
    std::cout << "  ... " << problems.size() - kShow << " more listed (--json)\n";
  }
  std::cout << (ok ? "OK" : "PROBLEMS FOUND") << "\n";
  return ok ? kExitOk : kExitProblems;
}

}  // namespace tern::tools
