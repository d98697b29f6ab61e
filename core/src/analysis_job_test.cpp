// Tests of an analysis job's pure parts: strict requests, windows by placement key, and the
// weighted assignment of windows to the stores that hold them whole.
#include "analysis_job.h"

#include <doctest/doctest.h>

#include "tern/common/store_messages.h"

namespace tern::core {
namespace {

ChunkRecord Rec(uint32_t origin, const std::string& source, uint64_t seq, uint64_t window,
                std::vector<uint32_t> holders, uint32_t records = 100) {
  ChunkRecord r;
  r.id = ChunkId(std::string(32, static_cast<char>(origin * 16 + seq)));
  r.origin = origin;
  r.source = source;
  r.seq = seq;
  r.kind = static_cast<int>(RecordKind::kSamples);
  r.t_first = window;  // the test's key_of reads the window from here
  r.records = records;
  r.holders = std::move(holders);
  return r;
}

placement::Key KeyOf(const ChunkRecord& r) {
  return {r.source == "other" ? "other" : "rig", r.t_first};
}

TEST_CASE("analysis job: requests are strict and name the key") {
  auto r = AnalysisRequest::FromJson(
      {{"group", "rig"}, {"from", 5}, {"to", 9}, {"at", "core"}, {"params", {{"msmve", false}}}});
  REQUIRE(r.ok());
  CHECK(r->group == "rig");
  CHECK(r->at_core);
  CHECK_FALSE(r->params.msmve);
  for (const auto& bad :
       {nlohmann::json{{"from", 1}}, nlohmann::json{{"group", ""}},
        nlohmann::json{{"group", "g"}, {"from", -1}}, nlohmann::json{{"group", "g"}, {"at", "x"}},
        nlohmann::json{{"group", "g"}, {"from", 9}, {"to", 1}},
        nlohmann::json{{"group", "g"}, {"colour", 1}},
        nlohmann::json{{"group", "g"}, {"params", {{"msmve_scales", 0}}}},
        nlohmann::json{{"group", "g"}, {"max_windows", 0}}, nlohmann::json::array()}) {
    CHECK_MESSAGE(AnalysisRequest::FromJson(bad).status().code() == Status::Code::kInvalidArgument,
                  bad.dump());
  }
  CHECK(AnalysisRequest::FromJson({{"group", "g"}, {"at", "x"}}).status().message().find("'at'") !=
        std::string::npos);
}

TEST_CASE("analysis job: windows by key, group only, samples only, chunks in series order") {
  std::vector<ChunkRecord> all = {Rec(3, "rig", 1, 7, {2}), Rec(2, "rig", 4, 7, {2}),
                                  Rec(2, "rig", 3, 7, {2}), Rec(2, "rig", 5, 8, {2}),
                                  Rec(2, "other", 1, 7, {2})};
  all.push_back(Rec(2, "rig", 6, 8, {2}));
  all.back().kind = static_cast<int>(RecordKind::kResult);
  auto w = WindowsOf(all, "rig", KeyOf);
  REQUIRE(w.size() == 2);
  CHECK(w[0].key.window == 7);
  REQUIRE(w[0].chunks.size() == 3);
  CHECK(w[0].chunks[0].seq == 3);
  CHECK(w[0].chunks[1].seq == 4);
  CHECK(w[0].chunks[2].origin == 3);
  CHECK(w[0].rows == 300);
  CHECK(w[1].chunks.size() == 1);
}

TEST_CASE("analysis job: a task names its window by series runs and their ids' digest") {
  // Origin 2: seqs 3, 4, 5 and 8 (a gap); origin 3: seq 1. Stamps differ per chunk.
  std::vector<ChunkRecord> all = {Rec(2, "rig", 3, 7, {2}), Rec(2, "rig", 4, 7, {2}),
                                  Rec(2, "rig", 5, 7, {2}), Rec(2, "rig", 8, 7, {2}),
                                  Rec(3, "rig", 1, 7, {2})};
  auto w = WindowsOf(all, "rig", KeyOf);
  REQUIRE(w.size() == 1);
  for (size_t i = 0; i < w[0].chunks.size(); ++i) w[0].chunks[i].t_first = 100 + 10 * i;
  msg::AnalyzeTask t = TaskOf(w[0]);
  CHECK(t.chunks.empty());
  REQUIRE(t.series.size() == 3);
  CHECK(t.series[0] == msg::TaskSeries{2, "rig", 3, 5, 100, 120});
  CHECK(t.series[1] == msg::TaskSeries{2, "rig", 8, 8, 130, 130});
  CHECK(t.series[2] == msg::TaskSeries{3, "rig", 1, 1, 140, 140});
  CHECK(t.ChunkCount() == 5);
  std::vector<ChunkId> ids;
  for (const auto& c : w[0].chunks) ids.push_back(c.id);
  CHECK(t.digest == msg::TaskDigest(ids));
}

TEST_CASE("analysis job: a window goes to a live store holding all of it, by weight") {
  std::vector<ChunkRecord> all;
  for (uint64_t win = 0; win < 40; ++win) {
    all.push_back(Rec(2, "rig", win * 2, win, {4, 5, 2}));
    all.push_back(Rec(3, "rig", win * 2 + 1, win, {4, 5, 3}));
  }
  all.push_back(Rec(2, "rig", 100, 99, {2, 4}));  // window 99: no store holds both
  all.push_back(Rec(3, "rig", 101, 99, {3, 5}));
  auto w = WindowsOf(all, "rig", KeyOf);
  REQUIRE(w.size() == 41);
  // Node 5 is twice as free as node 4: it should take about two thirds of the rows.
  PlanTasks(&w, {{4, 0.5, 0.0}, {5, 0.0, 0.0}, {2, 0, 0}, {3, 0, 0}}, false);
  int on4 = 0, on5 = 0;
  for (const auto& x : w) {
    if (x.key.window == 99) {
      CHECK(x.candidates.empty());
      CHECK(x.assigned == 0);
      continue;
    }
    CHECK(x.candidates == std::vector<uint32_t>{4, 5});
    on4 += x.assigned == 4;
    on5 += x.assigned == 5;
  }
  CHECK(on4 + on5 == 40);
  CHECK(on5 >= 25);
  CHECK(on5 <= 28);

  // A dead store is no candidate; `at core` assigns nothing.
  PlanTasks(&w, {{4, 0.1, 0.1}}, false);
  CHECK(w[0].candidates == std::vector<uint32_t>{4});
  CHECK(w[0].assigned == 4);
  PlanTasks(&w, {{4, 0.1, 0.1}, {5, 0, 0}}, true);
  for (const auto& x : w) CHECK(x.assigned == 0);
  // A window of more chunks than one task may name is the core's.
  std::vector<ChunkRecord> big;
  for (uint64_t s = 0; s <= msg::kMaxTaskChunks; ++s) {
    ChunkRecord r = Rec(2, "rig", s, 7, {4, 5});
    r.id = std::to_string(s);
    big.push_back(r);
  }
  auto bw = WindowsOf(big, "rig", KeyOf);
  REQUIRE(bw.size() == 1);
  PlanTasks(&bw, {{4, 0, 0}, {5, 0, 0}}, false);
  CHECK(bw[0].candidates.size() == 2);
  CHECK(bw[0].assigned == 0);
  CHECK(WorkerWeight({1, 1.0, 1.0}) == doctest::Approx(0.05));
  CHECK(WorkerWeight({1, 0.5, 0.5}) == doctest::Approx(0.25));
}

TEST_CASE("analysis job: the answer counts where windows ran and merges their statistics") {
  auto rq = AnalysisRequest::FromJson({{"group", "rig"}, {"params", {{"msmve", false}}}});
  REQUIRE(rq.ok());
  std::vector<JobWindow> w(3);
  for (uint64_t i = 0; i < 3; ++i) w[i].key = {"rig", i};
  auto stats = [](double mean, size_t n) {
    return nlohmann::json{
        {"rows", n},
        {"stats",
         {{"first_row", 0},
          {"count", n},
          {"channels",
           {{{"count", n}, {"mean", mean}, {"stddev", 0.0}, {"min", mean}, {"max", mean}}}}}},
        {"zscore", {{"threshold", 4.0}, {"count", 2}, {"by_channel", {2}}}}};
  };
  std::vector<WindowOutcome> o(3);
  o[0] = {stats(1.0, 10), "", "edge-b", 3};
  o[1] = {stats(4.0, 30), "", "core", 9};
  o[2] = {nullptr, "chunk 0011: not held", "", 0};
  JobFigures f;
  f.results = {"ab"};
  auto a = JobAnswer(*rq, w, o, "core", f);
  CHECK(a["windows"] == 3);
  CHECK(a["at_holders"] == 1);
  CHECK(a["at_core"] == 1);
  CHECK(a["failed"] == 1);
  CHECK(a["by_node"] == nlohmann::json{{"core", 1}, {"edge-b", 1}});
  CHECK(a["merged"]["zscore_count"] == 4);
  CHECK(a["merged"]["stats"]["rows"] == 40);
  CHECK(a["merged"]["stats"]["channels"][0]["mean"].get<double>() == doctest::Approx(3.25));
  CHECK(a["window_outputs"][2]["error"] == "chunk 0011: not held");
  CHECK(a["params"]["msmve"] == false);
  CHECK(a["results"] == nlohmann::json::array({"ab"}));
}

}  // namespace
}  // namespace tern::core
