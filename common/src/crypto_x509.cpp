// The crypto wrapper, second half: X.509 certificates and CRLs for the site PKI through
// OpenSSL 3 (with crypto_keys.cpp, the only files that include OpenSSL). Certificates are
// signed with Ed25519, which takes no separate digest (X509_sign with a null md).
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>

#include "crypto_internal.h"
#include "tern/common/bytes.h"

namespace tern::crypto {

using internal::OpenSslError;

namespace {
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// The UTF-8 text of the first `nid` entry of `name`, or "".
std::string NameEntry(const X509_NAME* name, int nid) {
  int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

int64_t TimeOf(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

// Lowercase hex without leading zeros ("0" for zero), as CertInfo::serial promises.
std::string SerialHex(const ASN1_INTEGER* serial) {
  BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  std::string s(hex ? hex : "");
  OPENSSL_free(hex);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t nz = s.find_first_not_of('0');
  return nz == std::string::npos ? "0" : s.substr(nz);
}

CertInfo InfoOf(X509* x) {
  CertInfo i;
  i.name = NameEntry(X509_get_subject_name(x), NID_commonName);
  i.role = NameEntry(X509_get_subject_name(x), NID_organizationalUnitName);
  i.issuer = NameEntry(X509_get_issuer_name(x), NID_commonName);
  i.serial = SerialHex(X509_get0_serialNumber(x));
  i.not_before = TimeOf(X509_get0_notBefore(x));
  i.not_after = TimeOf(X509_get0_notAfter(x));
  i.is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(x, EVP_sha256(), md, &md_len) == 1) {
    i.fingerprint = ToHex(std::string_view(reinterpret_cast<const char*>(md), md_len));
  }
  EVP_PKEY* pub = X509_get0_pubkey(x);
  unsigned char raw[kPublicKeyBytes];
  size_t len = sizeof raw;
  if (pub && EVP_PKEY_get_id(pub) == EVP_PKEY_ED25519 &&
      EVP_PKEY_get_raw_public_key(pub, raw, &len) == 1) {
    auto k = PublicKey::FromRaw(std::string_view(reinterpret_cast<const char*>(raw), len));
    if (k.ok()) i.key = *k;
  }
  ERR_clear_error();
  return i;
}

// Adds one v3 extension in openssl.cnf syntax ("critical,CA:TRUE").
Status AddExt(X509* x, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str());
  if (!ext) {
    return Status::InvalidArgument(std::string("certificate extension ") + OBJ_nid2sn(nid) + "=" +
                                   value + ": " + OpenSslError());
  }
  int ok = X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return Status::IoError("X509_add_ext: " + OpenSslError());
  return Status::Ok();
}

Status SetName(X509_NAME* n, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    return Status::InvalidArgument(std::string("certificate ") + field + " '" + value +
                                   "': " + OpenSslError());
  }
  return Status::Ok();
}

// An unsigned certificate for `key`: version 3, serial, validity from now + `offset_s` -
// the skew allowance for `days`, subject CN/OU. The caller adds extensions and signs.
Result<X509Ptr> NewCert(EVP_PKEY* key, uint64_t serial, int64_t offset_s, int days,
                        const std::string& cn, std::string_view ou) {
  if (cn.empty()) return Status::InvalidArgument("certificate: empty name");
  if (serial == 0) return Status::InvalidArgument("certificate '" + cn + "': serial 0");
  if (days <= 0) return Status::InvalidArgument("certificate '" + cn + "': days must be > 0");
  X509Ptr x(X509_new());
  if (!x) return Status::ResourceExhausted("X509_new failed");
  const long start = static_cast<long>(offset_s - kClockSkewAllowanceS);  // NOLINT(runtime/int)
  X509_NAME* subj = X509_get_subject_name(x.get());
  if (X509_set_version(x.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), serial) != 1 ||
      !X509_gmtime_adj(X509_getm_notBefore(x.get()), start) ||
      !X509_time_adj_ex(X509_getm_notAfter(x.get()), days, start, nullptr) ||
      X509_set_pubkey(x.get(), key) != 1) {
    return Status::IoError("certificate '" + cn + "': " + OpenSslError());
  }
  TERN_RETURN_IF_ERROR(SetName(subj, "CN", cn));
  if (!ou.empty()) TERN_RETURN_IF_ERROR(SetName(subj, "OU", std::string(ou)));
  return x;
}

