// The one file that includes libmosquitto.
#include "tern/common/mqtt.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "mqtt_tls_explain.h"
#include "tern/common/metrics.h"

namespace tern {
namespace {
std::once_flag g_lib_once;

MqttClient* Self(void* obj) { return static_cast<MqttClient*>(obj); }

void OnConnectCb(mosquitto*, void* obj, int rc, int, const mosquitto_property*) {
  Self(obj)->HandleConnect(rc);
}
void OnDisconnectCb(mosquitto*, void* obj, int rc, const mosquitto_property*) {
  Self(obj)->HandleDisconnect(rc);
}
void OnPublishCb(mosquitto*, void* obj, int mid, int, const mosquitto_property*) {
  Self(obj)->HandlePublished(mid);
}
void OnMessageCb(mosquitto*, void* obj, const mosquitto_message* m, const mosquitto_property*) {
  Self(obj)->HandleMessage(m->topic, m->payload, m->payloadlen);
}
void OnLogCb(mosquitto*, void* obj, int level, const char* line) {
  Self(obj)->HandleLog(level, line);
}

// A failed or refused connection is logged again only after this long if nothing changed.
constexpr auto kRepeatLogAfter = std::chrono::seconds(30);
// A connection lost this soon after its CONNACK counts as a quick loss; this many in a row
// are taken as another connection with our client id taking the session over.
constexpr auto kQuickLoss = std::chrono::seconds(5);
constexpr uint64_t kQuickLossesForConflict = 3;

// A disconnect's rc is a libmosquitto error (small) or the broker's MQTT 5 reason (>= 0x80).
std::string DisconnectReason(int rc) {
  return rc >= 0x80 ? mosquitto_reason_string(rc) : mosquitto_strerror(rc);
}

}  // namespace

Result<std::unique_ptr<MqttClient>> MqttClient::Create(const MqttOptions& opts) {
  if (opts.client_id.empty()) return Status::InvalidArgument("mqtt: client_id is empty");
  std::call_once(g_lib_once, [] { mosquitto_lib_init(); });
  std::unique_ptr<MqttClient> c(new MqttClient(opts));
  // One list for both forms: host:port is the list of one.
  if (c->opts_.brokers.empty()) c->opts_.brokers.push_back(BrokerAddress{opts.host, opts.port});
  if (c->opts_.brokers.size() > kMaxBrokers) {
    return Status::InvalidArgument("mqtt " + opts.client_id + ": " +
                                   std::to_string(c->opts_.brokers.size()) +
                                   " brokers given, at most " + std::to_string(kMaxBrokers));
  }
  c->mosq_ = mosquitto_new(opts.client_id.c_str(), true, c.get());
  if (!c->mosq_) return Status::ResourceExhausted("mqtt: mosquitto_new failed");
  mosquitto_int_option(c->mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_int_option(c->mosq_, MOSQ_OPT_TCP_NODELAY, 1);
  // The broker may hold as many of our QoS 1 messages in flight as our own window allows.
  mosquitto_int_option(c->mosq_, MOSQ_OPT_SEND_MAXIMUM, opts.max_inflight);
  mosquitto_int_option(c->mosq_, MOSQ_OPT_RECEIVE_MAXIMUM, 1000);
  mosquitto_reconnect_delay_set(c->mosq_, static_cast<unsigned>(opts.reconnect_min_s),
                                static_cast<unsigned>(opts.reconnect_max_s), true);
  // Our own thread runs the network loop (LoopMain) while others publish: tell libmosquitto,
  // as loop_start would.
  mosquitto_threaded_set(c->mosq_, true);
  mosquitto_connect_v5_callback_set(c->mosq_, OnConnectCb);
  mosquitto_disconnect_v5_callback_set(c->mosq_, OnDisconnectCb);
  mosquitto_publish_v5_callback_set(c->mosq_, OnPublishCb);
  mosquitto_message_v5_callback_set(c->mosq_, OnMessageCb);
  mosquitto_log_callback_set(c->mosq_, OnLogCb);
  if (!opts.tls_ca.empty() || !opts.tls_cert.empty() || !opts.tls_key.empty()) {
    // tls_ca alone is TLS without a client certificate (which a tern broker refuses; tests
    // use it to show that). A certificate needs its key and the other way round.
    if (opts.tls_ca.empty() || opts.tls_cert.empty() != opts.tls_key.empty()) {
      return Status::InvalidArgument("mqtt " + opts.client_id + ": TLS needs tls_ca, and " +
                                     "tls_cert and tls_key together (ca '" + opts.tls_ca +
                                     "', cert '" + opts.tls_cert + "', key '" + opts.tls_key +
                                     "')");
    }
    const std::pair<const char*, const std::string*> files[] = {
        {"tls_ca", &opts.tls_ca}, {"tls_cert", &opts.tls_cert}, {"tls_key", &opts.tls_key}};
    for (const auto& [what, path] : files) {
      if (path->empty()) continue;
      if (::access(path->c_str(), R_OK) != 0) {
        return Status::FailedPrecondition("mqtt " + opts.client_id + ": cannot read " + what + " " +
                                          *path + ": " + std::strerror(errno));
      }
    }
    auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    int rc = mosquitto_tls_set(c->mosq_, opts.tls_ca.c_str(), nullptr, or_null(opts.tls_cert),
                               or_null(opts.tls_key), nullptr);
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_tls_opts_set(c->mosq_, 1, nullptr, nullptr);
    // Hostname verification stays on: the broker's certificate must name opts.host.
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_tls_insecure_set(c->mosq_, false);
    if (rc != MOSQ_ERR_SUCCESS) {
      return Status::InvalidArgument("mqtt " + opts.client_id + ": TLS with CA " + opts.tls_ca +
                                     ", certificate " + opts.tls_cert + ", key " + opts.tls_key +
                                     ": " + mosquitto_strerror(rc));
    }
  }
  if (!opts.will_topic.empty()) {
    int rc = mosquitto_will_set_v5(c->mosq_, opts.will_topic.c_str(),
                                   static_cast<int>(opts.will_payload.size()),
                                   opts.will_payload.data(), 1, opts.will_retain, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      return Status::InvalidArgument("mqtt: will on '" + opts.will_topic +
                                     "': " + mosquitto_strerror(rc));
    }
  }
  return c;
}

MqttClient::~MqttClient() {
  Stop();
  if (mosq_) mosquitto_destroy(mosq_);
}

Status MqttClient::Start() {
  if (started_.exchange(true)) return Status::Ok();
  // An absent broker is retried by the loop thread; other errors are bad arguments or files.
  int rc = ConnectCurrent(ConnectHow::kFirst);
  std::string ssl;
  {
    std::lock_guard<std::mutex> lk(mu_);
    ssl = ssl_error_;
  }
  // A handshake that failed at once (we refused the broker's certificate, or it refused
  // ours) is a connection failure like an absent broker: noted, and retried by the loop.
  // Files that cannot be used (a bad key) fail Start.
  const bool handshake = rc == MOSQ_ERR_TLS && CertificateRefused(ssl);
  // With other brokers to move to, a first broker whose name does not resolve is a failed
  // broker like an absent one.
  const bool unresolved = rc == MOSQ_ERR_EAI && opts_.brokers.size() > 1;
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO && !handshake && !unresolved) {
    started_ = false;
    return Status::InvalidArgument("mqtt " + opts_.client_id + ": connect to " + Where() + ": " +
                                   mosquitto_strerror(rc) +
                                   (ssl.empty() ? "" : ": " + Explain(ssl)));
  }
  if (rc == MOSQ_ERR_ERRNO || unresolved) {
    spdlog::warn("mqtt {}: broker {} not reachable yet ({}), retrying", opts_.client_id,
                 Current().ToString(), connect_error_);
  }
  first_connect_rc_ = handshake ? MOSQ_ERR_TLS : rc;
  if (opts_.brokers.size() > 1) {
    loop_ = std::thread([this] { LoopFailover(); });
  } else {
    loop_ = std::thread([this] { LoopMain(); });
  }
  return Status::Ok();
}

void MqttClient::LoopMain() {
  const int min_s = std::max(1, opts_.reconnect_min_s);
  int backoff_s = min_s;
  while (started_) {
    const uint64_t connects_before = connects_.load();
    int rc = MOSQ_ERR_SUCCESS;  // not loop_forever: see LoopMain's contract in mqtt.h
    while ((rc = mosquitto_loop(mosq_, 1000, 1)) == MOSQ_ERR_SUCCESS && started_) continue;
    if (!started_) break;
    // A loop that had connected starts the back-off afresh: the doubling is for a broker
    // that keeps refusing, not for one that dropped us once after an hour (a client that
    // kept its long back-off came back seconds after its peers).
    if (connects_.load() != connects_before) backoff_s = min_s;
    if (connected_) HandleDisconnect(rc);  // lost, refused, TLS or protocol error
    // A TLS failure seen since the last connect is the reason: keep its explanation rather
    // than the loop's generic one (which told a caller of last_error() less, and made
    // identity_test flaky under load when it arrived second).
    std::string ssl;
    {
      std::lock_guard<std::mutex> lk(mu_);
      ssl = ssl_error_;
    }
    NoteFailure(ssl.rfind("OpenSSL Error", 0) == 0 && !connected_ ? Explain(ssl)
                : rc == MOSQ_ERR_NO_CONN ? "cannot connect: " + connect_error_  // our reconnect's
                                         : std::string("network loop stopped: ") +
                                               mosquitto_strerror(rc) + ", reconnecting");
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::seconds(backoff_s), [this] { return !started_.load(); });
    }
    if (!started_) break;
    backoff_s = std::min(backoff_s * 2, std::max(backoff_s, opts_.reconnect_max_s));
    (void)ConnectCurrent(ConnectHow::kAgain);  // a failure shows in the next loop's return
  }
}

