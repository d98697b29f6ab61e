// NodeIdentity: see node_identity.h.
#include "tern/common/node_identity.h"

#include <ctime>

#include "tern/common/files.h"

namespace tern {
namespace {
int64_t NowS() { return static_cast<int64_t>(std::time(nullptr)); }
}  // namespace

Result<std::unique_ptr<NodeIdentity>> NodeIdentity::Load(const std::string& name, crypto::Role role,
                                                         const std::string& ca_path,
                                                         const std::string& cert_path,
                                                         const std::string& key_path,
                                                         const std::string& crl_path) {
  std::unique_ptr<NodeIdentity> id(new NodeIdentity());
  TERN_ASSIGN_OR_RETURN(id->ca_, crypto::Certificate::Load(ca_path));
  TERN_ASSIGN_OR_RETURN(id->cert_, crypto::Certificate::Load(cert_path));
  TERN_ASSIGN_OR_RETURN(id->key_, crypto::PrivateKey::Load(key_path));
  id->crl_path_ = crl_path;
  id->cert_pem_ = id->cert_.Pem();
  if (!(id->key_.Public() == id->cert_.info().key)) {
    return Status::InvalidArgument("tls.key " + key_path + " is not the key of tls.cert " +
                                   cert_path);
  }
  auto info = id->Check(id->cert_pem_, name, role);
  if (!info.ok()) {
    return Status::InvalidArgument("tls.cert " + cert_path + ": " + info.status().message());
  }
  return id;
}

Result<crypto::CertInfo> NodeIdentity::Check(std::string_view pem, const std::string& name,
                                             crypto::Role role) const {
  TERN_ASSIGN_OR_RETURN(crypto::Certificate c, crypto::Certificate::FromPem(pem));
  const crypto::CertInfo& info = c.info();
  std::string crl;
  if (!crl_path_.empty()) {
    TERN_ASSIGN_OR_RETURN(crl, ReadFileToString(crl_path_));
  }
  TERN_RETURN_IF_ERROR(crypto::VerifyCertificate(c, ca_, crl, NowS()));
  if (info.role != crypto::RoleName(role)) {
    return Status::FailedPrecondition("certificate '" + info.name + "' has role '" + info.role +
                                      "', not " + std::string(crypto::RoleName(role)));
  }
  if (!name.empty() && info.name != name) {
    return Status::FailedPrecondition("certificate is issued to '" + info.name + "', not '" + name +
                                      "'");
  }
  if (info.key.empty()) {
    return Status::InvalidArgument("certificate '" + info.name + "' has no Ed25519 key");
  }
  return info;
}

}  // namespace tern
