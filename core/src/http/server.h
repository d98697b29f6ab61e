// The HTTP API's server object with its transport settings: plain or HTTPS (the site's
// certificate and, optionally, client certificates checked against the site CA), a bounded
// worker pool, timeouts and the body limit; and what a request's client certificate says.
// server.cpp is the one file of the HTTP API that calls OpenSSL itself; cpp-httplib does the
// handshakes.
// Thread-safety: MakeServer from one thread; PeerCertOf from any request thread.
#pragma once

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/status.h"

namespace tern::core::http {

struct TlsFiles {
  std::string cert;       // PEM certificate chain (http.tls_cert); empty: plain HTTP
  std::string key;        // PEM private key (http.tls_key)
  std::string client_ca;  // PEM CA certificate(s) (http.client_ca); empty: no client certs
};

struct ServerSetup {
  TlsFiles tls;
  size_t threads = 8;     // worker threads: connections served at once
  int timeout_ms = 5000;  // read and write timeout
  size_t max_body = 64 * 1024;
};

// A plain httplib::Server when tls.cert is empty, else an httplib::SSLServer (TLS 1.2 or
// later) with that certificate and key; either with `threads` workers, the timeouts, the
// body limit, a 1 s keep-alive and SO_REUSEADDR without SO_REUSEPORT. With client_ca, clients are
// asked for a certificate: one that does not verify against client_ca fails the handshake; none at
// all is allowed (the request then needs a token). Errors name the config key and path and carry
// OpenSSL's reason.
[[nodiscard]] Result<std::unique_ptr<httplib::Server>> MakeServer(const ServerSetup& setup);

// The subject of a client certificate that verified against the client CA.
struct PeerCert {
  std::string cn;               // commonName: the node's name
  std::vector<std::string> ou;  // organizationalUnitName(s): the node's role
};
// The verified client certificate of an HTTPS request; nullopt for plain HTTP or when the
// client sent none. Only meaningful when the server was made with a client_ca.
std::optional<PeerCert> PeerCertOf(const httplib::Request& req);

}  // namespace tern::core::http
