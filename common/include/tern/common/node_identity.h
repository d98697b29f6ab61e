// A node's identity in pki mode (docs/security.md): its Ed25519 key, its certificate from the
// site CA, the CA certificate, and (on the core) the CRL file. It signs the node's statements
// and the chunk ids it originates, and checks the certificates other nodes present: the
// core checks an edge's in `register`, an edge checks the core's in `registered`.
//
// The CRL is read from its file on every check, so `ternctl pki revoke` takes effect at the
// next registration without restarting the core (registrations are rare).
// Thread-safety: immutable after Load; every method may be called from several threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tern/common/crypto.h"
#include "tern/common/status.h"

namespace tern {

class NodeIdentity {
 public:
  // Loads and cross-checks the files: the key must be the certificate's, the certificate
  // must be issued by the CA for `name` (CN) with `role` (OU), and be valid now. `crl_path`
  // may be empty (edges do not keep the CRL). Errors name the file or the mismatch.
  [[nodiscard]] static Result<std::unique_ptr<NodeIdentity>> Load(
      const std::string& name, crypto::Role role, const std::string& ca_path,
      const std::string& cert_path, const std::string& key_path, const std::string& crl_path);

  const crypto::PrivateKey& key() const { return key_; }
  const crypto::Certificate& cert() const { return cert_; }
  const std::string& cert_pem() const { return cert_pem_; }

  // Checks a certificate another node presents (PEM): issued by this site's CA, valid now,
  // not revoked (when a CRL file is configured), subject OU == `role` and, unless `name` is
  // empty, CN == `name`. Returns what it certifies; the error says which check failed.
  [[nodiscard]] Result<crypto::CertInfo> Check(std::string_view pem, const std::string& name,
                                               crypto::Role role) const;

 private:
  NodeIdentity() = default;
  crypto::PrivateKey key_;
  crypto::Certificate cert_;
  crypto::Certificate ca_;
  std::string cert_pem_;
  std::string crl_path_;
};

}  // namespace tern
