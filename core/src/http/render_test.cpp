// Unit tests of the HTTP API's pure helpers: time and integer parameters, metric-name
// sanitising, label escaping and the text exposition of a status document.
#include "render.h"

#include <doctest/doctest.h>

#include "prom_parse.h"

namespace tern::core::http {
TEST_SUITE("http render") {
  TEST_CASE("times parse as HLC stamps, wall ms or ISO-8601 UTC") {
    uint64_t hlc = (uint64_t{1700000000000} << 16) | 7;
    CHECK(ParseTime("from", std::to_string(hlc), false).value() == hlc);
    CHECK(ParseTime("from", "1700000000000", false).value() == uint64_t{1700000000000} << 16);
    CHECK(ParseTime("to", "1700000000000", true).value() ==
          ((uint64_t{1700000000000} << 16) | 0xFFFF));
    // 2026-11-21T10:00:00Z = 1795255200 s.
    CHECK(ParseTime("from", "2026-11-21T10:00:00Z", false).value() == uint64_t{1795255200000}
                                                                          << 16);
    CHECK(ParseTime("from", "2026-11-21T10:00:00.250Z", false).value() == uint64_t{1795255200250}
                                                                              << 16);
    CHECK(ParseTime("from", "2026-11-21", false).value() == uint64_t{1795219200000} << 16);
    auto bad = ParseTime("from", "yesterday", false);
    REQUIRE(!bad.ok());
    CHECK(bad.status().message().rfind("from:", 0) == 0);
    CHECK(!ParseTime("to", "2026-13-01", true).ok());
    CHECK(!ParseTime("to", "", true).ok());
    CHECK(!ParseTime("to", "-5", true).ok());
  }

  TEST_CASE("integers are bounded and errors name the parameter") {
    CHECK(ParseInt("limit", "10", 1, 100).value() == 10);
    auto big = ParseInt("limit", "101", 1, 100);
    REQUIRE(!big.ok());
    CHECK(big.status().message().find("limit") == 0);
    CHECK(!ParseInt("limit", "0", 1, 100).ok());
    CHECK(!ParseInt("limit", "1x", 1, 100).ok());
    CHECK(!ParseInt("limit", "", 1, 100).ok());
    CHECK(!ParseInt("limit", "99999999999999999999999", 1, 100).ok());
  }

  TEST_CASE("metric names are sanitised and label values escaped") {
    CHECK(PromName("up.rejected") == "up_rejected");
    CHECK(PromName("9lives") == "_9lives");
    CHECK(PromName("a-b c/d\xc3\xa9") == "a_b_c_d__");
    CHECK(PromLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  }

  TEST_CASE("a status document becomes a parseable exposition") {
    nlohmann::json st = {
        {"counters", {{"up.chunks", 5}, {"stored_total", 2}, {"nested", {{"x", 1}}}}},
        {"spool_depth", 3},
        {"manifest_chunks", 10},
        {"nodes",
         {{{"addr", 1},
           {"name", "edge \"a\"\\\n"},
           {"state", "live"},
           {"load", 0.25},
           {"counters", {{"hb.sent", 7}, {"text", "not a number"}, {"ok", true}}}},
          {{"addr", 2}, {"name", "edge-b"}, {"state", "dead"}, {"load", 0.5}, {"counters", {}}}}}};
    std::string text = MetricsText(st);
    auto e = testing::ParseExposition(text);
    CHECK(e.errors.empty());
    CHECK(e.Find("tern_core_up_chunks_total") == "5");
    CHECK(e.Find("tern_core_stored_total") == "2");  // "_total" is not doubled
    CHECK(e.Find("tern_core_nested_x_total") == "1");
    CHECK(e.types["tern_core_up_chunks_total"] == "counter");
    CHECK(e.Find("tern_core_spool_depth") == "3");
    CHECK(e.types["tern_core_spool_depth"] == "gauge");
    CHECK(e.Find("tern_core_manifest_chunks") == "10");
    std::map<std::string, std::string> a = {{"node", "edge \"a\"\\\n"}, {"addr", "1"}};
    std::map<std::string, std::string> b = {{"node", "edge-b"}, {"addr", "2"}};
    CHECK(e.Find("tern_node_up", a) == "1");
    CHECK(e.Find("tern_node_up", b) == "0");
    CHECK(e.Find("tern_node_load", a) == "0.25");
    CHECK(e.Find("tern_edge_hb_sent_total", a) == "7");
    CHECK(e.Find("tern_edge_ok_total", a) == "1");
    CHECK(!e.Find("tern_edge_text_total", a));
    CHECK(e.helps.count("tern_node_up") == 1);
    // Every family's samples are contiguous and announced once.
    int types = 0;
    for (size_t p = text.find("# TYPE tern_node_up "); p != std::string::npos;
         p = text.find("# TYPE tern_node_up ", p + 1)) {
      ++types;
    }
    CHECK(types == 1);
  }

  TEST_CASE("missing or malformed status fields are skipped") {
    CHECK(MetricsText(nlohmann::json()).empty());
    auto e = testing::ParseExposition(
        MetricsText({{"counters", "x"}, {"spool_depth", -1}, {"nodes", {1, {{"name", 3}}}}}));
    CHECK(e.errors.empty());
    CHECK(!e.Find("tern_core_spool_depth"));
    CHECK(e.Find("tern_node_up", {{"node", ""}, {"addr", ""}}) == "0");
  }
}
}  // namespace tern::core::http
