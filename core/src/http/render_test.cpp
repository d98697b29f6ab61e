// Unit tests of the HTTP API's pure helpers: time and integer parameters, metric-name
// sanitising, label escaping and the text exposition of a status document.
#include "render.h"

#include <doctest/doctest.h>

#include "exposition.h"
#include "prom_parse.h"
#include "query.h"

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

  TEST_CASE("the read cache's counters give its gauges and hit ratio") {
    auto e = testing::ParseExposition(MetricsText(
        {{"counters",
          {{"cache_hits", 3}, {"cache_misses", 1}, {"cache_bytes", 4096}, {"cache_entries", 2}}}}));
    CHECK(e.errors.empty());
    CHECK(e.Find("tern_core_cache_hits_total") == "3");
    CHECK(e.Find("tern_core_cache_bytes") == "4096");
    CHECK(e.types["tern_core_cache_bytes"] == "gauge");
    CHECK(e.Find("tern_core_cache_entries") == "2");
    CHECK(e.Find("tern_core_cache_hit_ratio") == "0.75");
    auto none = testing::ParseExposition(
        MetricsText({{"counters", {{"cache_hits", 0}, {"cache_misses", 0}}}}));
    CHECK(none.Find("tern_core_cache_hit_ratio") == "0");
  }

  TEST_CASE("missing or malformed status fields are skipped") {
    // A null document gives only the build's identity.
    auto empty = testing::ParseExposition(MetricsText(nlohmann::json()));
    CHECK(empty.errors.empty());
    CHECK(empty.samples.size() == 1);
    CHECK(empty.samples.at(0).name == "tern_build_info");
    auto e = testing::ParseExposition(
        MetricsText({{"counters", "x"}, {"spool_depth", -1}, {"nodes", {1, {{"name", 3}}}}}));
    CHECK(e.errors.empty());
    CHECK(!e.Find("tern_core_spool_depth"));
    CHECK(e.Find("tern_node_up", {{"node", ""}, {"addr", ""}}) == "0");
  }

  TEST_CASE("ack latency counters become one histogram family in seconds") {
    nlohmann::json counters = {{"ack_ms_core_le_1", 0},   {"ack_ms_core_le_10", 2},
                               {"ack_ms_core_le_100", 3}, {"ack_ms_core_le_inf", 4},
                               {"ack_ms_core_sum", 1500}, {"ack_ms_core_count", 4},
                               {"ack_ms_bogus_le_x", 9},  {"grade_core", 4}};
    nlohmann::json st = {
        {"nodes", {{{"addr", 3}, {"name", "e"}, {"state", "live"}, {"counters", counters}}}}};
    auto e = testing::ParseExposition(MetricsText(st));
    CHECK(e.errors.empty());
    std::map<std::string, std::string> core = {{"node", "e"}, {"addr", "3"}, {"grade", "core"}};
    auto le = [&](const char* b) {
      auto l = core;
      l["le"] = b;
      return e.Find("tern_edge_ack_latency_seconds_bucket", l);
    };
    CHECK(le("0.001") == "0");
    CHECK(le("0.01") == "2");
    CHECK(le("0.1") == "3");
    CHECK(le("+Inf") == "4");
    CHECK(e.Find("tern_edge_ack_latency_seconds_sum", core) == "1.5");
    CHECK(e.Find("tern_edge_ack_latency_seconds_count", core) == "4");
    CHECK(e.types["tern_edge_ack_latency_seconds"] == "histogram");
    // Never also as counters, and a histogram without count/+Inf is not emitted.
    for (const auto& s : e.samples) {
      INFO(s.name);
      CHECK(s.name.find("ack_ms") == std::string::npos);
      if (s.labels.count("grade")) CHECK(s.labels.at("grade") == "core");
    }
    CHECK(e.Find("tern_edge_grade_core_total", {{"node", "e"}, {"addr", "3"}}) == "4");
  }

  TEST_CASE("node state keeps one series per state and registered nodes read dead") {
    nlohmann::json st = {
        {"nodes",
         {{{"addr", 2},
           {"name", "a"},
           {"state", "suspect"},
           {"outbox_chunks", 5},
           {"outbox_bytes", 4096},
           {"used", 100},
           {"capacity", 1000},
           {"draining", false},
           {"dedup_saved_bytes", 3000},
           {"counters",
            {{"outbox_max_bytes", 8192}, {"disk_full", 0}, {"store_dedup_saved_bytes", 3000}}}}}}};
    nlohmann::json registry = {{{"addr", 2}, {"name", "a"}}, {{"addr", 7}, {"name", "gone"}}};
    auto e = testing::ParseExposition(MetricsText(st, nullptr, registry));
    CHECK(e.errors.empty());
    auto state = [&](const char* node, const char* addr, const char* s) {
      return e.Find("tern_node_state", {{"node", node}, {"addr", addr}, {"state", s}});
    };
    CHECK(state("a", "2", "suspect") == "1");
    CHECK(state("a", "2", "live") == "0");
    CHECK(state("a", "2", "dead") == "0");
    CHECK(state("gone", "7", "dead") == "1");
    CHECK(state("gone", "7", "live") == "0");
    CHECK(e.Find("tern_node_up", {{"node", "gone"}, {"addr", "7"}}) == "0");
    std::map<std::string, std::string> a = {{"node", "a"}, {"addr", "2"}};
    CHECK(e.Find("tern_edge_outbox_chunks", a) == "5");
    CHECK(e.Find("tern_edge_outbox_bytes", a) == "4096");
    CHECK(e.Find("tern_edge_outbox_max_bytes", a) == "8192");
    CHECK(e.Find("tern_edge_store_used_bytes", a) == "100");
    CHECK(e.Find("tern_edge_store_capacity_bytes", a) == "1000");
    CHECK(e.Find("tern_edge_disk_full", a) == "0");
    CHECK(e.types["tern_edge_disk_full"] == "gauge");
    CHECK(!e.Find("tern_edge_outbox_max_bytes_total", a));
    CHECK(e.Find("tern_store_dedup_saved_bytes", a) == "3000");
    CHECK(e.types["tern_store_dedup_saved_bytes"] == "gauge");
    CHECK(e.Find("tern_site_dedup_saved_bytes", {}) == "3000");  // one node says it
  }

  TEST_CASE("scheduler, board and build series") {
    nlohmann::json sched = {
        {"edges",
         {{{"edge", 2},
           {"classes",
            {{"alarm", {{"depth", 2}, {"oldest_age_ms", 1500}}},
             {"bulk", {{"depth", 0}, {"oldest_age_ms", 99999}}}}}},
          {{"edge", 3}, {"classes", {{"alarm", {{"depth", 1}, {"oldest_age_ms", 4000}}}}}}}}};
    nlohmann::json st = {{"board",
                          {{"temp_c", 41.5},
                           {"over_temp", true},
                           {"fan_duty", 200},
                           {"relays", 2},
                           {"alarms_unacknowledged", 3},
                           {"safe", "running"}}}};
    auto e = testing::ParseExposition(MetricsText(st, sched, nullptr));
    CHECK(e.errors.empty());
    CHECK(e.Find("tern_core_scheduler_queue_depth", {{"class", "alarm"}}) == "3");
    CHECK(e.Find("tern_core_scheduler_queue_depth", {{"class", "bulk"}}) == "0");
    CHECK(e.Find("tern_core_scheduler_queue_depth", {{"class", "normal"}}) == "0");
    CHECK(e.Find("tern_core_scheduler_oldest_age_seconds", {{"class", "alarm"}}) == "4");
    CHECK(e.Find("tern_core_scheduler_oldest_age_seconds", {{"class", "bulk"}}) == "0");
    CHECK(e.Find("tern_board_temperature_celsius") == "41.5");
    CHECK(e.Find("tern_board_over_temperature") == "1");
    CHECK(e.Find("tern_board_fan_duty", {{"fan", "processing"}}) == "200");
    CHECK(e.Find("tern_board_relay", {{"relay", "edge_down"}}) == "0");
    CHECK(e.Find("tern_board_relay", {{"relay", "alarm"}}) == "1");
    CHECK(e.Find("tern_board_alarms_unacknowledged") == "3");
    CHECK(e.Find("tern_board_safe") == "0");
    bool build = false;
    for (const auto& s : e.samples) {
      if (s.name == "tern_build_info")
        build = s.value == "1" && s.labels.count("version") == 1 && s.labels.count("commit") == 1;
    }
    CHECK(build);
  }

  TEST_CASE("core counters and gauges carry their own HELP text") {
    nlohmann::json st = {{"counters", {{"acks", 1}, {"reconcile_age_s", 5}, {"refused_xyz", 2}}}};
    auto e = testing::ParseExposition(MetricsText(st));
    CHECK(e.errors.empty());
    CHECK(e.Find("tern_core_reconcile_age_seconds") == "5");
    CHECK(e.types["tern_core_reconcile_age_seconds"] == "gauge");
    CHECK(!e.Find("tern_core_reconcile_age_s"));
    CHECK(e.helps["tern_core_acks_total"].find("acked to their origin") != std::string::npos);
    CHECK(e.helps["tern_core_refused_xyz_total"].find("xyz") != std::string::npos);
    for (const auto& [family, help] : e.helps) {
      INFO(family);
      CHECK(help.find("core counter") == std::string::npos);
      CHECK(!help.empty());
    }
  }
}
}  // namespace tern::core::http
