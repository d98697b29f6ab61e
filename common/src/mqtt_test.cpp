// MQTT client against a real Mosquitto on a loopback port.
#include "tern/common/mqtt.h"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "broker.h"
#include "tern/common/metrics.h"

namespace tern {
TEST_SUITE("mqtt") {
  TEST_CASE("publish and receive, resubscribe after a broker restart") {
    testing::TempDir dir;
    testing::Broker broker(dir.path());
    REQUIRE(broker.ok());
    MqttOptions o;
    o.port = broker.port();
    o.client_id = "sub";
    o.reconnect_max_s = 1;
    auto sub = MqttClient::Create(o);
    REQUIRE(sub.ok());
    std::mutex mu;
    std::set<std::string> got;
    (*sub)->OnMessage([&](const std::string&, std::string_view p) {
      std::lock_guard<std::mutex> lk(mu);
      got.insert(std::string(p));
    });
    REQUIRE((*sub)->Subscribe("t/#").ok());
    REQUIRE((*sub)->Start().ok());
    REQUIRE((*sub)->WaitConnected(std::chrono::seconds(5)).ok());
    o.client_id = "pub";
    auto pub = MqttClient::Create(o);
    REQUIRE(pub.ok());
    REQUIRE((*pub)->Start().ok());
    REQUIRE((*pub)->WaitConnected(std::chrono::seconds(5)).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (int i = 0; i < 500; ++i) REQUIRE((*pub)->Publish("t/a", "m" + std::to_string(i)).ok());
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard<std::mutex> lk(mu);
        if (got.size() == 500) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(got.size() == 500);

    REQUIRE(broker.Restart());
    REQUIRE((*pub)->WaitConnected(std::chrono::seconds(10)).ok());
    // The subscriber reconnects and resubscribes on its own.
    bool delivered = false;
    for (int i = 0; i < 100 && !delivered; ++i) {
      (void)(*pub)->Publish("t/b", "after-restart");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::lock_guard<std::mutex> lk(mu);
      delivered = got.count("after-restart") > 0;
    }
    CHECK(delivered);
    CHECK((*sub)->connects() >= 2);
  }

  TEST_CASE("publish without a broker reports unavailable, not success") {
    MqttOptions o;
    o.port = testing::FreePort();
    o.client_id = "lonely";
    auto c = MqttClient::Create(o);
    REQUIRE(c.ok());
    REQUIRE((*c)->Start().ok());
    Status s = (*c)->Publish("t/x", "data", 1, false, std::chrono::milliseconds(50));
    CHECK(s.code() == Status::Code::kUnavailable);
    CHECK_FALSE((*c)->WaitConnected(std::chrono::milliseconds(200)).ok());
  }
  TEST_CASE("with several brokers a client moves to the next when its broker dies") {
    testing::TempDir dir1, dir2;
    testing::Broker b1(dir1.path()), b2(dir2.path());
    REQUIRE(b1.ok());
    REQUIRE(b2.ok());
    Metrics sub_metrics;
    MqttOptions o;
    o.brokers = {{"127.0.0.1", b1.port()}, {"127.0.0.1", b2.port()}};
    o.client_id = "fo-sub";
    o.reconnect_max_s = 1;
    o.metrics = &sub_metrics;
    auto sub = MqttClient::Create(o);
    REQUIRE(sub.ok());
    std::mutex mu;
    std::set<std::string> got;
    (*sub)->OnMessage([&](const std::string&, std::string_view p) {
      std::lock_guard<std::mutex> lk(mu);
      got.insert(std::string(p));
    });
    REQUIRE((*sub)->Subscribe("t/#").ok());
    REQUIRE((*sub)->Start().ok());
    REQUIRE((*sub)->WaitConnected(std::chrono::seconds(5)).ok());
    CHECK((*sub)->broker() == "127.0.0.1:" + std::to_string(b1.port()));
    CHECK(sub_metrics.Get("mqtt_broker") == 1);
    o.client_id = "fo-pub";
    o.metrics = nullptr;
    auto pub = MqttClient::Create(o);
    REQUIRE(pub.ok());
    REQUIRE((*pub)->Start().ok());
    REQUIRE((*pub)->WaitConnected(std::chrono::seconds(5)).ok());

    b1.Kill(/*hard=*/true);
    const std::string second = "127.0.0.1:" + std::to_string(b2.port());
    bool moved = false;
    for (int i = 0; i < 300 && !moved; ++i) {
      moved = (*sub)->connected() && (*pub)->connected() && (*sub)->broker() == second &&
              (*pub)->broker() == second;
      if (!moved) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(moved);
    CHECK((*sub)->broker_failovers() >= 1);
    CHECK(sub_metrics.Get("broker_failovers") >= 1);
    CHECK(sub_metrics.Get("mqtt_broker") == 2);
    // The subscription was made again on the new broker.
    bool delivered = false;
    for (int i = 0; i < 100 && !delivered; ++i) {
      (void)(*pub)->Publish("t/b", "after-failover");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::lock_guard<std::mutex> lk(mu);
      delivered = got.count("after-failover") > 0;
    }
    CHECK(delivered);
  }

  TEST_CASE("a client whose first broker is down starts on the next one") {
    testing::TempDir dir;
    testing::Broker b2(dir.path());
    REQUIRE(b2.ok());
    MqttOptions o;
    o.brokers = {{"127.0.0.1", testing::FreePort()}, {"127.0.0.1", b2.port()}};
    o.client_id = "fo-late";
    o.reconnect_max_s = 1;
    auto c = MqttClient::Create(o);
    REQUIRE(c.ok());
    REQUIRE((*c)->Start().ok());
    REQUIRE((*c)->WaitConnected(std::chrono::seconds(20)).ok());
    CHECK((*c)->broker() == "127.0.0.1:" + std::to_string(b2.port()));
    CHECK((*c)->broker_failovers() == 1);
  }

  TEST_CASE("more than three brokers are refused by Create") {
    MqttOptions o;
    o.client_id = "too-many";
    o.brokers = {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
    auto c = MqttClient::Create(o);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("too-many") != std::string::npos);
  }
}
}  // namespace tern
