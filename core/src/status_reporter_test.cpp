#include "status_reporter.h"

#include <doctest/doctest.h>

#include <fstream>

#include "process.h"

namespace tern::core {

TEST_SUITE("status_reporter") {
  TEST_CASE("the status is composed from the facts, kept, and written atomically") {
    ::tern::testing::TempDir dir;
    Metrics m;
    m.Add("acks", 4);
    StatusReporter r(dir / "status.json", &m);
    CHECK(r.Json().is_null());
    StatusFacts f;
    f.name = "core";
    f.addr = 1;
    f.spool_depth = 2;
    f.live_mask = 0b101;
    f.edge_down = true;
    f.nodes = nlohmann::json::array({{{"addr", 2}}});
    r.Report(f);
    auto j = r.Json();
    CHECK(j["counters"]["acks"] == 4);
    CHECK(j["spool_depth"] == 2);
    CHECK(j["manifest_chunks"] == -1);
    CHECK_FALSE(j.contains("board"));
    CHECK(r.live_mask() == 0b101);
    CHECK(r.edge_down());
    std::ifstream in(dir / "status.json");
    CHECK(nlohmann::json::parse(in) == j);
  }
}
}  // namespace tern::core
