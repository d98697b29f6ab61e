// FakeBroker and FakeTransport: see fake_transport.h.
#include "fake_transport.h"

#include <algorithm>

namespace tern::testing {

// ---------------------------------------------------------------- FakeTransport

FakeTransport::FakeTransport(std::shared_ptr<FakeBroker> broker, MqttOptions opts)
    : broker_(std::move(broker)), opts_(std::move(opts)) {}

FakeTransport::~FakeTransport() {
  Stop();
  std::lock_guard<std::recursive_mutex> lk(deliver_mu_);  // no handler of ours still running
}

void FakeTransport::OnMessage(MessageHandler h) {
  std::lock_guard<std::mutex> lk(mu_);
  on_message_ = std::move(h);
}

void FakeTransport::OnConnect(ConnectHandler h) {
  std::lock_guard<std::mutex> lk(mu_);
  on_connect_ = std::move(h);
}

Status FakeTransport::Start() {
  if (started_.exchange(true)) return Status::Ok();
  broker_->Attach(this);
  return Status::Ok();
}

Status FakeTransport::WaitConnected(std::chrono::milliseconds) {
  return connected_ ? Status::Ok() : Status::Timeout("fake: not connected");
}

void FakeTransport::Stop() {
  if (!started_.exchange(false)) return;
  broker_->Detach(this, /*will=*/false);
}

Status FakeTransport::Subscribe(const std::string& pattern, int) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (std::find(subscriptions_.begin(), subscriptions_.end(), pattern) == subscriptions_.end()) {
      subscriptions_.push_back(pattern);
    }
  }
  if (connected_) broker_->Subscribed(this, pattern);
  return Status::Ok();
}

Status FakeTransport::DoPublish(const std::string& topic, std::string_view payload, int,
                                bool retain, std::chrono::milliseconds) {
  if (!connected_) return Status::Unavailable("fake: not connected (publish to '" + topic + "')");
  broker_->Publish({opts_.client_id, topic, std::string(payload), retain});
  return Status::Ok();
}

// ---------------------------------------------------------------- FakeBroker

FakeBroker::~FakeBroker() { StopAutoDelivery(); }

TransportFactory FakeBroker::Factory() {
  std::weak_ptr<FakeBroker> self = weak_from_this();
  return [self](const MqttOptions& o) -> Result<std::unique_ptr<Transport>> {
    auto b = self.lock();
    if (!b) return Status::Unavailable("fake broker is gone");
    return std::unique_ptr<Transport>(new FakeTransport(b, o));
  };
}

void FakeBroker::Attach(FakeTransport* t) {
  std::lock_guard<std::mutex> lk(mu_);
  clients_.push_back(t);
  QueueConnected(t);
  cv_.notify_all();
}

// Caller holds mu_. The client is connected: it hears OnConnect(true), then the retained
// messages its subscriptions match, as after a real (re)connect.
void FakeBroker::QueueConnected(FakeTransport* t) {
  t->connected_ = true;
  Event e;
  e.to = t;
  e.connect_event = true;
  e.up = true;
  queue_.push_back(std::move(e));
  std::lock_guard<std::mutex> tl(t->mu_);
  for (const auto& f : t->subscriptions_) {
    for (const auto& r : retained_) {
      if (TopicMatches(f, r.topic)) queue_.push_back({t, false, false, r});
    }
  }
}

void FakeBroker::Detach(FakeTransport* t, bool will) {
  std::lock_guard<std::mutex> lk(mu_);
  clients_.erase(std::remove(clients_.begin(), clients_.end(), t), clients_.end());
  t->connected_ = false;
  // Events addressed to a transport that is going away are dropped.
  queue_.erase(
      std::remove_if(queue_.begin(), queue_.end(), [t](const Event& e) { return e.to == t; }),
      queue_.end());
  if (will && !t->opts_.will_topic.empty()) {
    Message m{t->opts_.client_id, t->opts_.will_topic, t->opts_.will_payload, t->opts_.will_retain};
    log_.push_back(m);
    Route(m);
  }
  cv_.notify_all();
}

void FakeBroker::Publish(Message m) {
  std::lock_guard<std::mutex> lk(mu_);
  if (m.retain) {
    retained_.erase(std::remove_if(retained_.begin(), retained_.end(),
                                   [&](const Message& r) { return r.topic == m.topic; }),
                    retained_.end());
    if (!m.payload.empty()) retained_.push_back(m);
  }
  log_.push_back(m);
  Route(m);
  cv_.notify_all();
}