Result<Certificate> Wrap(X509* x) {
  auto impl = std::make_shared<Certificate::Impl>();
  impl->x509 = x;
  impl->info = InfoOf(x);
  return Certificate::FromImpl(std::move(impl));
}
}  // namespace

// ---- Certificate ----

Certificate::Certificate() = default;
Certificate::~Certificate() = default;
Certificate::Certificate(const Certificate&) = default;
Certificate& Certificate::operator=(const Certificate&) = default;

Certificate Certificate::FromImpl(std::shared_ptr<const Impl> impl) {
  Certificate c;
  c.impl_ = std::move(impl);
  return c;
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  auto bio = internal::MemReader(pem);
  X509* x = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!x) return Status::InvalidArgument("not a PEM certificate: " + OpenSslError());
  return Wrap(x);
}

Result<Certificate> Certificate::Load(const std::string& path) {
  return internal::LoadPem<Certificate>(path, "certificate", FromPem);
}

std::string Certificate::Pem() const {
  if (!impl_) return {};
  return internal::PemText([this](BIO* b) { return PEM_write_bio_X509(b, impl_->x509); });
}

const CertInfo& Certificate::info() const {
  static const CertInfo kEmpty;
  return impl_ ? impl_->info : kEmpty;
}

// ---- issuing ----

Result<Certificate> SelfSignCa(const PrivateKey& ca_key, const std::string& name, int days) {
  if (!ca_key.impl()) return Status::InvalidArgument("CA '" + name + "': no key");
  EVP_PKEY* key = ca_key.impl()->pkey;
  TERN_ASSIGN_OR_RETURN(X509Ptr x, NewCert(key, 1, 0, days, name, ""));
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(x.get())) != 1) {
    return Status::IoError("CA '" + name + "': " + OpenSslError());
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (X509_sign(x.get(), key, nullptr) <= 0) {
    return Status::IoError("CA '" + name + "': signing: " + OpenSslError());
  }
  return Wrap(x.release());
}

Result<Certificate> IssueCertificate(const Certificate& ca, const PrivateKey& ca_key,
                                     const PublicKey& subject_key, const IssueRequest& req) {
  if (!ca.impl() || !ca_key.impl()) {
    return Status::InvalidArgument("certificate '" + req.name + "': no CA certificate or key");
  }
  EVP_PKEY* subject = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(subject_key.raw().data()),
      subject_key.raw().size());
  if (!subject) {
    return Status::InvalidArgument("certificate '" + req.name +
                                   "': bad subject key: " + OpenSslError());
  }
  auto made =
      NewCert(subject, req.serial, req.not_before_offset_s, req.days, req.name, RoleName(req.role));
  EVP_PKEY_free(subject);  // X509_set_pubkey took its own reference
  if (!made.ok()) return made.status();
  X509Ptr x = std::move(made).value();
  X509* ca_x = ca.impl()->x509;
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(ca_x)) != 1) {
    return Status::IoError("certificate '" + req.name + "': " + OpenSslError());
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_x, x.get(), nullptr, nullptr, 0);
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth"));
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_subject_key_identifier, "hash"));
  TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_authority_key_identifier, "keyid"));
  if (!req.alt_names.empty()) {
    std::string san;
    for (const auto& a : req.alt_names) san += (san.empty() ? "" : ",") + a;
    TERN_RETURN_IF_ERROR(AddExt(x.get(), &ctx, NID_subject_alt_name, san));
  }
  if (X509_sign(x.get(), ca_key.impl()->pkey, nullptr) <= 0) {
    return Status::IoError("certificate '" + req.name + "': signing: " + OpenSslError());
  }
  return Wrap(x.release());
}

