// Logging setup: spdlog with the node's name in every line, to stderr and optionally a file.
// Code logs with spdlog::info/warn/error directly. Thread-safety: call InitLogging once at
// start-up, before other threads log.
#pragma once

#include <string>

#include "tern/common/status.h"

namespace tern {

// `level`: trace, debug, info, warn, error, off. `file`: optional path, appended to.
Status InitLogging(const std::string& node_name, const std::string& level,
                   const std::string& file = "");

}  // namespace tern
