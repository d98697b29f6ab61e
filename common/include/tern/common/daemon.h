// What every tern daemon's main() shares: command line (--config, --set, --example-config,
// --print-config), layered config, logging, and running until SIGINT/SIGTERM.
#pragma once

#include <functional>
#include <memory>

#include "tern/common/config.h"
#include "tern/common/status.h"

namespace tern {

// A running daemon; Stop() is called once when a signal arrives.
class Daemon {
 public:
  virtual ~Daemon() = default;
  virtual void Stop() = 0;
};

// Parses the command line against `schema`, loads the config, sets up logging (from the
// config's "log.level" key and `name_key`), calls `start`, then waits for SIGINT/SIGTERM
// and stops the daemon. Returns the process exit code: 0 on a clean stop, 2 for a bad
// command line or config (after printing the error, which names the key), 1 if `start` fails.
int RunDaemon(int argc, char** argv, const ConfigSchema& schema, const std::string& name_key,
              const std::function<Result<std::unique_ptr<Daemon>>(const Config&)>& start);

}  // namespace tern
