// security.mode and the TLS file keys, shared by tern-core and tern-edge.
#include "tern/common/security_mode.h"

#include "tern/common/mqtt.h"

namespace tern {

const char* SecurityModeName(SecurityMode m) {
  return m == SecurityMode::kPki ? "pki" : "insecure";
}

void AddSecurityKeys(ConfigSchema* s, const std::string& default_name, bool with_crl) {
  using T = ConfigType;
  const std::string dir = kDefaultPkiDir;
  s->keys.push_back({"security.mode",
                     T::kString,
                     "pki",
                     "pki: TLS to the gateway with this node's certificate, statements signed "
                     "and verified; insecure: plain MQTT, no signatures (tests only; logged as a "
                     "warning at start)",
                     -1e300,
                     1e300,
                     {"pki", "insecure"}});
  s->keys.push_back({"tls.ca", T::kString, dir + "/ca.crt",
                     "The site CA certificate (PEM); the gateway's and every node's certificate "
                     "must be issued by it (required with security.mode = pki)"});
  s->keys.push_back({"tls.cert", T::kString, dir + "/nodes/" + default_name + ".crt",
                     "This node's certificate (PEM, CN = node.name), from ternctl pki issue "
                     "(required with security.mode = pki)"});
  s->keys.push_back({"tls.key", T::kString, dir + "/nodes/" + default_name + ".key",
                     "This node's private key (PEM, mode 0600), from ternctl pki issue "
                     "(required with security.mode = pki)"});
  if (with_crl) {
    s->keys.push_back({"tls.crl", T::kString, dir + "/crl.pem",
                       "The site's certificate revocation list (PEM), checked when a node "
                       "enrols; ternctl pki revoke rewrites it"});
  }
  s->checks.push_back([](const Config& c) {
    if (c.String("security.mode") != "pki") return Status::Ok();
    std::string missing;
    for (const char* k : {"tls.ca", "tls.cert", "tls.key"}) {
      if (c.String(k).empty()) missing += std::string(missing.empty() ? "" : ", ") + "'" + k + "'";
    }
    if (missing.empty()) return Status::Ok();
    return Status::InvalidArgument(std::string("config key") +
                                   (missing.find(',') == std::string::npos ? " " : "s ") + missing +
                                   " must be set with security.mode = pki (or set "
                                   "security.mode = insecure, for tests only)");
  });
}

SecurityMode SecurityModeFrom(const Config& c) {
  return c.String("security.mode") == "insecure" ? SecurityMode::kInsecure : SecurityMode::kPki;
}

void UseTls(MqttOptions* mo, SecurityMode mode, const std::string& ca, const std::string& cert,
            const std::string& key) {
  if (mode != SecurityMode::kPki) return;
  mo->tls_ca = ca;
  mo->tls_cert = cert;
  mo->tls_key = key;
}

}  // namespace tern
