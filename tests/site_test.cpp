// Whole-site data path with real processes: 4 edges, 100,000 records.
#include <doctest/doctest.h>

#include "ctl_run.h"
#include "site.h"

namespace tern::testing {
namespace {
std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "\n  " + s;
  return out;
}
}  // namespace

TEST_SUITE("site") {
  TEST_CASE("4 edges, 100000 records: three copies each, manifest equals stores, no loss") {
    Site site(4, {"source.synthetic.rate=10000", "source.synthetic.max_records=25000"});
    REQUIRE(site.StartAll());
    bool drained = Site::WaitFor(90, [&] { return site.Settled(100000); });
    // The operator's view, over the HTTP API while the site still runs: ternctl verify
    // --json prints one clean JSON object made from the stores' own block reports.
    CtlRun verify = drained ? Ctl(site, {"verify", "--json"}) : CtlRun{-1, ""};
    site.StopAll();
    INFO("core log:\n" << site.LogOf("core"));
    REQUIRE(drained);
    SiteCheck c = CheckSite(site);
    INFO("problems:" << Join(c.problems));
    CHECK(c.problems.empty());
    CHECK(c.records == 100000);
    CHECK(c.records_per_source.size() == 4);
    for (const auto& [src, n] : c.records_per_source) CHECK(n == 25000);
    // Every chunk the core acknowledged is among them (the checks above cover its copies).
    std::set<ChunkId> acked;
    auto manifest = site.ReadManifest(&acked);
    CHECK(static_cast<int64_t>(acked.size()) == c.chunks);
    CHECK(static_cast<int64_t>(manifest.size()) == c.chunks + c.result_chunks);
    CHECK(c.result_chunks > 0);  // statistics windows of every source
    // The operator's view agrees (asked above, before the stop).
    INFO("ternctl verify: " << verify.out);
    CHECK(verify.code == 0);
    auto v = nlohmann::json::parse(verify.out, nullptr, false);
    REQUIRE_FALSE(v.is_discarded());
    CHECK(v["ok"] == true);
    CHECK(v["chunks"] == c.chunks + c.result_chunks);
    CHECK(v["missing"] == 0);
    CHECK(v["under_replicated"] == 0);
    CHECK(v["extra"] == 0);
    CHECK(v["corrupt"] == 0);
  }
}
}  // namespace tern::testing
