// `ternctl verify [--rehash]`: the manifest against what the stores really hold, as the core
// finds it from the stores' own block reports (GET /api/v1/verify; with --rehash every
// store re-reads and re-hashes its chunks first). Printed as a summary or the server's JSON.
#pragma once

#include <CLI/CLI.hpp>

#include "core_client.h"

namespace tern::tools {

struct VerifyCmdArgs {
  CLI::App* cmd = nullptr;
  bool json = false, rehash = false;
};

void AddVerifyCommand(CLI::App& app, VerifyCmdArgs* a);
// kExitOk if the site is consistent ("ok": true), kExitProblems if not, kExitError if the
// core could not be asked.
int RunVerify(CoreClient& core, const VerifyCmdArgs& a);

}  // namespace tern::tools
