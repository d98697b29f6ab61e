// What every tern daemon's main() shares: command line (--config, --set, --example-config,
// --print-config, --version), layered config, logging, the data directory's lock, and
// running until SIGINT/SIGTERM — which are heard in every state, also while the daemon is
// still starting (waiting for the core, say).
#pragma once

#include <functional>
#include <memory>

#include "tern/common/config.h"
#include "tern/common/status.h"

namespace tern {

// A daemon. Start() may block (the edge waits for its address); Cancel() is then called
// from another thread when a signal arrives and must make Start() return soon. Stop() is
// called once, after a successful Start(), when a signal arrives.
// Thread-safety: Cancel() from any thread while Start() runs; the rest from one thread.
class Daemon {
 public:
  virtual ~Daemon() = default;
  virtual Status Start() = 0;
  virtual void Cancel() {}
  // SIGUSR1 after a successful Start(): stop taking in new data, keep running (tern-edge:
  // its collectors stop). Default: ignored, with a log line.
  virtual void Pause();
  virtual void Stop() = 0;
  // The process exit code when Start() fails with `s` (default 1). tern-edge answers 3 when
  // the core refused its identity, so a service manager can tell that from a crash
  // (RestartPreventExitStatus=3).
  virtual int StartFailureExitCode(const Status& s) const {
    (void)s;
    return 1;
  }
};

// Parses the command line against `schema`, loads the config, sets up logging (from the
// config's "log.level" key and `name_key`), locks the data directory (the "node.data_dir"
// key, if the schema has one: <dir>/tern.lock, flock; a second process on it stops at once
// naming the directory and the holder's pid), calls `create` and then the daemon's Start()
// while it listens for SIGINT/SIGTERM, then waits for one and stops the daemon. A signal
// during Start() cancels it; a daemon that has not given up 1.5 s later is ended then (exit 0).
// The process ends within 1.8 s of the signal in every state: a Stop() (or a cancelled
// start's teardown) still running then is cut short with a warning, exit 0. Under systemd
// (NOTIFY_SOCKET set) it reports STATUS=starting, READY=1 once Start() returned OK (the
// edge: store open and registered with the core; the core: core.db open and the HTTP API
// listening, the broker connection retried in the background), and STOPPING=1 on a signal.
// Returns the process exit code: 0 on a clean stop (also one during the start), 2 for a
// bad command line or config (after printing every error, one a line), 1 if the start
// fails (or the daemon's StartFailureExitCode) or the data directory is locked by another
// process.
int RunDaemon(int argc, char** argv, const ConfigSchema& schema, const std::string& name_key,
              const std::function<Result<std::unique_ptr<Daemon>>(const Config&)>& create);

}  // namespace tern
