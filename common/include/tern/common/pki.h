// The site PKI on disk: the CA, every node's certificate and key, the CRL, and the two
// broker files derived from them (the ACL and mosquitto.conf). `ternctl pki`, the test
// broker fixture and the site runner all go through this class, so the layout and
// index.json have one owner:
//
//   <dir>/ca.crt  ca.key (0600)  crl.pem  index.json  acl  mosquitto.conf
//   <dir>/nodes/<name>.crt  <name>.key (0600)          (nodes/ is 0700)
//   <dir>/broker/<name>.crt <name>.key                 (the gateway's own certificate)
//
// index.json lists every certificate ever issued (name, role, serial, fingerprint,
// not_after, revoked). A name may hold one unrevoked certificate; Issue refuses a second
// (revoke first). Every file is written atomically (temp file, fsync, rename), keys with
// mode 0600. The broker key is the exception: Mosquitto started as root drops to user
// `mosquitto` before loading it, so when this runs as root and that group exists the key
// is 0640 root:mosquitto (docs/security.md).
//
// The ACL is generated from the index and the topic table of docs/security.md (one block
// per unrevoked certificate, the node's name written in; no `pattern` lines, which would
// apply to every user whatever its role). After Issue or Revoke the broker must re-read
// acl and crl.pem: send it SIGHUP.
//
// Thread-safety: not thread-safe; one owner. Separate processes are serialised by an
// exclusive lock on <dir>/index.lock around every change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tern/common/crypto.h"
#include "tern/common/status.h"

namespace tern {

struct PkiEntry {
  std::string name;
  std::string role;         // core, edge, observer, feed, broker
  std::string serial;       // lowercase hex
  std::string fingerprint;  // SHA-256 of the certificate (DER), lowercase hex
  int64_t not_after = 0;    // unix seconds
  bool revoked = false;
};

// Where one node's files are: what its config's tls.* keys point at.
struct PkiPaths {
  std::string ca;
  std::string cert;
  std::string key;
  std::string crl;
};

// The generated mosquitto.conf.
struct BrokerConf {
  int port = 8883;
  std::string bind;  // listener address; empty = every interface
  // `user` line: Mosquitto started as root switches to this user (default `mosquitto`).
  // A test fixture or the site runner that starts its own broker passes the user it runs
  // as, so the broker reads the files that user wrote. Empty: no `user` line.
  std::string user;
  std::vector<std::string> extra_lines;  // appended verbatim (logging, persistence)
};

struct PkiInit {
  std::string site = "tern";    // the CA's CN is "<site> CA"
  std::string prefix = "tern";  // topic prefix the ACL is written for
  int ca_days = 3650;
  int broker_days = 825;
  std::vector<std::string> broker_alt_names;  // besides DNS:localhost, IP:127.0.0.1
  BrokerConf broker;
};

class Pki {
 public:
  // Certificates and the CRL are valid this long unless asked otherwise.
  static constexpr int kDefaultDays = 365;
  static constexpr int kCrlDays = 3650;

  // Creates the PKI in `dir` (created if absent; must not already hold a PKI): a fresh CA,
  // an empty CRL, the broker's certificate (CN "broker", subjectAltName DNS:localhost,
  // IP:127.0.0.1 and `init.broker_alt_names`), index.json, acl and mosquitto.conf.
  [[nodiscard]] static Result<Pki> Init(const std::string& dir, const PkiInit& init);
  // Opens an existing PKI (reads index.json; the CA key is read when needed).
  [[nodiscard]] static Result<Pki> Open(const std::string& dir);

  // Issues a certificate and key for `name` (letters, digits, '.', '_', '-'; at most 64)
  // with `role`, valid `days` from now (`not_before_offset_s` shifts that start: tests make
  // expired certificates with it), then rewrites index.json and acl. FailedPrecondition if
  // `name` already holds an unrevoked certificate.
  [[nodiscard]] Result<PkiEntry> Issue(const std::string& name, crypto::Role role,
                                       int days = kDefaultDays,
                                       const std::vector<std::string>& alt_names = {},
                                       int64_t not_before_offset_s = 0);
  // Revokes `name`'s unrevoked certificate, then rewrites index.json, crl.pem and acl.
  // NotFound if it has none.
  [[nodiscard]] Result<PkiEntry> Revoke(const std::string& name);
  // Every certificate issued, oldest first (revoked ones included).
  const std::vector<PkiEntry>& List() const { return entries_; }

  // Writes mosquitto.conf for this PKI (absolute paths, so the broker may start anywhere).
  [[nodiscard]] Status WriteMosquittoConf(const BrokerConf& conf) const;
  std::string MosquittoConf(const BrokerConf& conf) const;

  // The files of `name` (broker/ for the broker role, nodes/ otherwise), whether or not
  // they exist yet.
  PkiPaths Paths(const std::string& name, crypto::Role role = crypto::Role::kEdge) const;
  const std::string& dir() const { return dir_; }
  const std::string& prefix() const { return prefix_; }

  // InvalidArgument unless `name` can be a node name (it becomes a CN, a file name, an MQTT
  // username and a topic level).
  [[nodiscard]] static Status CheckName(const std::string& name);

 private:
  Pki() = default;
  [[nodiscard]] Status CreateCa(const PkiInit& init);  // Init's part under the lock
  [[nodiscard]] Status Load();
  [[nodiscard]] Status SaveIndex() const;
  [[nodiscard]] Status WriteAcl() const;
  [[nodiscard]] Status WriteCrl() const;
  [[nodiscard]] Result<uint64_t> NewSerial() const;

  std::string dir_;  // absolute
  std::string site_;
  std::string prefix_ = "tern";
  std::vector<PkiEntry> entries_;
};

// The Mosquitto ACL for `entries` (unrevoked ones only) under topic prefix `prefix`.
std::string MakeAcl(const std::vector<PkiEntry>& entries, const std::string& prefix);

}  // namespace tern