// Caller holds mu_. Subscribers are fixed at publish time, as on a real broker.
void FakeBroker::Route(const Message& m) {
  for (FakeTransport* t : clients_) {
    if (!t->connected_) continue;
    std::lock_guard<std::mutex> tl(t->mu_);
    for (const auto& f : t->subscriptions_) {
      if (TopicMatches(f, m.topic)) {
        queue_.push_back({t, false, false, m});
        break;
      }
    }
  }
}

void FakeBroker::Inject(const std::string& topic, std::string_view payload, bool retain) {
  Publish({"", topic, std::string(payload), retain});
}

void FakeBroker::Subscribed(FakeTransport* t, const std::string& filter) {
  std::lock_guard<std::mutex> lk(mu_);
  for (const auto& r : retained_) {
    if (TopicMatches(filter, r.topic)) queue_.push_back({t, false, false, r});
  }
  cv_.notify_all();
}

void FakeBroker::Deliver(const Event& e) {
  std::vector<FakeTransport*> to;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (std::find(clients_.begin(), clients_.end(), e.to) != clients_.end()) to.push_back(e.to);
    // Lock each target's delivery mutex while still holding ours, so it cannot be destroyed
    // between the lookup and the call.
    for (FakeTransport* t : to) t->deliver_mu_.lock();
  }
  for (FakeTransport* t : to) {
    Transport::MessageHandler mh;
    Transport::ConnectHandler ch;
    {
      std::lock_guard<std::mutex> tl(t->mu_);
      mh = t->on_message_;
      ch = t->on_connect_;
    }
    if (e.connect_event) {
      if (ch) ch(e.up);
    } else if (mh) {
      mh(e.msg.topic, e.msg.payload);
    }
    t->deliver_mu_.unlock();
  }
}

size_t FakeBroker::DeliverAll(size_t max) {
  size_t n = 0;
  while (n < max) {
    std::deque<Event> batch;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (queue_.empty()) break;
      batch.swap(queue_);
    }
    if (reorder_) std::reverse(batch.begin(), batch.end());
    for (const auto& e : batch) {
      Deliver(e);
      if (duplicate_ && !e.connect_event) Deliver(e);
      ++n;
    }
  }
  return n;
}

void FakeBroker::StartAutoDelivery() {
  if (auto_.joinable()) return;
  auto_stop_ = false;
  auto_ = std::thread([this] {
    while (!auto_stop_) {
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait_for(lk, std::chrono::milliseconds(5),
                     [this] { return auto_stop_ || !queue_.empty(); });
      }
      DeliverAll();
    }
  });
}

void FakeBroker::StopAutoDelivery() {
  auto_stop_ = true;
  cv_.notify_all();
  if (auto_.joinable() && auto_.get_id() != std::this_thread::get_id()) auto_.join();
}

std::vector<FakeBroker::Message> FakeBroker::Published() const {
  std::lock_guard<std::mutex> lk(mu_);
  return log_;
}

std::vector<FakeBroker::Message> FakeBroker::PublishedOn(const std::string& filter) const {
  std::lock_guard<std::mutex> lk(mu_);
  std::vector<Message> out;
  for (const auto& m : log_) {
    if (TopicMatches(filter, m.topic)) out.push_back(m);
  }
  return out;
}

void FakeBroker::ClearPublished() {
  std::lock_guard<std::mutex> lk(mu_);
  log_.clear();
}

void FakeBroker::Disconnect(const std::string& client_id, bool clean) {
  FakeTransport* t = nullptr;
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (FakeTransport* c : clients_) {
      if (c->client_id() == client_id) t = c;
    }
    if (!t || !t->connected_) return;
    t->connected_ = false;
    Event e;
    e.to = t;
    e.connect_event = true;
    e.up = false;
    queue_.push_back(std::move(e));
    if (!clean && !t->opts_.will_topic.empty()) {
      Message m{client_id, t->opts_.will_topic, t->opts_.will_payload, t->opts_.will_retain};
      log_.push_back(m);
      Route(m);
    }
    cv_.notify_all();
  }
}

void FakeBroker::Reconnect(const std::string& client_id) {
  std::lock_guard<std::mutex> lk(mu_);
  for (FakeTransport* t : clients_) {
    if (t->client_id() == client_id && !t->connected_) QueueConnected(t);
  }
  cv_.notify_all();
}

size_t FakeBroker::clients() const {
  std::lock_guard<std::mutex> lk(mu_);
  return clients_.size();
}

}  // namespace tern::testing
