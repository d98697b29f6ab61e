// FakeBroker/FakeTransport behave like the parts of MQTT tern relies on: filters, retained
// messages, Last Will, disconnects, duplicates and reordering.
#include "fake_transport.h"

#include <doctest/doctest.h>

namespace tern::testing {
TEST_SUITE("fake_transport") {
  TEST_CASE("topic filters match like MQTT") {
    CHECK(TopicMatches("a/+/c", "a/b/c"));
    CHECK_FALSE(TopicMatches("a/+/c", "a/b/d"));
    CHECK(TopicMatches("a/#", "a/b/c"));
    CHECK(TopicMatches("a/#", "a"));
    CHECK(TopicMatches("#", "x/y"));
    CHECK_FALSE(TopicMatches("a/+", "a/b/c"));
    CHECK_FALSE(TopicMatches("a/b", "a"));
    CHECK(TopicMatches("tern/reg/+", "tern/reg/x"));
    CHECK_FALSE(TopicMatches("tern/reg/+", "tern/reg/x/reply"));
  }

  TEST_CASE("routes, retains, duplicates, disconnects and fires the Last Will") {
    auto broker = FakeBroker::Create();
    auto make = broker->Factory();
    MqttOptions oa;
    oa.client_id = "a";
    oa.will_topic = "hb/a";
    oa.will_payload = "gone";
    auto a = make(oa);
    MqttOptions ob;
    ob.client_id = "b";
    auto b = make(ob);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    std::vector<std::string> got_b;
    int b_connects = 0;
    (*b)->OnMessage([&](const std::string& t, std::string_view p) {
      got_b.push_back(t + "=" + std::string(p));
    });
    (*b)->OnConnect([&](bool up) { b_connects += up ? 1 : 0; });
    CHECK_FALSE((*a)->Publish("x", "early").ok());  // not started: not connected
    REQUIRE((*a)->Start().ok());
    REQUIRE((*a)->Publish("members", "m1", 1, true).ok());
    REQUIRE((*b)->Subscribe("members").ok());
    REQUIRE((*b)->Subscribe("hb/+").ok());
    REQUIRE((*b)->Start().ok());
    broker->DeliverAll();
    CHECK(b_connects == 1);
    CHECK(got_b == std::vector<std::string>{"members=m1"});  // retained, delivered on connect
    broker->SetDuplicate(true);
    REQUIRE((*a)->Publish("hb/a", "alive").ok());
    broker->DeliverAll();
    CHECK(got_b.size() == 3);
    broker->SetDuplicate(false);
    broker->Disconnect("a");
    CHECK_FALSE((*a)->Publish("hb/a", "x").ok());
    broker->DeliverAll();
    CHECK(got_b.back() == "hb/a=gone");
    broker->Reconnect("a");
    CHECK((*a)->Publish("hb/a", "back").ok());
    broker->DeliverAll();
    CHECK(got_b.back() == "hb/a=back");
    CHECK(broker->PublishedOn("hb/+").size() == 3);  // alive, the Last Will, back
  }
}
}  // namespace tern::testing
