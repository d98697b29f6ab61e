// mqtt.brokers parsing, the mqtt.host/mqtt.port conflict check, and the failover rotation.
#include "tern/common/broker_list.h"

#include <doctest/doctest.h>

#include "tern/common/config.h"

namespace tern {
namespace {
ConfigSchema MqttSchema() {
  ConfigSchema s;
  s.program = "test";
  s.keys = {{"mqtt.host", ConfigType::kString, "127.0.0.1", "host"},
            {"mqtt.port", ConfigType::kInt, "1883", "port", 1, 65535},
            {"mqtt.brokers", ConfigType::kString, "", "brokers"}};
  s.checks.push_back(CheckMqttBrokerKeys);
  return s;
}
}  // namespace

TEST_SUITE("broker_list") {
  TEST_CASE("a list of up to three host:port entries parses in order") {
    auto r = ParseBrokerList("gw-a:1883, 10.0.0.2:8883 ,gw-c.site:1", "mqtt.brokers");
    REQUIRE(r.ok());
    REQUIRE(r->size() == 3);
    CHECK((*r)[0] == BrokerAddress{"gw-a", 1883});
    CHECK((*r)[1] == BrokerAddress{"10.0.0.2", 8883});
    CHECK((*r)[2] == BrokerAddress{"gw-c.site", 1});
    CHECK((*r)[1].ToString() == "10.0.0.2:8883");
    auto one = ParseBrokerList("localhost:65535", "mqtt.brokers");
    REQUIRE(one.ok());
    CHECK(one->size() == 1);
  }

  TEST_CASE("bad lists are refused naming the key and the entry") {
    struct Bad {
      const char* text;
      const char* names;
    };
    for (const Bad& b :
         {Bad{"a:1,b:2,c:3,d:4", "'d:4'"}, Bad{"a:1,,b:2", "entry 2"}, Bad{"a:1,", "entry 2"},
          Bad{"", "entry 1"}, Bad{"a:0", "'a:0'"}, Bad{"a:65536", "'a:65536'"}, Bad{"a:x", "'a:x'"},
          Bad{"a", "'a'"}, Bad{":1883", "':1883'"}, Bad{"a:", "'a:'"}, Bad{"a:-1", "'a:-1'"},
          Bad{"a:1,a:1", "twice"}, Bad{"a b:1", "'a b:1'"}, Bad{"::1:1883", "'::1:1883'"}}) {
      CAPTURE(b.text);
      auto r = ParseBrokerList(b.text, "mqtt.brokers");
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message().find("mqtt.brokers") != std::string::npos);
      CHECK(r.status().message().find(b.names) != std::string::npos);
    }
  }

  TEST_CASE("config - mqtt.brokers alone, the single form, and both together") {
    const ConfigSchema s = MqttSchema();
    auto list = Config::Parse(s, "mqtt.brokers = a:1, b:2\n", "f.conf", {});
    REQUIRE(list.ok());
    auto brokers = MqttBrokersFrom(*list);
    REQUIRE(brokers.size() == 2);
    CHECK(brokers[1] == BrokerAddress{"b", 2});

    auto single = Config::Parse(s, "mqtt.host = gw\n", "f.conf", {"mqtt.port=1999"});
    REQUIRE(single.ok());
    auto one = MqttBrokersFrom(*single);
    REQUIRE(one.size() == 1);
    CHECK(one[0] == BrokerAddress{"gw", 1999});

    for (const char* single_key : {"mqtt.host=gw", "mqtt.port=1884"}) {
      CAPTURE(single_key);
      auto both = Config::Parse(s, "mqtt.brokers = a:1\n", "f.conf", {single_key});
      REQUIRE_FALSE(both.ok());
      const std::string m = both.status().message();
      CHECK(m.find("mqtt.brokers") != std::string::npos);
      CHECK(m.find(std::string(single_key).substr(0, 9)) != std::string::npos);
      CHECK(m.find("f.conf:1") != std::string::npos);
    }
    auto bad = Config::Parse(s, "", "f.conf", {"mqtt.brokers=a:1,b:2,c:3,d:4"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message().find("'d:4'") != std::string::npos);
  }

  TEST_CASE("rotation moves after the configured failures in a row, round robin") {
    BrokerRotation r(3, 2);
    CHECK(r.current() == 0);
    CHECK_FALSE(r.Failed());
    CHECK(r.Failed());
    CHECK(r.current() == 1);
    // A connection accepted in between resets the count: one loss does not move.
    CHECK_FALSE(r.Failed());
    r.Connected();
    CHECK_FALSE(r.Failed());
    CHECK(r.current() == 1);
    CHECK(r.Failed());
    CHECK(r.current() == 2);
    CHECK_FALSE(r.Failed());
    CHECK(r.Failed());
    CHECK(r.current() == 0);  // wraps around
  }

  TEST_CASE("rotation with a single broker never moves") {
    BrokerRotation r(1, 2);
    for (int i = 0; i < 10; ++i) CHECK_FALSE(r.Failed());
    CHECK(r.current() == 0);
    BrokerRotation eager(2, 1);
    CHECK(eager.Failed());
    CHECK(eager.current() == 1);
    CHECK(eager.Failed());
    CHECK(eager.current() == 0);
  }
}
}  // namespace tern