int MqttClient::ConnectCurrent(ConnectHow how) {
  const BrokerAddress& b = Current();
  // The first connect (from Start) does not block. The loop's reconnects and moves block on
  // the TCP connect, as loop_forever's reconnect does: a refused connection then fails at
  // once, where an asynchronous one to a dead port with TLS went unnoticed until the
  // keep-alive check (10 s). The TLS handshake itself still runs in the loop.
  int rc = MOSQ_ERR_SUCCESS;
  if (how == ConnectHow::kFirst) {
    rc = mosquitto_connect_async(mosq_, b.host.c_str(), b.port, opts_.keepalive_s);
  } else if (how == ConnectHow::kAgain) {
    rc = mosquitto_reconnect(mosq_);
  } else {
    rc = mosquitto_connect(mosq_, b.host.c_str(), b.port, opts_.keepalive_s);
  }
  // errno is only meaningful right after the call (a refused connection).
  connect_error_ = rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno))
                                        : std::string(mosquitto_strerror(rc));
  return rc;
}

void MqttClient::LoopFailover() {
  BrokerRotation rotation(opts_.brokers.size(), opts_.failures_before_failover);
  const int min_s = std::max(1, opts_.reconnect_min_s);
  int backoff_s = min_s;
  int rc = first_connect_rc_;  // the result of the last connection attempt
  while (started_) {
    const uint64_t connects_before = connects_.load();
    if (rc == MOSQ_ERR_SUCCESS) {
      // Runs until the connection fails: refused, lost, or never answered (libmosquitto's
      // keep-alive check closes a connection that stays silent).
      do {
        rc = mosquitto_loop(mosq_, 1000, 1);
      } while (started_ && rc == MOSQ_ERR_SUCCESS);
      if (!started_) break;
      if (connected_) HandleDisconnect(rc);
    } else {
      // The attempt failed before the loop could run (e.g. connection refused at once).
      std::string ssl;
      {
        std::lock_guard<std::mutex> lk(mu_);
        ssl = ssl_error_;
      }
      NoteFailure(ssl.rfind("OpenSSL Error", 0) == 0 ? Explain(ssl)
                                                     : "cannot connect: " + connect_error_);
    }
    // An accepted connection starts the failure count and the back-off afresh: a broker that
    // dropped us once and takes us back is kept.
    if (connects_.load() != connects_before) {
      rotation.Connected();
      backoff_s = min_s;
    }
    const std::string left = Current().ToString();
    if (rotation.Failed()) {
      current_ = rotation.current();
      const uint64_t n = ++failovers_;
      if (opts_.metrics) opts_.metrics->Add("broker_failovers");
      spdlog::warn(
          "mqtt {}: broker {} failed {} times in a row, moving to broker {} ({} of {}; "
          "failover {})",
          opts_.client_id, left, opts_.failures_before_failover, Current().ToString(),
          rotation.current() + 1, opts_.brokers.size(), n);
      {
        std::lock_guard<std::mutex> lk(mu_);
        ssl_error_.clear();  // the old broker's TLS failure says nothing about the new one
      }
      rc = ConnectCurrent(ConnectHow::kNext);  // at once: the next broker has not failed us
      continue;
    }
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::seconds(backoff_s), [this] { return !started_.load(); });
    }
    if (!started_) break;
    backoff_s = std::min(backoff_s * 2, std::max(backoff_s, opts_.reconnect_max_s));
    rc = ConnectCurrent(ConnectHow::kAgain);
  }
}

