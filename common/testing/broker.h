// A real Mosquitto broker for tests, on a loopback port the test picks, always torn down.
// Modelled on eclipse/mosquitto's test/broker: each test starts its own broker.
//
// Two modes. Plain: anonymous TCP, for tests of tern's logic. Pki: the broker a real site
// runs (docs/security.md): the fixture creates a site PKI in <dir>/pki (common Pki), starts
// Mosquitto with the generated TLS config and ACL, and Issue() hands out node identities.
// Mosquitto started as root switches to user `mosquitto` before it loads its key; the
// fixture's config says `user <whoever runs the test>` so the broker stays the user that
// wrote the files (the production answer, a key shared with group mosquitto, is Pki's).
// Thread-safety: one owner thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "process.h"
#include "tern/common/crypto.h"

namespace tern {
class Pki;
}

namespace tern::testing {

enum class BrokerMode { kPlain, kPki };

// What a node needs to connect in Pki mode: its name and the files for tls.ca/cert/key.
struct Identity {
  std::string name;
  std::string ca;
  std::string cert;
  std::string key;
};

class Broker {
 public:
  // Writes a config into `dir` (TCP_NODELAY, large queues, no persistence; in Pki mode the
  // TLS listener, certificates required, CRL and ACL) and starts mosquitto on a free port;
  // waits until the port accepts connections.
  explicit Broker(const std::string& dir, BrokerMode mode = BrokerMode::kPlain);
  // The same with `extra_conf` lines appended to the config (e.g. a bridge to another
  // broker: see docs/mosquitto-bridge.conf).
  Broker(const std::string& dir, BrokerMode mode, std::vector<std::string> extra_conf);
  // Another broker of `same_site`'s site (failover tests): the same mode and, in Pki mode,
  // the same PKI (CA, broker certificate for 127.0.0.1, ACL, CRL), with its own config in
  // `dir`. Certificates issued through one broker are in the shared ACL; the other brokers
  // see them after their own Reload().
  Broker(const std::string& dir, const Broker& same_site, std::vector<std::string> extra_conf = {});
  ~Broker();

  bool ok() const { return ok_; }
  int port() const { return port_; }
  BrokerMode mode() const { return mode_; }
  // Stops the broker (SIGKILL when `hard`), e.g. to simulate a gateway failure.
  void Kill(bool hard = true);
  // Starts it again on the same port.
  bool Restart();
  std::string log() const;

  // Pki mode only. Issues a certificate for `name` (see Pki::Issue; a negative
  // `not_before_offset_s` with few `days` makes an expired one), then reloads the broker's
  // ACL. Returns an Identity with empty paths on failure (the test's CHECKs then fail).
  Identity Issue(const std::string& name, crypto::Role role, int days = 365,
                 int64_t not_before_offset_s = 0);
  // Revokes `name`'s certificate, then reloads the broker's CRL and ACL.
  bool Revoke(const std::string& name);
  // Sends SIGHUP and waits until the broker has logged the reload; connections made after
  // this returns see the new ACL and CRL (the broker reloads before it accepts again).
  bool Reload();
  // The PKI directory ("" in plain mode).
  std::string pki_dir() const;
  // The --set arguments that put a tern daemon in this broker's security mode: plain,
  // security.mode=insecure; Pki, security.mode=pki and `id`'s tls.ca, tls.cert and tls.key,
  // plus tls.crl when `core` (the core checks the CRL when a node enrols).
  std::vector<std::string> DaemonSecurityArgs(const Identity& id, bool core) const;
  // The mosquitto process (for CPU accounting); -1 when not running.
  pid_t pid() const { return proc_.pid(); }

 private:
  // After the reload mark: waits until the reload has finished (see broker.cpp).
  bool Reloaded(const std::string& mark);
  bool Launch();
  std::string dir_;
  BrokerMode mode_;
  int port_ = 0;
  bool ok_ = false;
  Process proc_;
  std::unique_ptr<Pki> pki_;
  std::vector<std::string> extra_conf_;
  bool shared_pki_ = false;  // the PKI is another broker's: write the config into dir_
};

// True once something accepts TCP connections on 127.0.0.1:port.
bool PortOpen(int port);

}  // namespace tern::testing
