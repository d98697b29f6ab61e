// ExplainTls: see mqtt_tls_explain.h.
#include "mqtt_tls_explain.h"

namespace tern {
namespace {
bool Has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }
}  // namespace

std::string ExplainTls(const std::string& ssl, const MqttOptions& o) {
  if (Has(ssl, "certificate verify failed")) {
    return "the broker's certificate did not verify against the CA in " + o.tls_ca + " for host '" +
           o.host + "' (another site's CA, or a certificate not issued for " +
           "this host name): " + ssl;
  }
  if (Has(ssl, "alert")) {  // the broker sent a TLS alert: it refused our certificate
    if (o.tls_cert.empty()) return "the broker requires a client certificate; we have none: " + ssl;
    return "the broker refused our certificate " + o.tls_cert + ": " + ssl;
  }
  if (Has(ssl, "key") || Has(ssl, "PEM")) {
    return "cannot use the certificate " + o.tls_cert + " or key " + o.tls_key + ": " + ssl;
  }
  return ssl;
}

bool CertificateRefused(const std::string& ssl) {
  return Has(ssl, "certificate verify failed") || Has(ssl, "alert");
}

}  // namespace tern
