// The site PKI on disk: Init, Issue, Revoke and the index. The broker files derived from it
// (acl, mosquitto.conf) are generated in pki_broker.cpp.
#include "tern/common/pki.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tern/common/files.h"

namespace tern {
namespace fs = std::filesystem;
using crypto::Role;

namespace {
// Holds an exclusive flock on <dir>/index.lock for one change (released by the destructor).
class DirLock {
 public:
  static Result<DirLock> Take(const std::string& dir) {
    const std::string path = dir + "/index.lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return Status::IoError("cannot lock " + path + ": " + std::strerror(errno));
    }
    return DirLock(fd);
  }
  DirLock(DirLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
  }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

Status MakeDir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return Status::IoError("cannot create directory " + path + ": " + std::strerror(errno));
  }
  if (::chmod(path.c_str(), mode) != 0) {
    return Status::IoError("cannot chmod " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// Mosquitto started as root loads its key after switching to user `mosquitto`: give that
// group read access when we can (root, and the group exists). Otherwise the broker runs as
// whoever runs this, who owns the file.
Status ShareWithBroker(const std::string& path) {
  if (::geteuid() != 0) return Status::Ok();
  const group* g = ::getgrnam("mosquitto");
  if (!g) return Status::Ok();
  if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0 ||
      ::chmod(path.c_str(), 0640) != 0) {
    return Status::IoError("cannot give group mosquitto read access to " + path + ": " +
                           std::strerror(errno));
  }
  return Status::Ok();
}

nlohmann::json ToJson(const PkiEntry& e) {
  return {{"name", e.name},           {"role", e.role},
          {"serial", e.serial},       {"fingerprint", e.fingerprint},
          {"not_after", e.not_after}, {"revoked", e.revoked}};
}
}  // namespace

Status Pki::CheckName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("node name '" + name + "': 1 to 64 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("node name '" + name +
                                     "': only letters, digits, '.', '_' and '-' (it becomes a "
                                     "file name, an MQTT username and a topic level)");
    }
  }
  if (name[0] == '.' || name[0] == '-') {
    return Status::InvalidArgument("node name '" + name + "' may not start with '.' or '-'");
  }
  return Status::Ok();
}

PkiPaths Pki::Paths(const std::string& name, Role role) const {
  const std::string sub = role == Role::kBroker ? "/broker/" : "/nodes/";
  return {dir_ + "/ca.crt", dir_ + sub + name + ".crt", dir_ + sub + name + ".key",
          dir_ + "/crl.pem"};
}

Result<Pki> Pki::Init(const std::string& dir, const PkiInit& init) {
  TERN_RETURN_IF_ERROR(CheckName(init.site));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  Pki p;
  p.dir_ = fs::absolute(dir).lexically_normal().string();
  if (!p.dir_.empty() && p.dir_.back() == '/') p.dir_.pop_back();
  p.site_ = init.site;
  p.prefix_ = init.prefix;
  // 0755: the broker (user mosquitto) must reach ca.crt, crl.pem and acl; the keys are
  // protected by their own modes and nodes/ is 0700.
  TERN_RETURN_IF_ERROR(MakeDir(p.dir_, 0755));
  TERN_RETURN_IF_ERROR(p.CreateCa(init));
  auto broker = p.Issue("broker", Role::kBroker, init.broker_days, init.broker_alt_names);
  if (!broker.ok()) return broker.status();
  return p;
}

Status Pki::CreateCa(const PkiInit& init) {
  TERN_ASSIGN_OR_RETURN(DirLock lock, DirLock::Take(dir_));
  if (fs::exists(dir_ + "/index.json") || fs::exists(dir_ + "/ca.key")) {
    return Status::FailedPrecondition("a PKI already exists in " + dir_ +
                                      " (index.json or ca.key present)");
  }
  TERN_RETURN_IF_ERROR(MakeDir(dir_ + "/nodes", 0700));
  TERN_RETURN_IF_ERROR(MakeDir(dir_ + "/broker", 0755));
  TERN_ASSIGN_OR_RETURN(crypto::PrivateKey ca_key, crypto::PrivateKey::Generate());
  TERN_ASSIGN_OR_RETURN(crypto::Certificate ca,
                        crypto::SelfSignCa(ca_key, init.site + " CA", init.ca_days));
  // The key first: a crash between the two leaves no certificate without its key.
  TERN_RETURN_IF_ERROR(ca_key.Save(dir_ + "/ca.key"));
  TERN_RETURN_IF_ERROR(WriteFileSynced(dir_ + "/ca.crt", ca.Pem(), 0644));
  TERN_RETURN_IF_ERROR(WriteCrl());
  TERN_RETURN_IF_ERROR(SaveIndex());
  TERN_RETURN_IF_ERROR(WriteAcl());
  return WriteMosquittoConf(init.broker);
}

Result<Pki> Pki::Open(const std::string& dir) {
  Pki p;
  p.dir_ = fs::absolute(dir).lexically_normal().string();
  if (!p.dir_.empty() && p.dir_.back() == '/') p.dir_.pop_back();
  TERN_RETURN_IF_ERROR(p.Load());
  return p;
}

