// What every ternctl command shares: its exit codes and how it prints JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tern::tools {

// 0 success (verify: the site is consistent); 1 the answer is "no" (problems found, not
// found, no good copy); 2 usage or I/O errors.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitError = 2;

// JSON text; invalid UTF-8 (e.g. in a source name) is replaced rather than thrown on.
inline std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tern::tools
