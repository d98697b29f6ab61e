// MakeServer and PeerCertOf: see tls.h. The SSL_CTX is set up here rather than by
// httplib's file-path constructor because that one demands a client certificate whenever a
// client CA is given (SSL_VERIFY_FAIL_IF_NO_PEER_CERT), and tokens must still work over TLS.
#include "server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>

namespace tern::core::http {
namespace {

// OpenSSL's queued errors as text (and the queue emptied), for messages naming a file.
std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// Fills `ctx`; on failure sets `err` (naming the key and path) and returns false.
bool SetUp(SSL_CTX& ctx, const TlsFiles& f, std::string* err) {
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(&ctx, f.cert.c_str()) != 1) {
    *err = "http.tls_cert: cannot load " + f.cert + ": " + OpenSslErrors();
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, f.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    *err = "http.tls_key: cannot load " + f.key + ": " + OpenSslErrors();
    return false;
  }
  if (SSL_CTX_check_private_key(&ctx) != 1) {
    *err = "http.tls_key: " + f.key + " does not match http.tls_cert " + f.cert + ": " +
           OpenSslErrors();
    return false;
  }
  if (f.client_ca.empty()) {
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_NONE, nullptr);
    return true;
  }
  if (SSL_CTX_load_verify_locations(&ctx, f.client_ca.c_str(), nullptr) != 1) {
    *err = "http.client_ca: cannot load " + f.client_ca + ": " + OpenSslErrors();
    return false;
  }
  // The CA names sent in the certificate request, so a client picks the right certificate.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(f.client_ca.c_str());
  if (names == nullptr) {
    *err = "http.client_ca: no CA certificate in " + f.client_ca + ": " + OpenSslErrors();
    return false;
  }
  SSL_CTX_set_client_CA_list(&ctx, names);  // takes ownership
  // Sessions carry the verified peer certificate; a context id is required to resume them.
  static const unsigned char kSessionId[] = "tern-core-http";
  SSL_CTX_set_session_id_context(&ctx, kSessionId, sizeof kSessionId - 1);
  // Ask for a certificate, refuse one that does not verify, accept none (tokens then).
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
  return true;
}

std::string Utf8(X509_NAME_ENTRY* e) {
  unsigned char* s = nullptr;
  int n = ASN1_STRING_to_UTF8(&s, X509_NAME_ENTRY_get_data(e));
  if (n < 0 || s == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(s), static_cast<size_t>(n));
  OPENSSL_free(s);
  return out;
}

}  // namespace

Result<std::unique_ptr<httplib::Server>> MakeServer(const ServerSetup& setup) {
  const TlsFiles& f = setup.tls;
  std::unique_ptr<httplib::Server> svr;
  if (f.cert.empty()) {
    svr = std::make_unique<httplib::Server>();
  } else {
    if (f.key.empty()) return Status::InvalidArgument("http.tls_key: required with http.tls_cert");
    std::string err;
    auto ssl =
        std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) { return SetUp(ctx, f, &err); });
    if (!ssl->is_valid()) {
      return Status::InvalidArgument(
          err.empty() ? "http: cannot create a TLS context: " + OpenSslErrors() : err);
    }
    svr = std::move(ssl);
  }
  size_t threads = std::max<size_t>(1, setup.threads);
  svr->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib's default sets SO_REUSEPORT, which would let a second daemon share the port
  // silently; SO_REUSEADDR alone allows a quick restart but refuses a live listener.
  svr->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr->set_keep_alive_timeout(1);  // bounds how long Stop() waits for an idle client
  const auto timeout = std::chrono::milliseconds(std::max(1, setup.timeout_ms));
  svr->set_read_timeout(timeout);
  svr->set_write_timeout(timeout);
  svr->set_payload_max_length(setup.max_body);
  return svr;
}

std::optional<PeerCert> PeerCertOf(const httplib::Request& req) {
  const SSL* ssl = req.ssl;
  if (ssl == nullptr) return std::nullopt;
  X509* cert = SSL_get0_peer_certificate(ssl);
  // The handshake already refused a certificate that failed; this guards the session case.
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  X509_NAME* subject = X509_get_subject_name(cert);
  PeerCert p;
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
    p.cn = Utf8(X509_NAME_get_entry(subject, i));
  }
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_organizationalUnitName, i)) >= 0;) {
    p.ou.push_back(Utf8(X509_NAME_get_entry(subject, i)));
  }
  return p;
}

}  // namespace tern::core::http
