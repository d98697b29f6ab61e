// The preflight checks both daemons share (see preflight.h): data directory and its lock,
// free disk, PKI files, broker. Each returns what it found as CheckLines and never changes
// anything a running daemon uses (no lock taken, a client id of the check's own).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timex.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tern/common/crypto.h"
#include "tern/common/disk_space.h"
#include "tern/common/node_identity.h"
#include "tern/common/preflight.h"

namespace tern {
namespace {
namespace fs = std::filesystem;

// The nearest existing ancestor of `dir` (itself if it exists), "" if none.
std::string Existing(const std::string& dir) {
  fs::path p = fs::absolute(dir);
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) {
    if (p == p.parent_path()) return "";
    p = p.parent_path();
  }
  return p.string();
}

// The pid /proc/locks names for a flock on the file (dev, inode), 0 if none.
pid_t FlockHolder(dev_t dev, ino_t ino) {
  std::ifstream in("/proc/locks");
  std::string line;
  char want[64];
  std::snprintf(want, sizeof(want), "%02x:%02x:%llu", major(dev), minor(dev),
                static_cast<unsigned long long>(ino));
  while (std::getline(in, line)) {
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" ("->" marks a waiter: skipped).
    std::istringstream ls(line);
    std::string n, kind, adv, mode, pid, id;
    ls >> n >> kind;
    if (kind == "->") continue;
    ls >> adv >> mode >> pid >> id;
    if (kind == "FLOCK" && id == want) return static_cast<pid_t>(std::atol(pid.c_str()));
  }
  return 0;
}

// The executable's base name of `pid` ("" if it is gone or unreadable).
std::string ExeOf(pid_t pid) {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return ec ? "" : p.filename().string();
}

CheckLine Line(std::string check, CheckResult r, std::string detail) {
  return CheckLine{std::move(check), r, std::move(detail)};
}
}  // namespace

std::optional<LockHolder> LockHolderOf(const std::string& dir) {
  const std::string path = dir + "/tern.lock";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  LockHolder h;
  std::ifstream in(path);
  std::string pid_text;
  std::getline(in, pid_text);
  std::getline(in, h.program);
  h.pid = FlockHolder(st.st_dev, st.st_ino);
  if (h.pid == 0) {
    // /proc/locks did not name it: ask flock itself, with a shared lock dropped at once
    // (only when /proc is not there; a daemon starting in that instant would be refused).
    if (access("/proc/locks", R_OK) == 0) return std::nullopt;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);  // releases the shared lock if we got it
    if (!held) return std::nullopt;
    h.pid = static_cast<pid_t>(std::atol(pid_text.c_str()));
  }
  h.running_daemon = !h.program.empty() && ExeOf(h.pid) == h.program;
  return h;
}

std::vector<CheckLine> CheckDataDir(const std::string& dir, const std::string& program) {
  std::vector<CheckLine> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    const std::string parent = Existing(dir);
    if (!parent.empty() && access(parent.c_str(), W_OK | X_OK) == 0) {
      out.push_back(Line(
          "data directory", CheckResult::kOk,
          dir + " does not exist yet; " + program + " creates it (" + parent + " is writable)"));
    } else {
      out.push_back(Line("data directory", CheckResult::kFail,
                         dir + " does not exist and cannot be created: " +
                             (parent.empty() ? "no existing parent" : parent + " is not writable") +
                             " (create it, owned by the daemon's user)"));
    }
    out.push_back(
        Line("data directory lock", CheckResult::kOk, "no directory yet: nobody holds it"));
    return out;
  }
  if (!fs::is_directory(dir, ec)) {
    out.push_back(Line("data directory", CheckResult::kFail, dir + " is not a directory"));
    return out;
  }
  // Writable for real: a file made and removed (access() says nothing of a read-only mount).
  const std::string probe = dir + "/.tern-check-" + std::to_string(getpid());
  const int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    out.push_back(Line("data directory", CheckResult::kFail,
                       dir + " is not writable: " + std::strerror(errno)));
  } else {
    close(fd);
    unlink(probe.c_str());
    out.push_back(Line("data directory", CheckResult::kOk, dir + " exists and is writable"));
  }
  auto h = LockHolderOf(dir);
  if (!h) {
    out.push_back(Line("data directory lock", CheckResult::kOk, "not locked: free to start"));
  } else if (h->running_daemon && h->program == program) {
    out.push_back(Line("data directory lock", CheckResult::kWarn,
                       "running here: locked by pid " + std::to_string(h->pid) + " (" + h->program +
                           "), this directory's daemon; a second one would not "
                           "start"));
  } else {
    out.push_back(Line("data directory lock", CheckResult::kFail,
                       "locked by pid " + std::to_string(h->pid) +
                           (h->program.empty() ? "" : " (" + h->program + ")") + " (" + dir +
                           "/tern.lock): " + program + " would not start until it lets go"));
  }
  return out;
}

CheckLine DiskVerdict(const std::string& dir, uint64_t avail, uint64_t total) {
  constexpr uint64_t kMiB = 1024 * 1024;
  const double pct =
      total == 0 ? 0.0 : 100.0 * static_cast<double>(avail) / static_cast<double>(total);
  char text[256];
  std::snprintf(text, sizeof(text), "%s: %.1f %% free (%llu MiB of %llu MiB)", dir.c_str(), pct,
                static_cast<unsigned long long>(avail / kMiB),
                static_cast<unsigned long long>(total / kMiB));
  std::string d = text;
  if (pct < 2.0 || avail < 64 * kMiB) {
    return Line("free disk", CheckResult::kFail,
                d + "; below 2 % or 64 MiB the store's commits soon fail (disk_full): free space");
  }
  if (pct < 10.0) return Line("free disk", CheckResult::kWarn, d + "; below 10 %");
  return Line("free disk", CheckResult::kOk, d);
}

