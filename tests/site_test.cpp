// Whole-site data path with real processes: 4 edges, 100,000 records.
#include <doctest/doctest.h>

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
    // The operator's view agrees: ternctl verify --json prints one clean JSON object.
    Process ctl;
    std::string out = site.dir() + "/verify.json";
    REQUIRE(ctl.Start({TERNCTL_BIN, "--core-db", site.CoreDir() + "/core.db", "verify", "--json"}, out));
    CHECK(ctl.Wait(std::chrono::seconds(60)) == 0);
    auto v = nlohmann::json::parse(ReadFile(out), nullptr, false);
    REQUIRE_FALSE(v.is_discarded());
    CHECK(v["chunks"] == c.chunks + c.result_chunks);
    CHECK(v["missing"] == 0);
    CHECK(v["under_replicated"] == 0);
    CHECK(v["extra"] == 0);
    CHECK(v["corrupt"] == 0);
  }
}
}  // namespace tern::testing
