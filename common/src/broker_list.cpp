// Parsing of `mqtt.brokers` and the failover rotation (see broker_list.h).
#include "tern/common/broker_list.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "tern/common/config.h"

namespace tern {
namespace {
std::string Trim(std::string_view s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return "";
  const size_t b = s.find_last_not_of(" \t");
  return std::string(s.substr(a, b - a + 1));
}

Result<BrokerAddress> ParseEntry(const std::string& entry, const std::string& key) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("config key '" + key + "': entry '" + entry + "': " + why);
  };
  // The last ':' separates the port, so a bracketless IPv6 address is refused below rather
  // than misread: hosts are names or IPv4 addresses here.
  const size_t colon = entry.rfind(':');
  if (colon == std::string::npos) return bad("expected host:port");
  BrokerAddress b;
  b.host = entry.substr(0, colon);
  const std::string port = entry.substr(colon + 1);
  if (b.host.empty()) return bad("the host is empty");
  if (b.host.find_first_of(": \t") != std::string::npos) {
    return bad("the host '" + b.host + "' may not contain ':' or spaces");
  }
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5) {
    return bad("the port '" + port + "' is not a number in 1..65535");
  }
  b.port = std::atoi(port.c_str());
  if (b.port < 1 || b.port > 65535) return bad("the port " + port + " is outside 1..65535");
  return b;
}
}  // namespace

Result<std::vector<BrokerAddress>> ParseBrokerList(std::string_view text, const std::string& key) {
  std::vector<BrokerAddress> out;
  size_t start = 0;
  int n = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string entry =
        Trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    ++n;
    if (entry.empty()) {
      return Status::InvalidArgument("config key '" + key + "': entry " + std::to_string(n) +
                                     " of '" + std::string(text) + "' is empty");
    }
    TERN_ASSIGN_OR_RETURN(BrokerAddress b, ParseEntry(entry, key));
    if (std::find(out.begin(), out.end(), b) != out.end()) {
      return Status::InvalidArgument("config key '" + key + "': entry '" + entry +
                                     "' is listed twice");
    }
    out.push_back(std::move(b));
    if (out.size() > kMaxBrokers) {
      return Status::InvalidArgument("config key '" + key + "': entry '" + entry + "' is one " +
                                     "more than the " + std::to_string(kMaxBrokers) +
                                     " brokers a node accepts");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Status CheckMqttBrokerKeys(const Config& c) {
  const std::string& list = c.String("mqtt.brokers");
  if (list.empty()) return Status::Ok();
  for (const char* single : {"mqtt.host", "mqtt.port"}) {
    if (c.Origin(single) != "default") {
      return Status::InvalidArgument("config keys 'mqtt.brokers' (" + c.Origin("mqtt.brokers") +
                                     ") and '" + single + "' (" + c.Origin(single) +
                                     ") are both given: use mqtt.brokers alone, or mqtt.host "
                                     "and mqtt.port for a single broker");
    }
  }
  return ParseBrokerList(list, "mqtt.brokers").status();
}

std::vector<BrokerAddress> MqttBrokersFrom(const Config& c) {
  const std::string& list = c.String("mqtt.brokers");
  if (!list.empty()) {
    auto parsed = ParseBrokerList(list, "mqtt.brokers");
    if (parsed.ok()) return *parsed;  // validated by CheckMqttBrokerKeys
  }
  return {BrokerAddress{c.String("mqtt.host"), static_cast<int>(c.Int("mqtt.port"))}};
}

BrokerRotation::BrokerRotation(size_t count, int failures_before_move)
    : count_(std::max<size_t>(1, count)),
      failures_before_move_(std::max(1, failures_before_move)) {}

bool BrokerRotation::Failed() {
  ++failures_;
  if (count_ < 2 || failures_ < failures_before_move_) return false;
  failures_ = 0;
  current_ = (current_ + 1) % count_;
  return true;
}

}  // namespace tern
