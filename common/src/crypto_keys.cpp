// The crypto wrapper, first half: Ed25519 keys and signatures, SHA-256 and random bytes
// through OpenSSL 3's EVP interface. With crypto_x509.cpp (certificates, CRLs) these are the
// only files that include OpenSSL. EVP picks the fastest SHA-256 the CPU offers (SHA-NI).
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "crypto_internal.h"
#include "tern/common/bytes.h"
#include "tern/common/files.h"
#include "tern/common/sha256.h"

namespace tern {

Digest Sha256(std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL; there is no way to go on.
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    std::abort();
  }
  return out;
}

}  // namespace tern

namespace tern::crypto {
namespace internal {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();  // NOLINT(runtime/int): OpenSSL's type
  ERR_clear_error();
  if (e == 0) return "no OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

BioPtr MemReader(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string BioText(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);  // NOLINT(runtime/int): OpenSSL's type
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<std::string> ReadSmallFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(std::string("cannot open ") + what + " " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError(std::string("cannot read ") + what + " " + path);
  return ss.str();
}

}  // namespace internal

using internal::OpenSslError;

namespace {
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

constexpr std::string_view kRoleNames[] = {"core", "edge", "observer", "feed", "broker"};
}  // namespace

std::string_view RoleName(Role r) { return kRoleNames[static_cast<size_t>(r)]; }

Result<Role> ParseRole(std::string_view s) {
  for (size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (s == kRoleNames[i]) return static_cast<Role>(i);
  }
  return Status::InvalidArgument("role '" + std::string(s) +
                                 "' is not core, edge, observer, feed or broker");
}

// ---- PublicKey ----

Result<PublicKey> PublicKey::FromRaw(std::string_view raw) {
  if (raw.size() != kPublicKeyBytes) {
    return Status::InvalidArgument("Ed25519 public key: " + std::to_string(raw.size()) +
                                   " bytes, expected 32");
  }
  PublicKey k;
  k.raw_ = std::string(raw);
  return k;
}

Result<PublicKey> PublicKey::FromHex(std::string_view hex) {
  if (hex.size() != 2 * kPublicKeyBytes) {
    return Status::InvalidArgument("Ed25519 public key: " + std::to_string(hex.size()) +
                                   " hex digits, expected 64");
  }
  TERN_ASSIGN_OR_RETURN(std::string raw, ::tern::FromHex(hex));
  return FromRaw(raw);
}

std::string PublicKey::Hex() const { return ToHex(raw_); }

bool PublicKey::Verify(std::string_view data, std::string_view sig) const {
  if (raw_.size() != kPublicKeyBytes || sig.size() != kSignatureBytes) return false;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_.data()), raw_.size());
  if (!pkey) {
    ERR_clear_error();
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_PKEY_free(pkey);
  ERR_clear_error();  // a failed verification leaves an error on the queue
  return ok;
}

// ---- PrivateKey ----

PrivateKey::PrivateKey() = default;
PrivateKey::~PrivateKey() = default;
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;

Result<PrivateKey> PrivateKey::Generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!pkey) return Status::IoError("Ed25519 key generation: " + OpenSslError());
  PrivateKey k;
  k.impl_ = std::make_unique<Impl>();
  k.impl_->pkey = pkey;
  return k;
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  auto bio = internal::MemReader(pem);
  EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!pkey) return Status::InvalidArgument("not a PEM private key: " + OpenSslError());
  PrivateKey k;
  k.impl_ = std::make_unique<Impl>();
  k.impl_->pkey = pkey;
  if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("private key is not Ed25519");
  }
  return k;
}

Result<PrivateKey> PrivateKey::Load(const std::string& path) {
  return internal::LoadPem<PrivateKey>(path, "private key", FromPem);
}

std::string PrivateKey::Pem() const {
  if (!impl_) return {};
  // PKCS#8, unencrypted: the file's 0600 mode is its protection (as for an ssh host key).
  return internal::PemText([this](BIO* b) {
    return PEM_write_bio_PrivateKey(b, impl_->pkey, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

Status PrivateKey::Save(const std::string& path) const {
  std::string pem = Pem();
  if (pem.empty()) return Status::FailedPrecondition("no key to save to " + path);
  return WriteFileSynced(path, pem, 0600);
}

PublicKey PrivateKey::Public() const {
  PublicKey out;
  if (!impl_) return out;
  unsigned char raw[kPublicKeyBytes];
  size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(impl_->pkey, raw, &len) != 1 || len != sizeof raw) {
    ERR_clear_error();
    return out;
  }
  auto k = PublicKey::FromRaw(std::string_view(reinterpret_cast<const char*>(raw), len));
  return k.ok() ? *k : out;
}

std::string PrivateKey::Sign(std::string_view data) const {
  std::string sig(kSignatureBytes, '\0');
  size_t len = sig.size();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // Ed25519 signing fails only for a missing key or on allocation failure; both are bugs
  // or a dying process, not conditions a caller can handle.
  if (!impl_ || !ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      len != kSignatureBytes) {
    std::abort();
  }
  return sig;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // no entropy: nothing secure can be done
  }
  return out;
}

}  // namespace tern::crypto