Status MqttClient::WaitConnected(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(mu_);
  if (!cv_.wait_for(lk, timeout, [this] { return connected_.load(); })) {
    return Status::Unavailable("mqtt " + opts_.client_id + ": no connection to " + Where() +
                               " within " + std::to_string(timeout.count()) + " ms" +
                               (last_error_.empty() ? "" : " (last failure: " + last_error_ + ")"));
  }
  return Status::Ok();
}

void MqttClient::Stop() {
  if (!started_.exchange(false)) return;
  mosquitto_disconnect_v5(mosq_, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
  cv_.notify_all();  // wakes LoopMain's back-off wait
  if (loop_.joinable()) loop_.join();
  connected_ = false;
  cv_.notify_all();
}

Status MqttClient::Subscribe(const std::string& pattern, int qos) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    subscriptions_[pattern] = qos;
  }
  if (!connected_) return Status::Ok();  // HandleConnect subscribes
  int rc = mosquitto_subscribe_v5(mosq_, nullptr, pattern.c_str(), qos, 0, nullptr);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
    return Status::IoError("mqtt: subscribe '" + pattern + "': " + mosquitto_strerror(rc));
  }
  return Status::Ok();
}

Status MqttClient::DoPublish(const std::string& topic, std::string_view payload, int qos,
                             bool retain, std::chrono::milliseconds wait) {
  if (qos > 0) {
    std::unique_lock<std::mutex> lk(mu_);
    if (!cv_.wait_for(lk, wait,
                      [this] { return inflight_ < opts_.max_inflight || !connected_.load(); })) {
      return Status::Timeout("mqtt: in-flight window of " + std::to_string(opts_.max_inflight) +
                             " full publishing to '" + topic + "'");
    }
    if (!connected_) return Status::Unavailable("mqtt: not connected (publish to '" + topic + "')");
    ++inflight_;
  } else if (!connected_) {
    return Status::Unavailable("mqtt: not connected (publish to '" + topic + "')");
  }
  int rc = mosquitto_publish_v5(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                payload.data(), qos, retain, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    if (qos > 0) {
      std::lock_guard<std::mutex> lk(mu_);
      --inflight_;
      cv_.notify_all();
    }
    if (rc == MOSQ_ERR_NO_CONN) return Status::Unavailable("mqtt: not connected ('" + topic + "')");
    return Status::IoError("mqtt: publish to '" + topic + "': " + mosquitto_strerror(rc));
  }
  return Status::Ok();
}

