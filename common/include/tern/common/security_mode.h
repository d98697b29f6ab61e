// The security settings both daemons share: `security.mode` (pki or insecure) and the TLS
// files (`tls.ca`, `tls.cert`, `tls.key`; the core also `tls.crl`). One table of keys, one
// validation rule (with pki, each TLS file key must be set; the error names every one that
// is not), one place that hands the files to the MQTT connection.
//
// pki is the default: TLS to the broker with the node's certificate, and (see
// docs/security.md) signed statements. insecure means plain MQTT and no signatures; it is
// for unit tests and the plain side of the security benchmark, and a daemon running it
// logs a WARN at start.
// Thread-safety: free functions over immutable inputs.
#pragma once

#include <string>

#include "tern/common/config.h"
#include "tern/common/status.h"

namespace tern {

struct MqttOptions;

enum class SecurityMode { kPki, kInsecure };

// "pki" / "insecure".
const char* SecurityModeName(SecurityMode m);

// Where a daemon's example config expects its files: `ternctl pki` lays them out this way
// under /etc/tern/pki (see docs/security.md).
constexpr const char* kDefaultPkiDir = "/etc/tern/pki";

// Adds security.mode and tls.ca/tls.cert/tls.key (tls.crl when `with_crl`) to `schema`, with
// defaults under kDefaultPkiDir for the node `default_name`, and the check that pki mode has
// every TLS file key set.
void AddSecurityKeys(ConfigSchema* schema, const std::string& default_name, bool with_crl);

// security.mode of a validated Config whose schema has the keys above.
SecurityMode SecurityModeFrom(const Config& c);

// With kPki, copies the TLS files into `mo` (so the connection uses TLS); with kInsecure,
// leaves `mo` on plain TCP.
void UseTls(MqttOptions* mo, SecurityMode mode, const std::string& ca, const std::string& cert,
            const std::string& key);

}  // namespace tern
