// The seam between tern's logic and the gateway. The core and the edge talk to the broker
// only through a Transport, so their logic can be unit-tested in milliseconds against
// `testing::FakeTransport` (common/testing/) and run for real on `MqttClient` (mqtt.h),
// much as `hw::RegisterBus` separates the board drivers from SPI.
//
// The contract every implementation keeps (MqttClient does):
// - QoS 1 semantics: a message may be delivered more than once; the application-level acks
//   above this layer prove delivery, not the transport.
// - Handlers set with OnMessage/OnConnect run on the transport's own thread and must not
//   block for long; receivers hand work to their own threads.
// - Subscriptions survive reconnects.
// Thread-safety: implementations are thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tern/common/status.h"

namespace tern {

struct MqttOptions;

class Transport {
 public:
  using MessageHandler = std::function<void(const std::string& topic, std::string_view payload)>;
  using ConnectHandler = std::function<void(bool connected)>;

  virtual ~Transport() = default;

  // Set before Start(). on_message sees every message of every subscription.
  virtual void OnMessage(MessageHandler h) = 0;
  virtual void OnConnect(ConnectHandler h) = 0;

  // Starts delivering and connects (retrying until it succeeds or Stop()).
  [[nodiscard]] virtual Status Start() = 0;
  // Waits up to `timeout` for the first connection.
  [[nodiscard]] virtual Status WaitConnected(std::chrono::milliseconds timeout) = 0;
  // Disconnects cleanly (no Last Will) and stops delivering.
  virtual void Stop() = 0;

  // Subscribes now if connected and again after every reconnect. MQTT wildcards + and #.
  [[nodiscard]] virtual Status Subscribe(const std::string& pattern, int qos = 1) = 0;

  // Publishes; blocks up to `wait` while the transport's in-flight window is full. Returns
  // Unavailable when disconnected and Timeout when the window stayed full; the caller keeps
  // the data and retries.
  [[nodiscard]] Status Publish(const std::string& topic, std::string_view payload, int qos = 1,
                               bool retain = false,
                               std::chrono::milliseconds wait = std::chrono::milliseconds(2000)) {
    return DoPublish(topic, payload, qos, retain, wait);
  }

  virtual bool connected() const = 0;

 protected:
  virtual Status DoPublish(const std::string& topic, std::string_view payload, int qos, bool retain,
                           std::chrono::milliseconds wait) = 0;
};

// Makes the transports a daemon needs (the edge opens a second, short-lived one to register).
// Production uses MqttTransportFactory(); tests pass one that hands out FakeTransports.
using TransportFactory = std::function<Result<std::unique_ptr<Transport>>(const MqttOptions& opts)>;

// The factory for real MQTT connections (MqttClient::Create).
TransportFactory MqttTransportFactory();

// True if `topic` matches the MQTT subscription `filter` ('+' one level, '#' the rest).
bool TopicMatches(std::string_view filter, std::string_view topic);

}  // namespace tern
