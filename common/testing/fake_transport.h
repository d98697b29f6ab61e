// An in-process broker and transport for unit tests of the core's and the edge's logic:
// no sockets, no threads unless asked for, and every publish recorded.
//
// FakeBroker routes published messages to the FakeTransports connected to it, by MQTT topic
// filter, with retained messages and Last Wills. By default nothing moves until the test
// calls DeliverAll(), so a test decides exactly when (and in which order, with duplicates
// or reordering switched on) messages arrive; StartAutoDelivery() runs a delivery thread
// for tests that want the daemon's own threads to drive everything.
// Thread-safety: FakeBroker and FakeTransport are thread-safe. Handlers run on the thread
// that calls DeliverAll() (or the auto-delivery thread), as on a real client's network thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tern/common/mqtt.h"
#include "tern/common/transport.h"

namespace tern::testing {

class FakeBroker;

class FakeTransport final : public Transport {
 public:
  FakeTransport(std::shared_ptr<FakeBroker> broker, MqttOptions opts);
  ~FakeTransport() override;

  void OnMessage(MessageHandler h) override;
  void OnConnect(ConnectHandler h) override;
  Status Start() override;
  Status WaitConnected(std::chrono::milliseconds timeout) override;
  void Stop() override;
  Status Subscribe(const std::string& pattern, int qos = 1) override;
  bool connected() const override { return connected_.load(); }
  const std::string& client_id() const { return opts_.client_id; }

 protected:
  Status DoPublish(const std::string& topic, std::string_view payload, int qos, bool retain,
                   std::chrono::milliseconds wait) override;

 private:
  friend class FakeBroker;
  std::shared_ptr<FakeBroker> broker_;
  MqttOptions opts_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> started_{false};
  mutable std::mutex mu_;            // handlers and subscriptions
  std::recursive_mutex deliver_mu_;  // held while a handler runs; destruction waits for it
  MessageHandler on_message_;
  ConnectHandler on_connect_;
  std::vector<std::string> subscriptions_;
};

class FakeBroker : public std::enable_shared_from_this<FakeBroker> {
 public:
  struct Message {
    std::string from;  // client id of the publisher ("" for Inject)
    std::string topic;
    std::string payload;
    bool retain = false;
  };

  static std::shared_ptr<FakeBroker> Create() {
    return std::shared_ptr<FakeBroker>(new FakeBroker);
  }
  ~FakeBroker();

  // A factory handing out transports on this broker (for the daemons' option structs).
  TransportFactory Factory();

  // Publishes as an outsider (an attacker, a test's peer). Delivered like any message.
  void Inject(const std::string& topic, std::string_view payload, bool retain = false);

  // Delivers queued messages (and those their handlers publish) until none are left or
  // `max` were delivered; returns how many were delivered.
  size_t DeliverAll(size_t max = 1000000);
  // A thread that delivers continuously until StopAutoDelivery() or destruction.
  void StartAutoDelivery();
  void StopAutoDelivery();

  // Every message published so far, in order (including Inject()ed ones).
  std::vector<Message> Published() const;
  // Those whose topic matches `filter`.
  std::vector<Message> PublishedOn(const std::string& filter) const;
  void ClearPublished();

  // Faults. Duplicate: each message is delivered twice. Reorder: each DeliverAll() round
  // delivers the queued messages newest first.
  void SetDuplicate(bool on) { duplicate_ = on; }
  void SetReorder(bool on) { reorder_ = on; }
  // Cuts a client off (its publishes fail with Unavailable, it hears OnConnect(false), its
  // Last Will is published unless `clean`) and later lets it back (OnConnect(true)).
  void Disconnect(const std::string& client_id, bool clean = false);
  void Reconnect(const std::string& client_id);
  // Number of transports currently attached (started and not stopped).
  size_t clients() const;

 private:
  friend class FakeTransport;
  FakeBroker() = default;
  struct Event {
    FakeTransport* to = nullptr;  // the one client this event is for
    bool connect_event = false;
    bool up = false;
    Message msg;
  };
  void Attach(FakeTransport* t);
  void Detach(FakeTransport* t, bool will);
  void Publish(Message m);
  void Subscribed(FakeTransport* t, const std::string& filter);
  void Deliver(const Event& e);
  void Route(const Message& m);
  void QueueConnected(FakeTransport* t);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<FakeTransport*> clients_;
  std::deque<Event> queue_;
  std::vector<Message> log_;
  std::vector<Message> retained_;
  std::atomic<bool> duplicate_{false}, reorder_{false};
  std::atomic<bool> auto_stop_{false};
  std::thread auto_;
};

}  // namespace tern::testing
