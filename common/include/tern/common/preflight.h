// Preflight (`tern-edge --check`, `tern-core --check`, docs/preflight.md): a list of checks,
// each ok, warn or fail with a one-line detail, printed as a table or as JSON, and the
// exit code they make (0 all ok or warn, 1 some fail, 2 a bad command line or config).
//
// The checks here are the ones both daemons share: the data directory (exists or can be
// made, writable, its lock held by whom), free disk, the broker (TCP, then TLS and MQTT
// CONNACK under a client id of its own so a running node is not disturbed) and the PKI files.
// None takes the data directory's lock: who holds it is read from /proc/locks and the lock
// file. The daemon-specific checks live in edge/src/preflight.* and core/src/preflight.*.
// Thread-safety: free functions without shared state.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/config.h"
#include "tern/common/mqtt.h"
#include "tern/common/security_mode.h"

namespace tern {

enum class CheckResult { kOk, kWarn, kFail };

// One line of the preflight report.
struct CheckLine {
  std::string check;  // short name, e.g. "broker reachable"
  CheckResult result = CheckResult::kOk;
  std::string detail;  // one line: what was found, and what to do when it is not ok
};

// "ok", "warn" or "fail".
const char* ResultName(CheckResult r);
// A table with the columns check, result, detail (one line per check, aligned).
std::string RenderTable(const std::vector<CheckLine>& lines);
// A JSON array of {"check", "result", "detail"} objects, in order.
std::string RenderJson(const std::vector<CheckLine>& lines);
// 1 if any line failed, else 0 (a warning does not fail).
int PreflightExitCode(const std::vector<CheckLine>& lines);

// True if the command line asks for the preflight (`--check` among the arguments).
bool WantsCheck(int argc, char** argv);
// The `--check` mode of a daemon: parses --config, --set, --check, --json like RunDaemon,
// loads the config (every error: a "config valid" fail, exit 2), runs `checks` on it and
// prints the report on stdout. Returns the process exit code (0, 1 or 2, above).
int RunCheck(int argc, char** argv, const ConfigSchema& schema,
             const std::function<std::vector<CheckLine>(const Config&)>& checks);

// Who holds the lock on `<dir>/tern.lock`: nullopt if nobody (or no lock file).
struct LockHolder {
  pid_t pid = 0;                // 0 if unknown
  std::string program;          // from the lock file ("" if unknown)
  bool running_daemon = false;  // pid is alive and its executable is `program`
};
std::optional<LockHolder> LockHolderOf(const std::string& dir);

// The data directory `dir` of `program` (tern-edge, tern-core): exists or can be created,
// is writable, and is not locked by another process (a running `program` on it: warn,
// "running here"; anything else: fail naming the pid).
std::vector<CheckLine> CheckDataDir(const std::string& dir, const std::string& program);
// Free space on the file system of `dir` (or its nearest existing parent): warn below
// 10 %, fail below 2 % or below 64 MiB (docs/preflight.md).
CheckLine CheckDisk(const std::string& dir);
// The pure rule of CheckDisk on figures, for the unit tests.
CheckLine DiskVerdict(const std::string& dir, uint64_t avail_bytes, uint64_t total_bytes);

// This machine's clock as the kernel sees it (adjtimex): synchronized by NTP (ok, with the
// kernel's error estimate) or not (warn). The offset against the core itself is not
// measured here (docs/preflight.md): the core checks every heartbeat's wall clock.
CheckLine CheckClockSync();

// The PKI files (pki mode) of node `name` with `role` ("edge", "core"): readable, the key
// the certificate's, issued by the CA for this name, valid now, and how long it still is.
CheckLine CheckPkiFiles(const std::string& name, const std::string& role, const std::string& ca,
                        const std::string& cert, const std::string& key, const std::string& crl);

// The broker `o` names (its first broker if several): a TCP connection, then (TLS: the
// handshake) the MQTT CONNACK under `o.client_id`, within `timeout`. Appends one line per
// step that ran ("broker TCP", "broker MQTT"). Returns the connected client (for more
// checks over it; subscriptions added by `subscribe` before the start) or null.
// The check's MQTT options from a daemon's options `o` (EdgeOptions, CoreOptions: name,
// mqtt_host, mqtt_port, mqtt_brokers, security_mode, tls_*): its broker and TLS files, under
// the client id `<name>.check.<pid>`; under the node's own name it would take over the
// running daemon's session.
template <class Options>
MqttOptions CheckClientOptions(const Options& o) {
  MqttOptions mo;
  mo.host = o.mqtt_host;
  mo.port = o.mqtt_port;
  mo.brokers = o.mqtt_brokers;
  mo.client_id = o.name + ".check." + std::to_string(getpid());
  UseTls(&mo, o.security_mode, o.tls_ca, o.tls_cert, o.tls_key);
  return mo;
}

struct BrokerProbe {
  std::vector<CheckLine> lines;
  std::unique_ptr<MqttClient> client;  // connected, or null
  std::string where;                   // "host:port"
};
BrokerProbe ProbeBroker(MqttOptions o, std::chrono::milliseconds timeout,
                        const std::function<void(MqttClient&)>& subscribe = {});

}  // namespace tern
