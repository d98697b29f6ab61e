// Analysis at the holders (issue 12, item 2) with real processes: three edges run a two-channel
// synthetic rig each in placement group "rig" (six channels in all), two more edges only
// store. Once every store is live, a job over the group's windows (`ternctl analysis run`)
// must run every window at a store that holds all of it, read no chunk byte at the core,
// spread the windows over the holders and leave result chunks with lineage to every chunk
// of their window; the same job at the core must give bit-identical outputs (and so the same
// result chunks). Bad parameters are refused with exit 2; a group without data is no error.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>
#include <vector>

#include "ctl_run.h"
#include "site.h"
#include "tern/common/bytes.h"
#include "tern/common/hlc.h"
#include "tern/core/manifest.h"

namespace tern::testing {

namespace {

constexpr int kEdges = 5;
constexpr int kRigs = 3;
constexpr int64_t kRecords = 15000;  // per rig: 30 s at 500 records/s

bool AllLive(const Site& site, int n) {
  auto s = site.CoreStatus();
  if (!s.contains("nodes") || !s["nodes"].is_array()) return false;
  int live = 0;
  for (const auto& node : s["nodes"]) live += node.value("state", "") == "live";
  return live >= n;
}

// `ternctl analysis run ... --json`, parsed ({} if it did not print one object).
nlohmann::json Run(const Site& site, std::vector<std::string> extra, int* code) {
  std::vector<std::string> args = {"analysis", "run", "--group", "rig", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = Ctl(site, args);
  *code = r.code;
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() || !j.is_object() ? nlohmann::json::object() : j;
}

}  // namespace

TEST_SUITE("holder_analysis") {
  TEST_CASE("a group's windows are analysed at their holders, as the core would") {
    Site site(
        kEdges,
        {"source.synthetic.channels=2", "source.synthetic.rate=500",
         "source.synthetic.max_records=" + std::to_string(kRecords), "placement.window=2s",
         "replication.timeout=2s", "uplink.timeout=3s"},
        {"membership.suspect_after=8s", "membership.dead_after=30s", "processor.msmve.window=0"});
    REQUIRE(site.StartCore());
    for (int i = 0; i < kEdges; ++i) {
      std::vector<std::string> extra = {"source.synthetic.group=rig"};
      if (i >= kRigs) extra = {"source.synthetic.enabled=false"};
      REQUIRE(site.StartEdgeWith(i, extra));
    }
    REQUIRE(Site::WaitFor(60, [&] { return AllLive(site, kEdges); }));
    // Windows that begin once every store is live (earlier ones may rightly be split).
    const uint64_t from = WallMs() + 2500, to = from + 9000;
    REQUIRE(Site::WaitFor(180, [&] { return site.Settled(kRecords * kRigs); }));

    int code = -1;
    const std::vector<std::string> range = {"--from",           std::to_string(from), "--to",
                                            std::to_string(to), "--msmve-rows",       "512"};
    nlohmann::json held = Run(site, range, &code);
    INFO("job: " << held.dump().substr(0, 2000) << "\ncore log:\n" << site.LogTail("core", 20));
    REQUIRE(code == 0);
    const int64_t windows = held.value("windows", 0);
    CHECK(windows >= 4);
    CHECK(held.value("at_holders", -1) == windows);
    CHECK(held.value("at_core", -1) == 0);
    CHECK(held.value("failed", -1) == 0);
    CHECK(held.value("bytes_fetched", -1) == 0);
    // The work is spread over more than one holder, and only stores ran it.
    const auto by_node = held.value("by_node", nlohmann::json::object());
    CHECK(by_node.size() >= 2);
    std::set<std::string> edge_names;
    for (int i = 0; i < kEdges; ++i) edge_names.insert(site.EdgeStatus(i).value("name", ""));
    for (const auto& it : by_node.items()) CHECK_MESSAGE(edge_names.count(it.key()), it.key());
    // The stores say the same in their own counters (at their next heartbeat).
    CHECK(Site::WaitFor(30, [&] {
      int64_t tasks = 0;
      for (int i = 0; i < kEdges; ++i) tasks += site.EdgeCounter(i, "analysis_tasks");
      return tasks == windows;
    }));
    // Six channels: three rigs of two.
    const auto merged = held["merged"]["stats"];
    REQUIRE(merged.is_object());
    CHECK(merged["channels"].size() == 6);
    CHECK(merged.value("rows", 0) > 0);

    // One result chunk per window and processor, with lineage to every chunk of its window.
    const auto results = held.value("results", nlohmann::json::array());
    CHECK(static_cast<int64_t>(results.size()) == windows * 3);
    {
      auto m = core::Manifest::Open(site.CoreDir() + "/core.db", /*read_only=*/true);
      REQUIRE(m.ok());
      auto id = FromHex(results.at(0).get<std::string>());
      REQUIRE(id.ok());
      auto sources = (*m)->SourcesOf(ChunkId(*id));
      REQUIRE(sources.ok());
      CHECK(sources->size() == held["window_outputs"][0].value("chunks", size_t{0}));
    }

    // The same job at the core: the same outputs, bit for bit, and the same result chunks.
    nlohmann::json core_run = Run(site,
                                  {"--from", std::to_string(from), "--to", std::to_string(to),
                                   "--msmve-rows", "512", "--at", "core"},
                                  &code);
    REQUIRE(code == 0);
    CHECK(core_run.value("at_core", -1) == windows);
    CHECK(core_run.value("bytes_fetched", 0) > 0);
    const auto a = held["window_outputs"], b = core_run["window_outputs"];
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i]["window"] == b[i]["window"]);
      CHECK_MESSAGE(a[i]["output"].dump() == b[i]["output"].dump(), "window " << i);
    }
    std::set<std::string> ids_a, ids_b;
    for (const auto& r : results) ids_a.insert(r.get<std::string>());
    for (const auto& r : core_run.value("results", nlohmann::json::array()))
      ids_b.insert(r.get<std::string>());
    CHECK(ids_a == ids_b);

    // Bad parameters: exit 2, naming the key; a group without data: no windows, no error.
    auto bad = Ctl(site, {"analysis", "run", "--group", "rig", "--msmve-scales", "0"});
    CHECK(bad.code == 2);
    CHECK(bad.out.find("msmve_scales") != std::string::npos);
    nlohmann::json none = Run(site, {}, &code);
    CHECK(code == 0);
    CHECK(none.value("windows", -1) > 0);  // the whole group, every time
    auto empty = Ctl(site, {"analysis", "run", "--group", "nosuch", "--json"});
    CHECK(empty.code == 0);
    CHECK(empty.out.find("\"windows\":0") != std::string::npos);
    site.StopAll();
  }
}

}  // namespace tern::testing