int MqttClient::inflight() const {
  std::lock_guard<std::mutex> lk(mu_);
  return inflight_;
}

std::string MqttClient::last_error() const {
  std::lock_guard<std::mutex> lk(mu_);
  return last_error_;
}

std::string MqttClient::broker() const { return Current().ToString(); }

std::string MqttClient::Explain(const std::string& ssl) const {
  MqttOptions o = opts_;
  o.host = Current().host;
  o.port = Current().port;
  return ExplainTls(ssl, o);
}

std::string MqttClient::Where() const {
  std::string w = Current().ToString();
  if (tls()) {
    w += " (TLS: CA " + opts_.tls_ca + ", certificate " + opts_.tls_cert + ", key " +
         opts_.tls_key + ")";
  }
  return w;
}

void MqttClient::NoteFailure(const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  bool log = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    log = why != last_error_ || now - last_logged_ >= kRepeatLogAfter;
    if (log) last_logged_ = now;
    last_error_ = why;
  }
  if (log) spdlog::warn("mqtt {}: connection to {} failed: {}", opts_.client_id, Where(), why);
}

void MqttClient::HandleLog(int level, const char* line) {
  // libmosquitto reports TLS failures only through its log ("OpenSSL Error[0]: ..."). A
  // failure inside the handshake (we refuse the broker, or its alert arrives before our
  // handshake ends) reaches no disconnect callback, so the log line is the failure.
  if ((level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) == 0 || !line) return;
  const bool ssl = std::strncmp(line, "OpenSSL Error[0]", 16) == 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (ssl_error_.empty() || ssl) ssl_error_ = line;
  }
  if (ssl && !connected_) NoteFailure(Explain(line));
}