Status Pki::Load() {
  const std::string path = dir_ + "/index.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no PKI in " + dir_ + " (cannot open " + path + ")");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("certificates") ||
      !j["certificates"].is_array()) {
    return Status::Corruption(path + ": not a tern PKI index");
  }
  site_ = j.value("site", "tern");
  prefix_ = j.value("prefix", "tern");
  entries_.clear();
  for (const auto& c : j["certificates"]) {
    if (!c.is_object()) return Status::Corruption(path + ": a certificate entry is not an object");
    PkiEntry e;
    e.name = c.value("name", "");
    e.role = c.value("role", "");
    e.serial = c.value("serial", "");
    e.fingerprint = c.value("fingerprint", "");
    e.not_after = c.value("not_after", int64_t{0});
    e.revoked = c.value("revoked", false);
    if (e.name.empty() || e.serial.empty()) {
      return Status::Corruption(path + ": a certificate entry lacks name or serial");
    }
    entries_.push_back(std::move(e));
  }
  return Status::Ok();
}

Status Pki::SaveIndex() const {
  nlohmann::json certs = nlohmann::json::array();
  for (const auto& e : entries_) certs.push_back(ToJson(e));
  nlohmann::json j = {{"format", 1}, {"site", site_}, {"prefix", prefix_}, {"certificates", certs}};
  return WriteFileSynced(dir_ + "/index.json", j.dump(2) + "\n", 0644);
}

Status Pki::WriteCrl() const {
  TERN_ASSIGN_OR_RETURN(crypto::PrivateKey ca_key, crypto::PrivateKey::Load(dir_ + "/ca.key"));
  TERN_ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::Load(dir_ + "/ca.crt"));
  std::vector<std::string> revoked;
  for (const auto& e : entries_) {
    if (e.revoked) revoked.push_back(e.serial);
  }
  TERN_ASSIGN_OR_RETURN(std::string crl, crypto::MakeCrl(ca, ca_key, revoked, kCrlDays));
  return WriteFileSynced(dir_ + "/crl.pem", crl, 0644);
}

Status Pki::WriteAcl() const {
  return WriteFileSynced(dir_ + "/acl", MakeAcl(entries_, prefix_), 0644);
}

Result<uint64_t> Pki::NewSerial() const {
  // Random 63-bit serials: unpredictable, positive in DER, and unique in practice; the index
  // is checked anyway.
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string b = crypto::RandomBytes(8);
    uint64_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<uint64_t>(static_cast<uint8_t>(c));
    v &= 0x7FFFFFFFFFFFFFFFull;
    if (v == 0) continue;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(v));
    bool used = false;
    for (const auto& e : entries_) used = used || e.serial == hex;
    if (!used) return v;
  }
  return Status::ResourceExhausted("no unused certificate serial found");
}

Result<PkiEntry> Pki::Issue(const std::string& name, Role role, int days,
                            const std::vector<std::string>& alt_names,
                            int64_t not_before_offset_s) {
  TERN_RETURN_IF_ERROR(CheckName(name));
  TERN_ASSIGN_OR_RETURN(DirLock lock, DirLock::Take(dir_));
  TERN_RETURN_IF_ERROR(Load());  // another process may have changed it
  for (const auto& e : entries_) {
    if (e.name == name && !e.revoked) {
      return Status::FailedPrecondition("'" + name + "' already has an unrevoked certificate " +
                                        "(serial " + e.serial + ", role " + e.role +
                                        "); revoke it first");
    }
  }
  TERN_ASSIGN_OR_RETURN(crypto::PrivateKey ca_key, crypto::PrivateKey::Load(dir_ + "/ca.key"));
  TERN_ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::Load(dir_ + "/ca.crt"));
  TERN_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::IssueRequest req;
  req.name = name;
  req.role = role;
  TERN_ASSIGN_OR_RETURN(req.serial, NewSerial());
  req.days = days;
  req.not_before_offset_s = not_before_offset_s;
  if (role == Role::kBroker) req.alt_names = {"DNS:localhost", "IP:127.0.0.1"};
  req.alt_names.insert(req.alt_names.end(), alt_names.begin(), alt_names.end());
  TERN_ASSIGN_OR_RETURN(crypto::Certificate cert,
                        crypto::IssueCertificate(ca, ca_key, key.Public(), req));
  const PkiPaths paths = Paths(name, role);
  TERN_RETURN_IF_ERROR(MakeDir(dir_ + (role == Role::kBroker ? "/broker" : "/nodes"),
                               role == Role::kBroker ? 0755 : 0700));
  TERN_RETURN_IF_ERROR(key.Save(paths.key));
  if (role == Role::kBroker) TERN_RETURN_IF_ERROR(ShareWithBroker(paths.key));
  TERN_RETURN_IF_ERROR(WriteFileSynced(paths.cert, cert.Pem(), 0644));
  const crypto::CertInfo& info = cert.info();
  PkiEntry e{name,           std::string(crypto::RoleName(role)),
             info.serial,    info.fingerprint,
             info.not_after, false};
  entries_.push_back(e);
  TERN_RETURN_IF_ERROR(SaveIndex());
  TERN_RETURN_IF_ERROR(WriteAcl());
  return e;
}

Result<PkiEntry> Pki::Revoke(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(DirLock lock, DirLock::Take(dir_));
  TERN_RETURN_IF_ERROR(Load());
  PkiEntry* found = nullptr;
  for (auto& e : entries_) {
    if (e.name == name && !e.revoked) found = &e;
  }
  if (!found) return Status::NotFound("'" + name + "' has no unrevoked certificate in " + dir_);
  found->revoked = true;
  PkiEntry out = *found;
  // The CRL first: once it lists the serial the broker refuses the certificate at the next
  // SIGHUP even if writing the index or the ACL fails below.
  TERN_RETURN_IF_ERROR(WriteCrl());
  TERN_RETURN_IF_ERROR(SaveIndex());
  TERN_RETURN_IF_ERROR(WriteAcl());
  return out;
}

}  // namespace tern
