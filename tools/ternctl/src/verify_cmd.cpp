// ternctl verify: see verify_cmd.h.
#include "verify_cmd.h"

#include <iostream>
#include <map>

#include "cli_util.h"
#include "tern/common/bytes.h"
#include "tern/tools/inspect.h"

namespace tern::tools {
namespace {

// "lost: 0" or "by good copies: 0 (lost): 3, 1: 40, 2: 900": the riskiest first.
std::string ByCopies(const tern::tools::VerifyReport& v) {
  const auto by = v.UnderByCopies();
  if (by.empty()) return "lost: 0";
  std::string out = "by good copies:";
  for (const auto& [copies, n] : by) {
    out += " " + std::to_string(copies) + (copies == 0 ? " (lost)" : "") + ": " +
           std::to_string(n) + ",";
  }
  out.pop_back();
  return out;
}

}  // namespace

int RunVerify(const std::string& core_db, bool json, bool no_hash) {
  auto r = tern::tools::VerifySite(core_db, !no_hash);
  if (!r.ok()) {
    if (json) {
      std::cout << Dump({{"ok", false}, {"error", r.status().ToString()}}) << "\n";
    }
    std::cerr << "ternctl: " << r.status().ToString() << "\n";
    return kExitError;
  }
  const auto& v = *r;
  if (json) {
    std::cout << Dump(tern::tools::ToJson(v)) << "\n";
    return v.ok() ? kExitOk : kExitProblems;
  }
  std::cout << "chunks in manifest: " << v.chunks << " (expect " << v.copies_expected
            << " copies each; hashes " << (v.hashes_checked ? "checked" : "not checked") << ")\n";
  for (const auto& n : v.nodes) {
    std::cout << "  node " << n.addr << " " << n.name << " [" << n.state << "]: ";
    if (!n.reachable) {
      std::cout << "UNREACHABLE (" << n.error << "); " << n.listed << " listed\n";
    } else {
      std::cout << n.stored << " stored, " << n.listed << " listed, " << n.missing << " missing, "
                << n.extra << " extra, " << n.corrupt << " corrupt\n";
    }
  }
  std::cout << "missing copies:    " << v.missing.size() << "\n"
            << "under-replicated:  " << v.under_replicated.size() << " (" << ByCopies(v) << ")\n"
            << "over-replicated:   " << v.over_replicated.size() << "\n"
            << "extra copies:      " << v.extra.size() << "\n"
            << "corrupt copies:    " << v.corrupt.size() << "\n"
            << "unreachable:       " << v.unreachable_stores.size() << "\n";
  constexpr size_t kShow = 20;
  auto show = [&](const char* what, const auto& list, auto line) {
    for (size_t i = 0; i < list.size() && i < kShow; ++i) {
      std::cout << "  " << what << " " << line(list[i]) << "\n";
    }
    if (list.size() > kShow) std::cout << "  ... " << list.size() - kShow << " more\n";
  };
  auto copy = [](const tern::tools::CopyProblem& p) {
    return tern::ToHex(p.id) + " at " + std::to_string(p.holder) + " " + p.holder_name + ": " +
           p.detail;
  };
  auto repl = [](const tern::tools::ReplicationProblem& p) {
    return tern::ToHex(p.id) + ": " + std::to_string(p.real_copies) + " good copies";
  };
  show("LOST", v.lost, repl);
  show("missing", v.missing, copy);
  show("under", v.under_replicated, repl);
  show("over", v.over_replicated, repl);
  show("extra", v.extra, copy);
  show("corrupt", v.corrupt, copy);
  std::cout << (v.ok() ? "OK" : "PROBLEMS FOUND") << "\n";
  return v.ok() ? kExitOk : kExitProblems;
}

}  // namespace tern::tools
