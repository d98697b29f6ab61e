// Mosquitto fixture, plain or with the site PKI.
#include "broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "tern/common/pki.h"

namespace tern::testing {
namespace {
// Lines both modes share: no persistence, a log the tests can read.
const std::vector<std::string> kCommonLines = {"persistence false",    "log_type error",
                                               "log_type warning",     "log_type notice",
                                               "log_type information", "log_dest stderr"};

std::string CurrentUser() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "root";
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

bool PortOpen(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

Broker::Broker(const std::string& dir, BrokerMode mode) : Broker(dir, mode, {}) {}

Broker::Broker(const std::string& dir, BrokerMode mode, std::vector<std::string> extra_conf)
    : dir_(dir), mode_(mode), extra_conf_(std::move(extra_conf)) {
  if (mode_ == BrokerMode::kPki) {
    PkiInit init;
    init.site = "test";
    auto p = Pki::Init(dir_ + "/pki", init);
    if (!p.ok()) {
      std::ofstream(dir_ + "/mosquitto.log") << "fixture: " << p.status().ToString() << "\n";
      return;
    }
    pki_ = std::make_unique<Pki>(std::move(p).value());
  }
  for (int attempt = 0; attempt < 5 && !ok_; ++attempt) {
    port_ = FreePort();
    ok_ = Launch();
  }
}

Broker::Broker(const std::string& dir, const Broker& same_site, std::vector<std::string> extra_conf)
    : dir_(dir), mode_(same_site.mode_), extra_conf_(std::move(extra_conf)) {
  if (mode_ == BrokerMode::kPki) {
    auto p = Pki::Open(same_site.pki_dir());
    if (!p.ok()) {
      std::ofstream(dir_ + "/mosquitto.log") << "fixture: " << p.status().ToString() << "\n";
      return;
    }
    pki_ = std::make_unique<Pki>(std::move(p).value());
    shared_pki_ = true;
  }
  for (int attempt = 0; attempt < 5 && !ok_; ++attempt) {
    port_ = FreePort();
    ok_ = Launch();
  }
}

Broker::~Broker() { Kill(false); }

bool Broker::Launch() {
  std::string conf = dir_ + "/mosquitto.conf";
  if (pki_) {
    BrokerConf bc;
    bc.port = port_;
    bc.bind = "127.0.0.1";
    bc.user = CurrentUser();
    bc.extra_lines = kCommonLines;
    bc.extra_lines.insert(bc.extra_lines.end(), extra_conf_.begin(), extra_conf_.end());
    if (shared_pki_) {
      std::ofstream out(conf);
      out << pki_->MosquittoConf(bc);
      if (!out.flush()) return false;
    } else {
      conf = pki_->dir() + "/mosquitto.conf";
      if (!pki_->WriteMosquittoConf(bc).ok()) return false;
    }
  } else {
    std::ofstream out(conf);
    out << "listener " << port_ << " 127.0.0.1\n"
        << "allow_anonymous true\n"
        << "set_tcp_nodelay true\n"
        << "max_inflight_messages 100\n"
        << "max_queued_messages 100000\n";
    for (const auto& l : kCommonLines) out << l << "\n";
    for (const auto& l : extra_conf_) out << l << "\n";
  }
  // Started means: our mosquitto says it is running (another test's broker may hold the port
  // FreePort gave us, so an open port alone proves nothing; ours then exits).
  const std::string kRunning = " running";
  const size_t before = Count(log(), kRunning);
  if (!proc_.Start({"mosquitto", "-c", conf}, dir_ + "/mosquitto.log")) return false;
  for (int i = 0; i < 1000; ++i) {
    if (!proc_.running()) return false;
    if (Count(log(), kRunning) > before && PortOpen(port_) && proc_.running()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  proc_.Stop();
  return false;
}

void Broker::Kill(bool hard) {
  if (hard) {
    proc_.Signal(9);
    proc_.Wait(std::chrono::milliseconds(5000));
  } else {
    proc_.Stop();
  }
}

bool Broker::Restart() {
  Kill(true);
  for (int i = 0; i < 50; ++i) {
    if (Launch()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string Broker::log() const { return ReadFile(dir_ + "/mosquitto.log"); }

std::string Broker::pki_dir() const { return pki_ ? pki_->dir() : std::string(); }

std::vector<std::string> Broker::DaemonSecurityArgs(const Identity& id, bool core) const {
  if (!pki_) return {"--set", "security.mode=insecure"};
  std::vector<std::string> v = {"--set", "security.mode=pki",   "--set", "tls.ca=" + id.ca,
                                "--set", "tls.cert=" + id.cert, "--set", "tls.key=" + id.key};
  if (core)
    v.insert(v.end(), {"--set", "tls.crl=" + pki_->Paths(id.name, crypto::Role::kCore).crl});
  return v;
}

// Mosquitto logs the reload mark before it reads the new ACL and CRL: a client that
// publishes right after the mark is still judged by the old ACL (its messages dropped). A
// connection made now is logged by the main loop only after the reload has finished.
bool Broker::Reloaded(const std::string& mark) {
  const std::string kConn = "connection from";
  const std::string at_mark = log();
  const size_t after = at_mark.rfind(mark);
  for (int i = 0; i < 3000; ++i) {
    if (i % 50 == 0) (void)PortOpen(port_);
    const std::string now = log();
    if (now.find(kConn, after) != std::string::npos) return true;
    if (!proc_.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

bool Broker::Reload() {
  const std::string kMark = "Reloading config.";
  const size_t before = Count(log(), kMark);
  // Mosquitto logs the mark when its main loop sees the SIGHUP flag, then reloads, and only
  // then clears the flag: a second SIGHUP that lands during that reload is lost (it happened
  // when Site issued certificates back to back). A signal that lands just before the loop
  // blocks in epoll waits for the loop's next wake-up (11 s on an idle, loaded box). So: poke
  // the port every half second (a connection wakes the loop) and send the signal again every
  // 2 s until the mark appears; an extra reload is harmless.
  for (int attempt = 0; attempt < 15; ++attempt) {
    if (!proc_.Signal(SIGHUP)) return false;
    for (int i = 0; i < 200; ++i) {
      if (Count(log(), kMark) > before) return Reloaded(kMark);
      if (!proc_.running()) return false;
      if (i % 50 == 49) (void)PortOpen(port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return false;
}

Identity Broker::Issue(const std::string& name, crypto::Role role, int days,
                       int64_t not_before_offset_s) {
  if (!pki_) return {name, "", "", ""};
  auto e = pki_->Issue(name, role, days, {}, not_before_offset_s);
  if (!e.ok()) {
    std::ofstream(dir_ + "/mosquitto.log", std::ios::app)
        << "fixture: issue " << name << ": " << e.status().ToString() << "\n";
    return {name, "", "", ""};
  }
  if (!Reload()) return {name, "", "", ""};
  PkiPaths p = pki_->Paths(name, role);
  return {name, p.ca, p.cert, p.key};
}

bool Broker::Revoke(const std::string& name) { return pki_ && pki_->Revoke(name).ok() && Reload(); }

}  // namespace tern::testing
