// The one file that includes libmosquitto.
#include "tern/common/mqtt.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <spdlog/spdlog.h>

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
}  // namespace

Result<std::unique_ptr<MqttClient>> MqttClient::Create(const MqttOptions& opts) {
  if (opts.client_id.empty()) return Status::InvalidArgument("mqtt: client_id is empty");
  std::call_once(g_lib_once, [] { mosquitto_lib_init(); });
  std::unique_ptr<MqttClient> c(new MqttClient(opts));
  c->mosq_ = mosquitto_new(opts.client_id.c_str(), true, c.get());
  if (!c->mosq_) return Status::ResourceExhausted("mqtt: mosquitto_new failed");
  mosquitto_int_option(c->mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_int_option(c->mosq_, MOSQ_OPT_TCP_NODELAY, 1);
  // The broker may hold as many of our QoS 1 messages in flight as our own window allows.
  mosquitto_int_option(c->mosq_, MOSQ_OPT_SEND_MAXIMUM, opts.max_inflight);
  mosquitto_int_option(c->mosq_, MOSQ_OPT_RECEIVE_MAXIMUM, 1000);
  mosquitto_reconnect_delay_set(c->mosq_, static_cast<unsigned>(opts.reconnect_min_s),
                                static_cast<unsigned>(opts.reconnect_max_s), true);
  mosquitto_connect_v5_callback_set(c->mosq_, OnConnectCb);
  mosquitto_disconnect_v5_callback_set(c->mosq_, OnDisconnectCb);
  mosquitto_publish_v5_callback_set(c->mosq_, OnPublishCb);
  mosquitto_message_v5_callback_set(c->mosq_, OnMessageCb);
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
  // connect_async fails only on bad arguments; an absent broker is retried by the loop thread.
  int rc = mosquitto_connect_async(mosq_, opts_.host.c_str(), opts_.port, opts_.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO) {
    return Status::InvalidArgument("mqtt: connect to " + opts_.host + ":" +
                                   std::to_string(opts_.port) + ": " + mosquitto_strerror(rc));
  }
  if (rc == MOSQ_ERR_ERRNO) {
    spdlog::warn("mqtt {}: broker {}:{} not reachable yet, retrying", opts_.client_id,
                 opts_.host, opts_.port);
  }
  rc = mosquitto_loop_start(mosq_);
  if (rc != MOSQ_ERR_SUCCESS) {
    return Status::IoError(std::string("mqtt: loop_start: ") + mosquitto_strerror(rc));
  }
  return Status::Ok();
}

Status MqttClient::WaitConnected(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(mu_);
  if (!cv_.wait_for(lk, timeout, [this] { return connected_.load(); })) {
    return Status::Unavailable("mqtt: no connection to " + opts_.host + ":" +
                               std::to_string(opts_.port) + " within " +
                               std::to_string(timeout.count()) + " ms");
  }
  return Status::Ok();
}

void MqttClient::Stop() {
  if (!started_.exchange(false)) return;
  mosquitto_disconnect_v5(mosq_, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
  mosquitto_loop_stop(mosq_, false);
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
    if (!cv_.wait_for(lk, wait, [this] {
          return inflight_ < opts_.max_inflight || !connected_.load();
        })) {
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

void MqttClient::HandleConnect(int rc) {
  if (rc != 0) {
    spdlog::warn("mqtt {}: connect refused: {}", opts_.client_id, mosquitto_reason_string(rc));
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
  connected_ = true;
  cv_.notify_all();
  spdlog::debug("mqtt {}: connected to {}:{}", opts_.client_id, opts_.host, opts_.port);
  if (on_connect_) on_connect_(true);
}

void MqttClient::HandleDisconnect(int rc) {
  bool was = connected_.exchange(false);
  cv_.notify_all();
  if (was && started_) {
    spdlog::warn("mqtt {}: disconnected from {}:{} ({}), reconnecting", opts_.client_id,
                 opts_.host, opts_.port, rc);
  }
  if (was && on_connect_) on_connect_(false);
}

void MqttClient::HandlePublished(int) {
  std::lock_guard<std::mutex> lk(mu_);
  if (inflight_ > 0) --inflight_;
  cv_.notify_all();
}

void MqttClient::HandleMessage(const char* topic, const void* payload, int len) {
  ++received_;
  if (on_message_) {
    on_message_(topic, std::string_view(static_cast<const char*>(payload),
                                        static_cast<size_t>(len)));
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
