// MQTT client against a real Mosquitto on a loopback port.
#include "tern/common/mqtt.h"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "broker.h"

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
}
}  // namespace tern
