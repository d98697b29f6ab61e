// What a TLS failure means for the operator: libmosquitto reports TLS failures only as the
// OpenSSL error lines it logs; MqttClient turns them into a sentence naming the files and
// host involved. Pure text, kept apart from the libmosquitto wrapper (mqtt.cpp) so it can
// grow with the failures seen in the field. Private to tern_common.
// Thread-safety: a free function.
#pragma once

#include <string>

#include "tern/common/mqtt.h"

namespace tern {

// The explanation of `ssl` (an "OpenSSL Error..." line) for a connection made with `o`:
// a broker certificate that did not verify against o.tls_ca for o.host, our certificate
// refused by the broker (or none given), an unusable certificate or key; otherwise `ssl`.
std::string ExplainTls(const std::string& ssl, const MqttOptions& o);
// True if `ssl` says a certificate was refused in the handshake (the broker's by us, or ours
// by the broker's alert).
bool CertificateRefused(const std::string& ssl);

}  // namespace tern
