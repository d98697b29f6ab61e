// The MQTT 5 client every tern process uses: libmosquitto with QoS 1, TCP_NODELAY,
// automatic reconnect with exponential backoff, resubscription on every connect, and a
// bounded in-flight window. The one file that includes mosquitto.h is mqtt.cpp.
//
// Why the window: Mosquitto drops QoS 1 messages beyond max_queued_messages while the
// publisher already holds its PUBACK. Publish() therefore blocks while `max_inflight`
// messages are unacknowledged, keeping each client below the broker's queue limit; the
// application-level acks above this layer are what prove delivery.
// TLS (MqttOptions::tls_*): the broker's certificate is verified against the site CA and
// must name the host; this node presents its own certificate, which the broker maps to its
// MQTT username (docs/security.md). When the TLS handshake or the broker refuses us, the
// reason OpenSSL gave is logged (rate-limited) with host:port and the files, and kept in
// last_error() for WaitConnected's error.
//
// Identity conflicts: the broker allows one connection per client id; when another
// connection with our id takes over, the broker closes ours (with MQTT 5 reason 0x8E where
// the broker sends it; Mosquitto 2.0.11 closes the socket before that packet is written, so
// three connections in a row each lost within 5 s of their CONNACK count as takeovers too:
// that is what two clients with one id do to each other, reconnecting in turn). Logged as
// an error and counted (identity_conflicts(), and `mqtt_identity_conflicts` in
// MqttOptions::metrics): two boxes configured with the same name fight over the session.
//
// Failover (MqttOptions::brokers, up to three): after two failures in a row on the broker in
// use (a refused or lost connection attempt, or the loss of an accepted connection followed
// by a failed reconnect) the client connects to the next broker in the list, round robin,
// logs the broker it left and the one it uses now, and counts `broker_failovers`. Separate
// brokers share no session: every connection is a clean start, subscriptions are made
// again on every connect (HandleConnect, the same path as a reconnect to the same broker),
// and what was in flight is recovered by the application's own acks and resends.
//
// Thread-safety: all methods are thread-safe. Callbacks run on the client's network thread
// and must not block for long (hand work to another thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tern/common/broker_list.h"
#include "tern/common/status.h"
#include "tern/common/transport.h"

struct mosquitto;

namespace tern {

class Metrics;

struct MqttOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  // Several brokers for failover, tried in this order (see above); when non-empty, host and
  // port are ignored. One entry behaves as host:port.
  std::vector<BrokerAddress> brokers;
  // Failures in a row on one broker before moving to the next (with more than one broker).
  int failures_before_failover = 2;
  std::string client_id;  // required, unique per connection
  int keepalive_s = 10;
  int max_inflight = 64;  // unacknowledged QoS 1 publishes before Publish() blocks
  int reconnect_min_s = 1;
  int reconnect_max_s = 4;
  std::string will_topic;  // optional Last Will, published by the broker if we vanish
  std::string will_payload;
  bool will_retain = false;
  // TLS to the broker: the site CA (PEM) that must have issued the broker's certificate, and
  // this node's certificate and key (PEM). All empty = plain TCP; tls_ca alone = TLS without
  // a client certificate (a tern broker refuses that). With TLS the broker's certificate
  // must name `host` (subjectAltName), so connect to the name or address it was issued for.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  // Optional: counters the client adds to (`mqtt_identity_conflicts`; with several brokers
  // also `broker_failovers` and the gauge `mqtt_broker`, the 1-based position in `brokers`
  // of the broker in use). Not owned; must outlive the client.
  Metrics* metrics = nullptr;
};

class MqttClient final : public Transport {
 public:
  // Creates a client; nothing connects until Start().
  static Result<std::unique_ptr<MqttClient>> Create(const MqttOptions& opts);
  ~MqttClient() override;
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Set before Start(). on_message sees every message of every subscription.
  void OnMessage(MessageHandler h) override { on_message_ = std::move(h); }
  void OnConnect(ConnectHandler h) override { on_connect_ = std::move(h); }

  // Starts the network thread and connects (retrying with backoff until it succeeds).
  Status Start() override;
  // Waits up to `timeout` for the first connection.
  Status WaitConnected(std::chrono::milliseconds timeout) override;
  // Disconnects cleanly (no Last Will) and stops the network thread.
  void Stop() override;