void MqttClient::HandleConnect(int rc) {
  if (rc != 0) {
    NoteFailure(std::string("the broker refused the connection: ") + mosquitto_reason_string(rc) +
                (tls() ? " (is certificate " + opts_.tls_cert + " allowed by its ACL?)" : ""));
    return;
  }
  std::map<std::string, int> subs;
  {
    std::lock_guard<std::mutex> lk(mu_);
    subs = subscriptions_;
    // A clean session: the broker forgot whatever was in flight, and libmosquitto resends
    // nothing it had not written, so the window restarts empty. Application acks recover.
    inflight_ = 0;
  }
  for (const auto& [pattern, qos] : subs) {
    mosquitto_subscribe_v5(mosq_, nullptr, pattern.c_str(), qos, 0, nullptr);
  }
  ++connects_;
  {
    std::lock_guard<std::mutex> lk(mu_);
    last_error_.clear();
    ssl_error_.clear();
    connected_at_ = std::chrono::steady_clock::now();
  }
  // The gauge before connected_: whoever sees us connected sees where.
  if (opts_.brokers.size() > 1) {
    if (opts_.metrics) {
      opts_.metrics->Set("mqtt_broker", static_cast<int64_t>(current_.load() + 1));
    }
    // After a failover this line says where the node is now; it is rare (one per connect).
    if (failovers_.load() > 0) {
      spdlog::info("mqtt {}: connected to broker {} ({} of {})", opts_.client_id,
                   Current().ToString(), current_.load() + 1, opts_.brokers.size());
    }
  }
  connected_ = true;
  cv_.notify_all();
  spdlog::debug("mqtt {}: connected to {}", opts_.client_id, Current().ToString());
  if (on_connect_) on_connect_(true);
}

