// `ternctl verify`: the manifest against what every store really holds (VerifySite in
// tern/tools/inspect.h), printed as a table or one JSON object.
#pragma once

#include <string>

namespace tern::tools {

// Runs the check on `core_db` (hashing every copy unless `no_hash`) and prints it. Returns
// kExitOk if the site is consistent, kExitProblems if not, kExitError if the core's database
// cannot be read.
int RunVerify(const std::string& core_db, bool json, bool no_hash);

}  // namespace tern::tools