Result<std::string> MakeCrl(const Certificate& ca, const PrivateKey& ca_key,
                            const std::vector<std::string>& revoked_serials, int days) {
  if (!ca.impl() || !ca_key.impl()) return Status::InvalidArgument("CRL: no CA certificate or key");
  if (days <= 0) return Status::InvalidArgument("CRL: days must be > 0");
  CrlPtr crl(X509_CRL_new());
  if (!crl) return Status::ResourceExhausted("X509_CRL_new failed");
  time_t now = std::time(nullptr);
  ASN1_TIME* last = X509_time_adj_ex(nullptr, 0, -kClockSkewAllowanceS, &now);
  ASN1_TIME* next = X509_time_adj_ex(nullptr, days, 0, &now);
  bool ok = last && next && X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) == 1 &&
            X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.impl()->x509)) == 1 &&
            X509_CRL_set1_lastUpdate(crl.get(), last) == 1 &&
            X509_CRL_set1_nextUpdate(crl.get(), next) == 1;
  for (const auto& hex : revoked_serials) {
    if (!ok) break;
    BIGNUM* bn = nullptr;
    if (hex.empty() || BN_hex2bn(&bn, hex.c_str()) != static_cast<int>(hex.size())) {
      BN_free(bn);
      ASN1_TIME_free(last);
      ASN1_TIME_free(next);
      return Status::InvalidArgument("CRL: serial '" + hex + "' is not hex");
    }
    BnPtr owned(bn);
    ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
    X509_REVOKED* r = X509_REVOKED_new();
    ok = serial && r && X509_REVOKED_set_serialNumber(r, serial) == 1 &&
         X509_REVOKED_set_revocationDate(r, last) == 1 && X509_CRL_add0_revoked(crl.get(), r) == 1;
    if (!ok) X509_REVOKED_free(r);
    ASN1_INTEGER_free(serial);
  }
  ASN1_TIME_free(last);
  ASN1_TIME_free(next);
  if (!ok || X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_sign(crl.get(), ca_key.impl()->pkey, nullptr) <= 0) {
    return Status::IoError("CRL: " + OpenSslError());
  }
  std::string pem =
      internal::PemText([&crl](BIO* b) { return PEM_write_bio_X509_CRL(b, crl.get()); });
  if (pem.empty()) return Status::IoError("CRL: cannot write PEM");
  return pem;
}

// ---- verification ----

Status VerifyCertificate(const Certificate& cert, const Certificate& ca, std::string_view crl_pem,
                         int64_t now_s) {
  const std::string who = "certificate '" + cert.info().name + "'";
  if (!cert.impl() || !ca.impl()) return Status::InvalidArgument(who + ": no certificate or CA");
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.impl()->x509) != 1) {
    return Status::ResourceExhausted(who + ": " + OpenSslError());
  }
  if (!crl_pem.empty()) {
    auto bio = internal::MemReader(crl_pem);
    CrlPtr crl(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!crl) return Status::InvalidArgument(who + ": CRL is not PEM: " + OpenSslError());
    if (X509_STORE_add_crl(store.get(), crl.get()) != 1) {
      return Status::IoError(who + ": CRL: " + OpenSslError());
    }
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert.impl()->x509, nullptr) != 1) {
    return Status::ResourceExhausted(who + ": " + OpenSslError());
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now_s));
  if (X509_verify_cert(ctx.get()) == 1) return Status::Ok();
  int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return Status::FailedPrecondition(who + " refused: " + X509_verify_cert_error_string(err) +
                                    " (issuer '" + cert.info().issuer + "', CA '" + ca.info().name +
                                    "')");
}

}  // namespace tern::crypto
