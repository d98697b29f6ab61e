// Identity and sequence safety with real processes (issue 9, item 7): an edge killed and
// restarted on an empty data directory (pki: its certificate lets it back in with a new
// store) starts its source above the core's marks, so no (origin, source, seq) is acked twice;
// the core counts and logs the store that came back empty.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "site.h"
#include "tern/core/manifest.h"

namespace tern::testing {
namespace {
// Acked chunks of `origin` per (source, seq), read from core.db through its own API.
std::map<std::pair<std::string, uint64_t>, int> AckedBySeq(const Site& site, uint32_t origin) {
  std::map<std::pair<std::string, uint64_t>, int> out;
  auto m = core::Manifest::Open(site.CoreDir() + "/core.db", /*read_only=*/true);
  if (!m.ok()) return out;
  auto all = (*m)->All();
  if (!all.ok()) return out;
  for (const auto& c : *all) {
    if (c.origin == origin && c.acked) ++out[{c.source, c.seq}];
  }
  return out;
}
int64_t Total(const std::map<std::pair<std::string, uint64_t>, int>& m) {
  int64_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}
}  // namespace

TEST_SUITE("seq_safety") {
  TEST_CASE("an edge restarted on an empty data directory reuses no acked (source, seq)") {
    Site site(4, {"source.synthetic.rate=2000", "replication.timeout=1s", "uplink.timeout=2s"}, {},
              BrokerMode::kPki);
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeAddr(0) != 0; }));
    const uint32_t addr = site.EdgeAddr(0);
    REQUIRE(Site::WaitFor(90, [&] { return Total(AckedBySeq(site, addr)) >= 30; }));

    site.KillEdge(0, 9);
    std::error_code ec;
    std::filesystem::remove_all(site.EdgeDir(0), ec);
    REQUIRE_FALSE(ec);
    const int64_t before = Total(AckedBySeq(site, addr));
    REQUIRE(site.StartEdge(0));
    // The core tells the operator, and the edge's new chunks are acked again.
    CHECK(Site::WaitFor(60, [&] { return site.CoreCounter("stores_returned_empty") == 1; }));
    REQUIRE(Site::WaitFor(90, [&] { return Total(AckedBySeq(site, addr)) >= before + 30; }));
    site.StopAll();

    auto acked = AckedBySeq(site, addr);
    std::vector<std::string> twice;
    for (const auto& [k, n] : acked) {
      if (n > 1) twice.push_back(k.first + "/" + std::to_string(k.second));
    }
    INFO("(source, seq) acked more than once: " << twice.size());
    CHECK(twice.empty());
    CHECK(site.EdgeAddr(0) == addr);  // the same node, with its permanent address
    const std::string core_log = site.LogOf("core");
    CHECK(core_log.find("came back with an empty store") != std::string::npos);
    CHECK(site.LogOf("edge-0").find("the core has seen source") != std::string::npos);
    CHECK(site.CoreCounter("refused_seq_reuse") == 0);  // started above the marks: none reused
    MESSAGE("acked from the edge: " << before << " before the wipe, " << Total(acked)
                                    << " at the end");
  }
}
}  // namespace tern::testing
