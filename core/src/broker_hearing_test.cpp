#include "broker_hearing.h"

#include <doctest/doctest.h>

namespace tern::core {

TEST_SUITE("broker_hearing") {
  TEST_CASE("deaf until an echo comes back, deaf again when echoes stop, regained once") {
    Metrics m;
    BrokerHearing h(1000, &m);
    CHECK(h.interval_ms() == 250);
    CHECK(h.Check(10) == BrokerHearing::Hearing::kDeaf);  // nothing heard yet
    auto e1 = h.EchoDue(100);
    REQUIRE(e1);
    CHECK_FALSE(h.EchoDue(200));  // not due again before the interval
    h.OnEcho(*e1, 105);
    CHECK(h.Check(110) == BrokerHearing::Hearing::kRegained);
    CHECK(h.heard());
    CHECK(h.Check(600) == BrokerHearing::Hearing::kHeard);
    // The broker stalls: echoes go out, none come back.
    REQUIRE(h.EchoDue(400));
    REQUIRE(h.EchoDue(700));
    CHECK(h.Check(1100) == BrokerHearing::Hearing::kHeard);  // the one sent at 100 is 1000 old
    CHECK(h.Check(1101) == BrokerHearing::Hearing::kDeaf);
    CHECK(m.Get("broker_silences") == 1);
    CHECK_FALSE(h.heard());
    CHECK(h.Check(5000) == BrokerHearing::Hearing::kDeaf);
    CHECK(m.Get("broker_silences") == 1);  // one gap, counted once
    // The broker resumes and hands back its backlog first: stale echoes are not hearing.
    auto e4 = h.EchoDue(5000);
    REQUIRE(e4);
    h.OnEcho("400", 5001);
    h.OnEcho("700", 5001);
    CHECK(h.Check(5002) == BrokerHearing::Hearing::kDeaf);
    h.OnEcho(*e4, 5003);
    CHECK(h.Check(5004) == BrokerHearing::Hearing::kRegained);
    CHECK(h.Check(5005) == BrokerHearing::Hearing::kHeard);
  }

  TEST_CASE("an echo the core did not send is rejected and counted") {
    Metrics m;
    BrokerHearing h(400, &m);
    auto e = h.EchoDue(1000);
    REQUIRE(e);
    h.OnEcho("999999", 1001);  // from the future
    h.OnEcho("abc", 1001);
    h.OnEcho("", 1001);
    h.OnEcho("1000 ", 1001);
    CHECK(m.Get("rejected_echo") == 4);
    CHECK(h.Check(1002) == BrokerHearing::Hearing::kDeaf);
    h.OnEcho(*e, 1002);
    h.OnEcho(*e, 1003);  // a duplicate changes nothing
    CHECK(m.Get("rejected_echo") == 4);
    CHECK(h.Check(1004) == BrokerHearing::Hearing::kRegained);
  }
}

}  // namespace tern::core
