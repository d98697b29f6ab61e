// TopModel: interval percentiles from histogram counters, rates, state changes and flapping,
// and the document and lines `ternctl top` shows, on synthetic core answers.
#include "top_model.h"

#include <doctest/doctest.h>

namespace tern::tools {
namespace {

using json = nlohmann::json;

// Cumulative histogram counters of `grade` with `per_bucket[i]` acks in bucket i (the last
// entry: the unbounded bucket), as an edge's heartbeat carries them.
json Histogram(const std::string& grade, const std::vector<int64_t>& per_bucket) {
  json c = json::object();
  int64_t cum = 0;
  for (size_t i = 0; i <= kAckBoundsMs.size(); ++i) {
    cum += i < per_bucket.size() ? per_bucket[i] : 0;
    c["ack_ms_" + grade + "_le_" +
      (i < kAckBoundsMs.size() ? std::to_string(kAckBoundsMs[i]) : "inf")] = cum;
  }
  c["ack_ms_" + grade + "_count"] = cum;
  c["ack_ms_" + grade + "_sum"] = cum * 10;
  return c;
}

TEST_CASE("ack percentiles come from the interval's bucket deltas, not the history") {
  // Before: 1000 fast acks (<= 5 ms). Over the interval: 100 acks, 98 at <= 250 ms, 2 slow.
  std::vector<int64_t> before(16, 0), during(16, 0);
  before[2] = 1000;
  during[7] = 98;
  during[10] = 2;  // <= 2500 ms
  json prev = Histogram("core", before);
  std::vector<int64_t> sum(16, 0);
  for (size_t i = 0; i < 16; ++i) sum[i] = before[i] + during[i];
  json cur = Histogram("core", sum);
  CHECK(AckQuantileMs(prev, cur, "core", 0.50) == 250);
  CHECK(AckQuantileMs(prev, cur, "core", 0.99) == 2500);
  CHECK(FormatAckBound(AckQuantileMs(prev, cur, "core", 0.50)) == "<=250ms");
  // Over the whole history (no previous poll) the fast acks dominate.
  CHECK(AckQuantileMs(json(), cur, "core", 0.50) == 5);
}

TEST_CASE("ack percentiles: absent counters, no acks and the unbounded bucket") {
  json c = Histogram("peer2", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3});
  CHECK(AckQuantileMs(json(), c, "core", 0.5) == std::nullopt);  // no core histogram
  CHECK(FormatAckBound(std::nullopt) == "-");
  CHECK(AckQuantileMs(c, c, "peer2", 0.5) == std::nullopt);  // nothing new in the interval
  CHECK(AckQuantileMs(json(), c, "peer2", 0.5) == kAckOverMs);
  CHECK(FormatAckBound(kAckOverMs) == ">60000ms");
}

TEST_CASE("a restarted edge's counters count from zero, never negative") {
  json prev = Histogram("core", {0, 0, 0, 0, 0, 500});
  json cur = Histogram("core", {0, 0, 0, 4});  // fewer acks than before: it restarted
  CHECK(AckQuantileMs(prev, cur, "core", 0.5) == 10);
  CHECK(CounterRate(json{{"records_local", 1000}}, json{{"records_local", 40}}, "records_local",
                    2.0) == 20.0);
}

TEST_CASE("rates are the counter's growth per second over the interval") {
  json prev{{"records_local", 1000}, {"chunks_sealed", 10}};
  json cur{{"records_local", 5000}, {"chunks_sealed", 14}};
  CHECK(CounterRate(prev, cur, "records_local", 2.0) == 2000.0);
  CHECK(CounterRate(prev, cur, "chunks_sealed", 2.0) == 2.0);
  CHECK(CounterRate(prev, cur, "grade_core", 2.0) == std::nullopt);       // absent
  CHECK(CounterRate(json(), cur, "records_local", 2.0) == std::nullopt);  // first poll
  CHECK(CounterRate(prev, cur, "records_local", 0) == std::nullopt);
}

TEST_CASE("state changes are flagged with their age and three in a minute are flapping") {
  StateTracker t;
  t.Observe("edge-1", "live", 0);
  CHECK(DescribeState(t.Get("edge-1", 0)) == "live");  // the first state seen is no change
  t.Observe("edge-1", "offline", 10'000);
  t.Observe("edge-1", "live", 12'000);
  auto v = t.Get("edge-1", 15'000);
  CHECK(v.changes == 2);
  CHECK_FALSE(v.flapping);
  CHECK(DescribeState(v) == "live <- offline 3s ago");
  t.Observe("edge-1", "suspect", 20'000);
  v = t.Get("edge-1", 21'000);
  CHECK(v.flapping);
  CHECK(DescribeState(v) == "suspect <- live 1s ago FLAPPING (3 changes/min)");
  // A minute later the changes are forgotten.
  t.Observe("edge-1", "suspect", 90'000);
  CHECK(DescribeState(t.Get("edge-1", 90'000)) == "suspect");
  CHECK(t.Get("nobody", 0).state.empty());
}

TEST_CASE("the document and the lines carry per-edge rates, outbox and the core's figures") {
  TopPoll a, b;
  a.t_ms = 0;
  b.t_ms = 2000;
  json c0 = Histogram("core", {0, 0, 0, 0, 0, 0, 0, 10});
  c0["records_local"] = 100;
  c0["chunks_sealed"] = 5;
  c0["grade_core"] = 3;
  json c1 = Histogram("core", {0, 0, 0, 0, 0, 0, 0, 10, 4});
  c1["records_local"] = 4100;
  c1["chunks_sealed"] = 9;
  c1["grade_core"] = 6;
  a.nodes = {{"nodes", {{{"name", "edge-1"}, {"addr", 2}, {"state", "live"}, {"counters", c0}}}}};
  b.nodes = {{"nodes",
              {{{"name", "edge-1"},
                {"addr", 2},
                {"state", "live"},
                {"outbox_chunks", 3},
                {"outbox_bytes", 2048},
                {"counters", c1}}}}};
  a.status = {{"counters", {{"uplinks", 10}, {"results", 1}, {"alarms", 0}}}};
  // The core is a registered node too, but no edge of the view.
  b.nodes["nodes"].push_back({{"name", "core"}, {"addr", 1}, {"state", "unknown"}});
  b.status = {{"addr", 1},
              {"manifest_chunks", 42},
              {"counters", {{"uplinks", 30}, {"results", 5}, {"alarms", 1}}}};
  b.report = {{"copies", {{"1", 0}, {"2", 7}, {"3", 35}}},
              {"repair", {{"queue", 7}, {"in_flight", 2}, {"blocked_reason", ""}}}};
  b.scheduler = {
      {"edges",
       {{{"edge", 2}, {"classes", {{"normal", {{"depth", 3}, {"oldest_age_ms", 1500}}}}}},
        {{"edge", 3}, {"classes", {{"normal", {{"depth", 1}, {"oldest_age_ms", 4000}}}}}}}}};
  b.alarm = {{"processor", "msmve"},
             {"anomalies", 2},
             {"origin_name", "edge-1"},
             {"source", "vib"},
             {"t_first_ms", 1795255200000}};
  StateTracker t;
  t.Observe("edge-1", "live", 0);
  t.Observe("edge-1", "live", 2000);
  const json doc = TopDocument(&a, b, t);
  const json& e = doc["edges"][0];
  CHECK(e["records_per_s"] == 2000.0);
  CHECK(e["chunks_per_s"] == 2.0);
  CHECK(e["not_safe"] == 3);
  CHECK(e["outbox_chunks"] == 3);
  CHECK(e["ack"]["core"]["p50"] == "<=500ms");  // only the 4 new acks count
  CHECK(e["ack"]["peer2"]["p50"] == "-");
  const json& core = doc["core"];
  CHECK(doc["edges"].size() == 1);
  CHECK(core["live"] == 1);
  CHECK(core["total"] == 1);
  CHECK(core["manifest_chunks"] == 42);
  CHECK(core["under_replicated"]["2"] == 7);
  CHECK(core["repair"]["queue"] == 7);
  CHECK(core["scheduler"]["normal"]["depth"] == 4);
  CHECK(core["scheduler"]["normal"]["oldest_age_ms"] == 4000);
  CHECK(core["ingest_chunks_per_s"] == 10.0);
  CHECK(core["alarms"] == 1);

  const auto lines = RenderTop(doc);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  INFO(all);
  CHECK(all.find("edge-1") != std::string::npos);
  CHECK(all.find("2000.0") != std::string::npos);
  CHECK(all.find("3 / 2.0 KiB") != std::string::npos);
  CHECK(all.find("core: 1/1 nodes live, manifest 42 chunks") != std::string::npos);
  CHECK(all.find("normal 4 (oldest 4.0s)") != std::string::npos);
  CHECK(all.find("latest alarm: msmve found 2 anomalies in edge-1/vib") != std::string::npos);
  for (const auto& l : lines) CHECK(l.size() <= 140);
}

TEST_CASE("the first poll shows no rates and a core that did not answer says so") {
  TopPoll p;
  p.error = "http://127.0.0.1:1: connection refused";
  StateTracker t;
  const json doc = TopDocument(nullptr, p, t);
  CHECK(doc["interval_s"].is_null());
  CHECK(doc["edges"].empty());
  const auto lines = RenderTop(doc);
  REQUIRE(lines.size() > 1);
  CHECK(lines[1] == "core not answering: http://127.0.0.1:1: connection refused");
}

}  // namespace
}  // namespace tern::tools
