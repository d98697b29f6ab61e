// Shared between the two halves of the crypto wrapper (crypto_keys.cpp: keys, signatures,
// digests; crypto_x509.cpp: certificates and CRLs). Only these files include OpenSSL; this
// header is private to common/src and must not be included anywhere else.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "tern/common/crypto.h"

namespace tern::crypto {

struct PrivateKey::Impl {
  EVP_PKEY* pkey = nullptr;  // owned; Ed25519
  ~Impl() { EVP_PKEY_free(pkey); }
};

struct Certificate::Impl {
  X509* x509 = nullptr;  // owned; never modified after construction
  CertInfo info;
  ~Impl() { X509_free(x509); }
};

namespace internal {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The most recent OpenSSL error of this thread as text ("no OpenSSL error" if none), and the
// error queue cleared, so one failure's reason does not leak into the next message.
std::string OpenSslError();

// A read-only memory BIO over `text` (which must outlive it).
BioPtr MemReader(std::string_view text);
// Everything written to a memory BIO.
std::string BioText(BIO* b);

// Reads a small file (a PEM key, certificate or CRL); the error names the path.
Result<std::string> ReadSmallFile(const std::string& path, const char* what);

// Reads `path` and parses it with `parse` (a FromPem); errors name `what` and the path.
template <typename T, typename Parse>
Result<T> LoadPem(const std::string& path, const char* what, Parse parse) {
  TERN_ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(path, what));
  Result<T> r = parse(pem);
  if (!r.ok()) return r.status().WithContext(std::string(what) + " " + path);
  return r;
}

// The PEM text `write` (a PEM_write_bio_*) puts into a memory BIO; "" if it fails.
template <typename Write>
std::string PemText(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return BioText(bio.get());
}

}  // namespace internal
}  // namespace tern::crypto
