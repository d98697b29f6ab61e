#include "reliable_publisher.h"

#include <doctest/doctest.h>

#include <vector>

#include "fake_transport.h"

namespace tern::edge {
TEST_SUITE("reliable_publisher") {
  TEST_CASE("a failed publish is retried until it goes out, or given up after the last try") {
    auto broker = testing::FakeBroker::Create();
    MqttOptions mo;
    mo.client_id = "edge";
    auto t = broker->Factory()(mo).value();
    std::vector<std::pair<uint64_t, std::function<void()>>> scheduled;
    Metrics m;
    ReliablePublisher pub(
        t.get(), [&](uint64_t ms, std::function<void()> f) { scheduled.emplace_back(ms, f); }, &m,
        "test", /*max_attempts=*/2, /*retry_ms=*/500);

    pub.Deliver("tern/stored/e", "one");  // not connected yet
    CHECK(m.Get("publish_retries") == 1);
    REQUIRE(scheduled.size() == 1);
    CHECK(scheduled[0].first == 500);
    REQUIRE(t->Start().ok());
    auto retry = scheduled[0].second;
    scheduled.clear();
    retry();
    CHECK(scheduled.empty());
    CHECK(broker->PublishedOn("tern/stored/e").size() == 1);

    broker->Disconnect("edge");
    pub.Deliver("tern/stored/e", "two");
    for (int i = 0; i < 5 && !scheduled.empty(); ++i) {
      auto f = scheduled.back().second;
      scheduled.pop_back();
      f();
    }
    CHECK(m.Get("publish_retries") == 4);  // one, then two three times
    CHECK(m.Get("publish_gave_up") == 1);
    CHECK(scheduled.empty());
  }
}
}  // namespace tern::edge
