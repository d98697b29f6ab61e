// The outbox bound: with the core away, an edge keeps at most outbox.max_bytes of
// unacknowledged chunks, refuses further normal-priority records with a count and a log
// line (the synthetic source holds them back), and once the core returns everything that
// was taken is delivered: three copies, no gaps.
#include <doctest/doctest.h>

#include <thread>

#include "site.h"

namespace tern::testing {
TEST_SUITE("outbox") {
  TEST_CASE("core away: bounded outbox, refusals counted, nothing taken is lost") {
    Site site(3, {"source.synthetic.rate=20000", "source.synthetic.max_records=60000",
                  "outbox.max_bytes=1M", "chunk.codec=raw"});
    REQUIRE(site.broker().ok());
    REQUIRE(site.StartCore());
    for (int i = 0; i < 3; ++i) REQUIRE(site.StartEdge(i));
    REQUIRE(Site::WaitFor(20, [&] { return site.EdgeAddr(2) != 0; }));
    site.KillCore(9);  // addresses assigned; now the core is gone
    auto refused = [&](int i) { return site.EdgeCounter(i, "records_refused"); };
    REQUIRE(Site::WaitFor(30, [&] { return refused(0) > 0; }));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto st = site.EdgeStatus(0);
    INFO(st.dump());
    // Bound: the limit plus at most one chunk that was sealed as the limit was reached.
    CHECK(st["outbox_bytes"].get<int64_t>() <= (1 << 20) + 256 * 1024);
    CHECK(site.LogOf("edge-0").find("record refused") != std::string::npos);
    REQUIRE(site.StartCore());
    auto r = DrainStopAndCheck(site, 3 * 60000, 120);
    REQUIRE(r.drained);
    INFO(r.check.Report());
    CHECK(r.check.problems.empty());
    CHECK(r.check.records == 3 * 60000);
  }
}
}  // namespace tern::testing
