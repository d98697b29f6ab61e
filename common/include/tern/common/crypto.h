// Keys, signatures and certificates for the site PKI: Ed25519 through OpenSSL 3's EVP
// interface, X.509 certificates and CRLs. crypto_keys.cpp and crypto_x509.cpp (with their
// private crypto_internal.h) are the only files that include OpenSSL's headers (the SHA-256
// of sha256.h lives in crypto_keys.cpp too).
//
// Every node holds one Ed25519 key. Its certificate, issued by the site CA, carries the node's
// name as subject CN and its role (core, edge, observer, feed; broker for the gateway) as
// subject OU. The same key authenticates the node's TLS connection to the broker and signs
// its statements, so a name in a topic, a certificate and a signature can only belong
// together.
//
// Thread-safety: all functions are thread-safe; a PrivateKey, PublicKey or Certificate may
// be used from several threads at once (OpenSSL objects are only read after construction).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/status.h"

namespace tern::crypto {

constexpr size_t kPublicKeyBytes = 32;  // raw Ed25519 public key
constexpr size_t kSignatureBytes = 64;  // Ed25519 signature

// The node roles a certificate can carry (subject OU). kFeed (a sensor-feed publisher) and
// kBroker (the gateway's own server certificate) were added after the first three; they
// are appended so existing values keep their meaning.
enum class Role { kCore, kEdge, kObserver, kFeed, kBroker };
std::string_view RoleName(Role r);
[[nodiscard]] Result<Role> ParseRole(std::string_view s);

// An Ed25519 public key. Cheap to copy.
class PublicKey {
 public:
  PublicKey() = default;
  // From the 32 raw bytes; InvalidArgument if the length is wrong.
  [[nodiscard]] static Result<PublicKey> FromRaw(std::string_view raw);
  // From 64 lowercase or uppercase hex digits.
  [[nodiscard]] static Result<PublicKey> FromHex(std::string_view hex);

  // True if `sig` (64 bytes) is this key's signature of `data`. Never throws.
  [[nodiscard]] bool Verify(std::string_view data, std::string_view sig) const;

  const std::string& raw() const { return raw_; }  // 32 bytes, empty if default-constructed
  std::string Hex() const;
  bool empty() const { return raw_.empty(); }
  bool operator==(const PublicKey& o) const { return raw_ == o.raw_; }

 private:
  std::string raw_;
};

// An Ed25519 private key. Move-only.
class PrivateKey {
 public:
  PrivateKey();
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  // A fresh key from OpenSSL's CSPRNG.
  [[nodiscard]] static Result<PrivateKey> Generate();
  // From a PKCS#8 PEM file / text; the error names the path.
  [[nodiscard]] static Result<PrivateKey> Load(const std::string& path);
  [[nodiscard]] static Result<PrivateKey> FromPem(std::string_view pem);

  // Writes PKCS#8 PEM to `path` with mode 0600 (temp file, fsync, rename).
  [[nodiscard]] Status Save(const std::string& path) const;
  std::string Pem() const;

  PublicKey Public() const;
  // The 64-byte signature of `data`. Ed25519 signing cannot fail for a valid key.
  std::string Sign(std::string_view data) const;

  struct Impl;  // holds the EVP_PKEY; public so crypto.cpp's helpers can reach it
  const Impl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// What tern reads from a certificate.
struct CertInfo {
  std::string name;        // subject CN
  std::string role;        // subject OU (may be empty for a CA)
  std::string issuer;      // issuer CN
  std::string serial;      // lowercase hex, no leading zeros
  int64_t not_before = 0;  // unix seconds
  int64_t not_after = 0;
  bool is_ca = false;       // basicConstraints CA:TRUE
  std::string fingerprint;  // SHA-256 of the DER encoding, lowercase hex
  PublicKey key;            // empty unless the key is Ed25519
};

// An X.509 certificate. Copyable (shares the immutable OpenSSL object).
class Certificate {
 public:
  Certificate();
  ~Certificate();
  Certificate(const Certificate&);
  Certificate& operator=(const Certificate&);

  [[nodiscard]] static Result<Certificate> Load(const std::string& path);
  [[nodiscard]] static Result<Certificate> FromPem(std::string_view pem);

  std::string Pem() const;
  const CertInfo& info() const;

  struct Impl;
  const Impl* impl() const { return impl_.get(); }
  // For crypto_x509.cpp: wraps a parsed or freshly signed certificate.
  static Certificate FromImpl(std::shared_ptr<const Impl> impl);

 private:
  std::shared_ptr<const Impl> impl_;
};

// A self-signed CA certificate (CN = `name`, basicConstraints CA:TRUE, keyCertSign|cRLSign)
// valid from now for `days`.
[[nodiscard]] Result<Certificate> SelfSignCa(const PrivateKey& ca_key, const std::string& name,
                                             int days);

struct IssueRequest {
  std::string name;  // subject CN
  Role role = Role::kEdge;
  uint64_t serial = 0;  // unique per CA, > 0
  int days = 365;
  // subjectAltName entries for a server certificate (the broker's: "DNS:localhost",
  // "IP:127.0.0.1"); empty for a client-only certificate.
  std::vector<std::string> alt_names;
  // Validity starts at now + not_before_offset_s (minus the clock-skew allowance below).
  // Negative values backdate a certificate: tests use it to make an expired one.
  int64_t not_before_offset_s = 0;
};

// Certificates and CRLs start this long before "now", so a node whose clock is a little
// behind the CA's does not reject a freshly issued certificate as not yet valid.
constexpr int64_t kClockSkewAllowanceS = 300;

// A certificate for `subject_key` signed by the CA; usable for TLS client and server auth.
[[nodiscard]] Result<Certificate> IssueCertificate(const Certificate& ca, const PrivateKey& ca_key,
                                                   const PublicKey& subject_key,
                                                   const IssueRequest& req);

// A CRL (PEM) listing `revoked_serials` (hex, as CertInfo::serial), valid for `days`.
[[nodiscard]] Result<std::string> MakeCrl(const Certificate& ca, const PrivateKey& ca_key,
                                          const std::vector<std::string>& revoked_serials,
                                          int days);

// Checks that `cert` was signed by `ca`, is within its validity at `now_s` (unix seconds),
// and, when `crl_pem` is not empty, that the CRL is signed by `ca` and does not list it.
// The error says which check failed and names the certificate's CN.
[[nodiscard]] Status VerifyCertificate(const Certificate& cert, const Certificate& ca,
                                       std::string_view crl_pem, int64_t now_s);

// `n` bytes from OpenSSL's CSPRNG.
std::string RandomBytes(size_t n);

}  // namespace tern::crypto