void MqttClient::HandleDisconnect(int rc) {
  bool was = connected_.exchange(false);
  cv_.notify_all();
  std::string ssl;
  {
    std::lock_guard<std::mutex> lk(mu_);
    ssl = ssl_error_;
  }
  const auto now = std::chrono::steady_clock::now();
  // Takeovers: see NoteTakeovers. A reason code says so outright; without one (Mosquitto
  // 2.0.11 closes the old connection before its DISCONNECT 0x8E is written) a run of
  // connections each lost within kQuickLoss of its CONNACK is the pattern of two clients
  // with one id taking the session from each other on every reconnect.
  uint64_t takeovers = 0;
  if (was) {
    std::lock_guard<std::mutex> lk(mu_);
    if (rc == MQTT_RC_SESSION_TAKEN_OVER) {
      takeovers = 1;
    } else if (now - connected_at_ < kQuickLoss && rc != MOSQ_ERR_SUCCESS) {
      ++quick_losses_;
      if (quick_losses_ == kQuickLossesForConflict) takeovers = kQuickLossesForConflict;
      if (quick_losses_ > kQuickLossesForConflict) takeovers = 1;
    } else {
      quick_losses_ = 0;
    }
  }
  if (takeovers > 0) NoteTakeovers(takeovers, rc == MQTT_RC_SESSION_TAKEN_OVER);
  if (rc == MQTT_RC_SESSION_TAKEN_OVER) {
    // NoteTakeovers logged it.
  } else if (!was && started_ && rc != MOSQ_ERR_SUCCESS) {
    // Lost before CONNACK: the TLS handshake failed or the broker dropped us.
    std::string why = !ssl.empty() ? Explain(ssl) : DisconnectReason(rc);
    if (ssl.empty() && tls()) {
      why += opts_.tls_cert.empty()
                 ? " (the broker closed the TLS connection: we presented no client certificate)"
                 : " (the broker closed the TLS connection before accepting us: is certificate " +
                       opts_.tls_cert + " from this site's CA, not expired and not revoked?)";
    }
    NoteFailure(why);
  } else if (was && started_) {
    spdlog::warn("mqtt {}: disconnected from {} ({}{}), reconnecting", opts_.client_id, Where(),
                 DisconnectReason(rc), ssl.empty() ? "" : ": " + ssl);
  }
  if (was && on_connect_) on_connect_(false);
}

void MqttClient::NoteTakeovers(uint64_t n, bool by_reason) {
  const uint64_t total = identity_conflicts_ += n;
  if (opts_.metrics) opts_.metrics->Add("mqtt_identity_conflicts", static_cast<int64_t>(n));
  // Both connections reconnect and take the session back in turn: log the first detection,
  // then at most one line per kRepeatLogAfter.
  const auto now = std::chrono::steady_clock::now();
  bool log = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    log = total == n || now - last_conflict_log_ >= kRepeatLogAfter;
    if (log) last_conflict_log_ = now;
  }
  if (log) {
    spdlog::error(
        "mqtt {}: another connection with our identity {} took over at {} ({}; {} times so "
        "far); is a second node configured with this name and certificate?",
        opts_.client_id, opts_.client_id, Where(),
        by_reason ? "the broker said: session taken over"
                  : "our connection keeps being closed right after each connect",
        total);
  }
}

void MqttClient::HandlePublished(int) {
  std::lock_guard<std::mutex> lk(mu_);
  if (inflight_ > 0) --inflight_;
  cv_.notify_all();
}

void MqttClient::HandleMessage(const char* topic, const void* payload, int len) {
  ++received_;
  if (on_message_) {
    on_message_(topic,
                std::string_view(static_cast<const char*>(payload), static_cast<size_t>(len)));
  }
}

}  // namespace tern

namespace tern {
TransportFactory MqttTransportFactory() {
  return [](const MqttOptions& o) -> Result<std::unique_ptr<Transport>> {
    TERN_ASSIGN_OR_RETURN(auto c, MqttClient::Create(o));
    return std::unique_ptr<Transport>(std::move(c));
  };
}
}  // namespace tern
