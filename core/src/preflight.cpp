// tern-core --check: see preflight.h.
#include "preflight.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tern/common/security_mode.h"
#include "tern/core/options.h"

namespace tern::core {

CheckLine CheckHttpPort(const std::string& bind, int port, std::optional<int> running_pid) {
  CheckLine l{"HTTP port", CheckResult::kOk, ""};
  if (port < 0) {
    l.detail = "off (http.port = -1)";
    return l;
  }
  const std::string where = bind + ":" + std::to_string(port);
  if (port == 0) {
    l.detail = "http.port = 0: the core takes any free port on " + bind;
    return l;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const int gai = getaddrinfo(bind.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai != 0) {
    l.result = CheckResult::kFail;
    l.detail = "http.bind '" + bind + "' does not resolve: " + gai_strerror(gai);
    return l;
  }
  int err = 0;
  const int s = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
  if (s < 0) {
    err = errno;
  } else {
    // As the server binds (SO_REUSEADDR), so a port in TIME_WAIT is not called busy.
    const int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(s, res->ai_addr, res->ai_addrlen) != 0) err = errno;
    close(s);  // released at once: the check only asks
  }
  freeaddrinfo(res);
  if (err == 0) {
    l.detail = where + " is free";
  } else if (err == EADDRINUSE && running_pid) {
    l.result = CheckResult::kWarn;
    l.detail = where +
               " is in use, presumably by the tern-core running on this data directory "
               "(pid " +
               std::to_string(*running_pid) + ")";
  } else if (err == EADDRINUSE) {
    l.result = CheckResult::kFail;
    l.detail = where + " is in use by another process: set http.port (or stop it)";
  } else {
    l.result = CheckResult::kFail;
    l.detail = "cannot bind " + where + ": " + std::strerror(err) +
               (err == EACCES ? " (a port below 1024 needs privileges)" : "");
  }
  return l;
}

std::vector<CheckLine> CorePreflight(const Config& c) {
  const CoreOptions o = CoreOptionsFrom(c);
  std::vector<CheckLine> out = CheckDataDir(o.data_dir, "tern-core");
  out.push_back(CheckDisk(o.data_dir));
  out.push_back(CheckClockSync());
  std::optional<int> running;
  if (auto h = LockHolderOf(o.data_dir); h && h->running_daemon && h->program == "tern-core") {
    running = h->pid;
  }
  out.push_back(CheckHttpPort(o.http_bind, o.http_port, running));
  if (o.security_mode == SecurityMode::kPki) {
    out.push_back(CheckPkiFiles(o.name, "core", o.tls_ca, o.tls_cert, o.tls_key, o.tls_crl));
  }
  const MqttOptions mo = CheckClientOptions(o);
  BrokerProbe probe = ProbeBroker(mo, std::chrono::seconds(5));
  for (auto& l : probe.lines) out.push_back(std::move(l));
  if (probe.client) probe.client->Stop();
  return out;
}

}  // namespace tern::core
