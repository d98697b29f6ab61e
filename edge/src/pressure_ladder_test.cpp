// The pressure ladder steps at its watermarks, comes down with hysteresis, and admits by
// priority what each level says.
#include "pressure_ladder.h"

#include <doctest/doctest.h>

#include <cmath>

namespace tern::edge {

TEST_SUITE("pressure_ladder") {
  TEST_CASE("each watermark is a step up, reached exactly at its level") {
    PressureLadder l(Watermarks{});
    bool changed = false;
    CHECK(l.Update(0.799, false, &changed) == Pressure::kNormal);
    CHECK_FALSE(changed);
    CHECK(l.Update(0.80, false, &changed) == Pressure::kDemote);
    CHECK(changed);
    CHECK(l.Update(0.899, false) == Pressure::kDemote);
    CHECK(l.Update(0.90, false) == Pressure::kNoBulk);
    CHECK(l.Update(0.95, false) == Pressure::kAlarmsOnly);
    CHECK(l.Update(1.30, false) == Pressure::kAlarmsOnly);  // past capacity
    // A jump from normal straight past two watermarks lands on the highest reached.
    PressureLadder j(Watermarks{});
    CHECK(j.Update(0.93, false) == Pressure::kNoBulk);
  }

  TEST_CASE("a level comes down only below its watermark minus the hysteresis") {
    PressureLadder l(Watermarks{});
    REQUIRE(l.Update(0.96, false) == Pressure::kAlarmsOnly);
    CHECK(l.Update(0.94, false) == Pressure::kAlarmsOnly);  // within 2 % of 95 %
    CHECK(l.Update(0.929, false) == Pressure::kNoBulk);
    CHECK(l.Update(0.50, false) == Pressure::kNormal);
    bool changed = false;
    CHECK(l.Update(0.50, false, &changed) == Pressure::kNormal);
    CHECK_FALSE(changed);
  }

  TEST_CASE("a full disk is alarms only whatever the fill, until a commit succeeds") {
    PressureLadder l(Watermarks{});
    CHECK(l.Update(0.10, true) == Pressure::kAlarmsOnly);
    auto s = l.Admit(Priority::kNormal);
    CHECK(s.code() == Status::Code::kResourceExhausted);
    CHECK(s.message().find("the local disk is full") != std::string::npos);
    CHECK(l.Update(0.10, false) == Pressure::kNormal);
    CHECK(l.Admit(Priority::kBulk).ok());
  }

  TEST_CASE("admission by priority at each level, with the fill in the reason") {
    for (Priority p : {Priority::kAlarm, Priority::kHigh, Priority::kNormal, Priority::kBulk}) {
      CHECK(PressureAdmits(Pressure::kNormal, p));
      CHECK(PressureAdmits(Pressure::kDemote, p));
      CHECK(PressureAdmits(Pressure::kNoBulk, p) == (p != Priority::kBulk));
      CHECK(PressureAdmits(Pressure::kAlarmsOnly, p) == (p == Priority::kAlarm));
    }
    PressureLadder l(Watermarks{0.5, 0.6, 0.7});
    REQUIRE(l.Update(0.65, false) == Pressure::kNoBulk);
    auto s = l.Admit(Priority::kBulk);
    CHECK(s.message() == "the store is 65.0 % full (pressure no_bulk): bulk data is refused");
    CHECK(l.Admit(Priority::kNormal).ok());
    CHECK(l.Update(std::nan(""), false) == Pressure::kNormal);  // a bad reading is no fill
  }
}

}  // namespace tern::edge