CheckLine CheckDisk(const std::string& dir) {
  auto space = DiskSpaceOf(Existing(dir));
  if (!space.ok()) {
    return Line("free disk", CheckResult::kFail, "for " + dir + ": " + space.status().message());
  }
  return DiskVerdict(dir, space->avail_bytes, space->total_bytes);
}

CheckLine CheckClockSync() {
  timex tx{};
  const int state = adjtimex(&tx);
  if (state < 0) {
    return Line("clock", CheckResult::kWarn,
                std::string("cannot read the kernel's clock state: ") + std::strerror(errno));
  }
  if (state == TIME_ERROR || (tx.status & STA_UNSYNC)) {
    return Line("clock", CheckResult::kWarn,
                "the system clock is not synchronized (no NTP): the core flags a node whose "
                "heartbeat clock is off its own by more than clock.max_skew; enable NTP "
                "(systemd-timesyncd, chrony)");
  }
  return Line("clock", CheckResult::kOk,
              "system clock synchronized by NTP (kernel's max error " +
                  std::to_string(tx.maxerror / 1000) + " ms)");
}

CheckLine CheckPkiFiles(const std::string& name, const std::string& role, const std::string& ca,
                        const std::string& cert, const std::string& key, const std::string& crl) {
  for (const std::string* f : {&ca, &cert, &key}) {
    if (f->empty()) {
      return Line("certificate", CheckResult::kFail, "tls.ca, tls.cert and tls.key are required");
    }
    if (access(f->c_str(), R_OK) != 0) {
      return Line("certificate", CheckResult::kFail,
                  "cannot read " + *f + ": " + std::strerror(errno));
    }
  }
  auto r = crypto::ParseRole(role);
  if (!r.ok()) return Line("certificate", CheckResult::kFail, r.status().message());
  auto id = NodeIdentity::Load(name, *r, ca, cert, key, crl);
  if (!id.ok()) return Line("certificate", CheckResult::kFail, id.status().message());
  const auto& info = (*id)->cert().info();
  const int64_t days = (info.not_after - static_cast<int64_t>(std::time(nullptr))) / 86400;
  const std::string d = cert + ": CN " + info.name + ", role " + info.role + ", serial " +
                        info.serial + ", issued by " + info.issuer + ", expires in " +
                        std::to_string(days) + " days";
  if (days < 30) return Line("certificate", CheckResult::kWarn, d + " (renew it soon)");
  return Line("certificate", CheckResult::kOk, d);
}

BrokerProbe ProbeBroker(MqttOptions o, std::chrono::milliseconds timeout,
                        const std::function<void(MqttClient&)>& subscribe) {
  BrokerProbe p;
  if (!o.brokers.empty()) {
    o.host = o.brokers.front().host;
    o.port = o.brokers.front().port;
    o.brokers.clear();  // the first one only: failover would hide which one failed
  }
  p.where = o.host + ":" + std::to_string(o.port);
  // TCP first, so "nothing listens" is told apart from TLS or MQTT refusals.
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int gai = getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &res);
  if (gai != 0) {
    p.lines.push_back(Line("broker TCP", CheckResult::kFail,
                           "cannot resolve broker host " + o.host + ": " + gai_strerror(gai)));
    return p;
  }
  std::string tcp_error = "no address";
  bool tcp_ok = false;
  for (addrinfo* a = res; a && !tcp_ok; a = a->ai_next) {
    const int s = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) continue;
    int rc = connect(s, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pf{s, POLLOUT, 0};
      rc = poll(&pf, 1, static_cast<int>(timeout.count()));
      if (rc == 1) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        rc = -1;
        errno = ETIMEDOUT;
      }
    }
    if (rc == 0) {
      tcp_ok = true;
    } else {
      tcp_error = std::strerror(errno);
    }
    close(s);
  }
  freeaddrinfo(res);
  if (!tcp_ok) {
    p.lines.push_back(Line("broker TCP", CheckResult::kFail,
                           "no TCP connection to the broker at " + p.where + ": " + tcp_error +
                               " (is mosquitto running there?)"));
    return p;
  }
  p.lines.push_back(Line("broker TCP", CheckResult::kOk, p.where + " accepts connections"));
  auto c = MqttClient::Create(o);
  if (!c.ok()) {
    p.lines.push_back(Line("broker MQTT", CheckResult::kFail, c.status().message()));
    return p;
  }
  if (subscribe) subscribe(**c);
  const Status started = (*c)->Start();
  const Status s = started.ok() ? (*c)->WaitConnected(timeout) : started;
  const std::string how = o.tls_ca.empty() ? "plain MQTT" : "TLS with our certificate, MQTT";
  if (!s.ok()) {
    std::string why = (*c)->last_error().empty() ? s.message() : (*c)->last_error();
    (*c)->Stop();
    p.lines.push_back(Line(
        "broker MQTT", CheckResult::kFail,
        "no CONNACK from " + p.where + " (" + how + ", client id " + o.client_id + "): " + why));
    return p;
  }
  p.lines.push_back(Line("broker MQTT", CheckResult::kOk,
                         p.where + " accepted " + how + " as client id " + o.client_id));
  p.client = std::move(c).value();
  return p;
}

}  // namespace tern
