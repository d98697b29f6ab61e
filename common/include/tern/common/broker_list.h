// The gateway brokers a node may use (`mqtt.brokers = host:port, ...`, up to three) and the
// rule that moves a client from one to the next. Kept apart from mqtt.cpp so that parsing
// and rotation are tested without libmosquitto.
//
// Failover rule: a broker is left after `failures_before_move` consecutive failures on it
// (a refused or timed-out connection attempt, or the loss of an accepted connection, each
// counts one); a successful connection resets the count. The next broker is the following
// entry, round robin, so every node that lists the same brokers in the same order ends up
// on the same broker once the failed one stays down.
// Thread-safety: BrokerAddress and the free functions are plain values. BrokerRotation is
// not thread-safe: its owner (MqttClient's network thread) is its only user.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/status.h"

namespace tern {

class Config;

struct BrokerAddress {
  std::string host;
  int port = 1883;
  // "host:port".
  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool operator==(const BrokerAddress& o) const { return host == o.host && port == o.port; }
};

// The most brokers a node accepts in `mqtt.brokers`.
constexpr size_t kMaxBrokers = 3;

// Parses "host:port, host:port, ..." (1 to kMaxBrokers entries, spaces around entries
// ignored). Errors name `key` and the bad entry: an empty entry, a missing or bad port
// (1..65535), an empty host, more than kMaxBrokers entries, or an entry given twice.
Result<std::vector<BrokerAddress>> ParseBrokerList(std::string_view text, const std::string& key);

// Config check for a daemon's schema with the keys mqtt.host, mqtt.port and mqtt.brokers:
// mqtt.brokers must parse, and may not be given together with mqtt.host or mqtt.port (the
// error names both keys).
Status CheckMqttBrokerKeys(const Config& c);

// The brokers a validated config names: mqtt.brokers if set, else mqtt.host:mqtt.port.
std::vector<BrokerAddress> MqttBrokersFrom(const Config& c);

class BrokerRotation {
 public:
  // `count` brokers (at least 1); leave one after `failures_before_move` failures (>= 1).
  BrokerRotation(size_t count, int failures_before_move);

  // Index of the broker to use now.
  size_t current() const { return current_; }
  // A connection to the current broker was accepted: its failure count starts again.
  void Connected() { failures_ = 0; }
  // One failure on the current broker. Returns true when this failure moves to the next
  // broker (current() has then changed); never with a single broker.
  bool Failed();
  // Failures in a row on the current broker.
  int failures() const { return failures_; }

 private:
  size_t count_;
  int failures_before_move_;
  size_t current_ = 0;
  int failures_ = 0;
};

}  // namespace tern
