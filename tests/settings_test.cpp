// Per-edge settings through the real CLI and real processes: a change takes effect without
// a restart, a permission violation is refused with a counted reason, an edge over its byte
// rate is throttled, and bad settings are refused naming the field.
#include <doctest/doctest.h>

#include "ctl_run.h"
#include "site.h"

namespace tern::testing {

TEST_SUITE("settings") {
  TEST_CASE("edge settings change live and permissions and rate limits are enforced") {
    Site site(3, {"source.synthetic.rate=3000"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.EdgeCounter(0, "grade_core") > 5; }));

    // Bad values are refused, naming the setting, and change nothing.
    auto bad = Ctl(site, {"edge", "set", "edge-0", "--weight", "0"});
    CHECK(bad.code == 2);
    CHECK(bad.out.find("'weight'") != std::string::npos);
    bad = Ctl(site, {"edge", "set", "edge-0", "--kinds", "samples,video"});
    CHECK(bad.code == 2);
    CHECK(bad.out.find("'kinds'") != std::string::npos);

    // edge-0 may no longer send samples: refused at the source, counted, logged.
    auto ok = Ctl(site, {"edge", "set", "edge-0", "--kinds", "event"});
    REQUIRE(ok.code == 0);
    CHECK(Site::WaitFor(15, [&] { return site.EdgeCounter(0, "records_refused_permission") > 100; }));
    CHECK(site.EdgeStatus(0)["settings"].value("kinds", "") == "event");
    CHECK(site.LogOf("edge-0").find("not permitted") != std::string::npos);
    auto shown = Ctl(site, {"edge", "show", "edge-0", "--json"});
    REQUIRE(shown.code == 0);
    CHECK(nlohmann::json::parse(shown.out)["settings"]["kinds"] == nlohmann::json::array({"event"}));

    // Allowed again: records flow again without a restart.
    REQUIRE(Ctl(site, {"edge", "set", "edge-0", "--kinds", "samples,event"}).code == 0);
    int64_t before = site.EdgeCounter(0, "records_local");
    CHECK(Site::WaitFor(15, [&] { return site.EdgeCounter(0, "records_local") > before + 3000; }));

    // edge-1 over a tiny byte rate: the core throttles it and says so.
    REQUIRE(Ctl(site, {"edge", "set", "edge-1", "--rate", "20K", "--weight", "5", "--priority", "high"}).code == 0);
    CHECK(Site::WaitFor(20, [&] { return site.CoreCounter("throttled") > 0; }));
    CHECK(Site::WaitFor(20, [&] { return site.EdgeCounter(1, "uplinks_throttled") > 0; }));
    CHECK(site.LogOf("core").find("throttling edge-1") != std::string::npos);
    CHECK(site.CoreCounter("settings_sent") >= 3);
    REQUIRE(site.CoreRunning());
    for (int i = 0; i < 3; ++i) CHECK(site.EdgeRunning(i));
  }
}
}  // namespace tern::testing