  // Subscribes now if connected and again after every reconnect.
  Status Subscribe(const std::string& pattern, int qos = 1) override;

  // Publish() (see Transport) blocks while `max_inflight` publishes are unacknowledged.

  bool connected() const override { return connected_.load(); }
  int inflight() const;
  uint64_t connects() const { return connects_.load(); }
  uint64_t received() const { return received_.load(); }
  const std::string& client_id() const { return opts_.client_id; }
  // Times another connection with our client id took over our session (reason 0x8E).
  uint64_t identity_conflicts() const { return identity_conflicts_.load(); }
  // Why the last connection attempt failed (TLS refusal, broker refusal), "" if none yet.
  std::string last_error() const;
  // "host:port" of the broker in use (or being tried), and how often the client moved to
  // another broker.
  std::string broker() const;
  uint64_t broker_failovers() const { return failovers_.load(); }

  // Internal: called from libmosquitto callbacks.
  void HandleConnect(int rc);
  void HandleDisconnect(int rc);
  void HandlePublished(int mid);
  void HandleMessage(const char* topic, const void* payload, int len);
  void HandleLog(int level, const char* line);

 protected:
  Status DoPublish(const std::string& topic, std::string_view payload, int qos, bool retain,
                   std::chrono::milliseconds wait) override;

 private:
  explicit MqttClient(MqttOptions o) : opts_(std::move(o)) {}
  bool tls() const { return !opts_.tls_ca.empty(); }
  // "host:port" and, with TLS, the files, for error messages.
  std::string Where() const;
  // Records `why` as last_error() and logs it unless the same reason was logged recently.
  void NoteFailure(const std::string& why);
  // Counts `n` takeovers of our session by another connection with our client id, and logs.
  void NoteTakeovers(uint64_t n, bool by_reason);
  // The network thread: mosquitto_loop until the connection fails, then a back-off that
  // Stop() wakes, and a reconnect. Not loop_forever: in libmosquitto 2.0.11 it returns for
  // good on a TLS or protocol error, and its reconnect sleep (up to reconnect_max_s) is not
  // woken by a disconnect while the broker is away, which delayed a stop by up to 4 s.
  void LoopMain();
  // The network loop with several brokers: libmosquitto's loop_forever reconnects only to
  // the host it was given, so this loop runs mosquitto_loop itself and, when the rotation
  // says so, connects to the next broker.
  void LoopFailover();
  // The broker in use.
  const BrokerAddress& Current() const { return opts_.brokers[current_.load()]; }
  // Connects to Current(): the first time (from Start, without blocking), again to the same
  // broker, or to the next one after a move (both from the network loop). Returns
  // libmosquitto's result and keeps its text in connect_error_.
  enum class ConnectHow { kFirst, kAgain, kNext };
  int ConnectCurrent(ConnectHow how);
  // ExplainTls for the broker in use.
  std::string Explain(const std::string& ssl) const;
  MqttOptions opts_;
  mosquitto* mosq_ = nullptr;
  std::thread loop_;
  MessageHandler on_message_;
  ConnectHandler on_connect_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> started_{false};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> received_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int inflight_ = 0;
  std::map<std::string, int> subscriptions_;
  std::atomic<uint64_t> identity_conflicts_{0};
  std::atomic<size_t> current_{0};  // index in opts_.brokers (never empty after Create)
  std::atomic<uint64_t> failovers_{0};
  int first_connect_rc_ = 0;   // Start()'s connect result, read by LoopFailover
  std::string connect_error_;  // the last ConnectCurrent's failure (Start, then the loop)
  std::string ssl_error_;      // under mu_: the last OpenSSL error libmosquitto logged
  std::string last_error_;     // under mu_
  std::chrono::steady_clock::time_point last_logged_{};   // under mu_: of last_error_
  std::chrono::steady_clock::time_point connected_at_{};  // under mu_: the last CONNACK
  uint64_t quick_losses_ = 0;  // under mu_: connections in a row lost right after CONNACK
  std::chrono::steady_clock::time_point last_conflict_log_{};  // under mu_
};

}  // namespace tern
