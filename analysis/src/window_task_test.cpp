// Tests of the window task: alignment of several series, the processors' output against the
// plain functions of analysis.h, order independence (the same bytes wherever and in whatever
// order the chunks arrive), strict parameters, and merged statistics against statistics over
// all rows at once.
#include "tern/analysis/window_task.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace tern::analysis {
namespace {

// A sample chunk of `rows` records of `ch` channels from (origin, source), seq `seq`.
WindowChunk Chunk(uint32_t origin, const std::string& source, uint64_t seq, size_t rows,
                  uint16_t ch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0.0, 1.0);
  std::vector<Record> recs;
  for (size_t r = 0; r < rows; ++r) {
    std::vector<double> v(ch);
    for (auto& x : v) x = nd(rng);
    recs.push_back({1000 + r, seq * 1000 + r, EncodeSamples(v)});
  }
  ChunkHeader h;
  h.origin = origin;
  h.source = source;
  h.seq = seq;
  h.channels = ch;
  h.t_first = 1000;
  h.t_last = 1000 + rows;
  auto wire = BuildChunk(h, recs);
  REQUIRE(wire.ok());
  auto c = DecodeWindowChunk(*wire);
  REQUIRE(c.ok());
  return std::move(*c);
}

TEST_CASE("window task: series side by side, each in seq order, cut to the shortest") {
  auto a0 = Chunk(2, "rig", 0, 50, 2, 1), a1 = Chunk(2, "rig", 1, 50, 2, 2);
  auto b0 = Chunk(3, "rig", 7, 80, 3, 3);
  auto w = AlignWindow({a1, b0, a0});
  REQUIRE(w.ok());
  CHECK(w->series == std::vector<std::string>{"2/rig", "3/rig"});
  CHECK(w->x.rows == 80);
  CHECK(w->x.cols == 5);
  CHECK(w->dropped_rows == 20);
  // Row 60 of the window: record 10 of a1 (a0 comes first by seq), then record 60 of b0.
  auto a = DecodeSamples(a1.records[10].payload, 2);
  auto b = DecodeSamples(b0.records[60].payload, 3);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(w->x.at(60, 0) == (*a)[0]);
  CHECK(w->x.at(60, 1) == (*a)[1]);
  CHECK(w->x.at(60, 4) == (*b)[2]);
}

TEST_CASE("window task: a series that changes its channel count is refused") {
  auto w = AlignWindow({Chunk(2, "rig", 0, 10, 2, 1), Chunk(2, "rig", 1, 10, 3, 2)});
  CHECK(w.status().code() == Status::Code::kInvalidArgument);
  CHECK(w.status().message().find("2/rig") != std::string::npos);
  CHECK(AlignWindow({}).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("window task: outputs equal the processors run directly, in any chunk order") {
  std::vector<WindowChunk> chunks = {Chunk(2, "rig", 0, 300, 2, 11), Chunk(2, "rig", 1, 300, 2, 12),
                                     Chunk(4, "rig", 0, 600, 2, 13),
                                     Chunk(5, "cam", 3, 610, 2, 14)};
  TaskParams p;
  p.msmve_rows = 256;
  p.msmve_params.max_scale = 3;
  auto out = RunTask(chunks, p);
  REQUIRE(out.ok());
  auto w = AlignWindow(chunks);
  REQUIRE(w.ok());
  auto st = WindowStatistics(w->x, 0);
  REQUIRE(st.ok());
  CHECK((*out)["stats"] == ToJson(st->front()));
  Matrix head = w->x;
  head.rows = 256;
  head.v.resize(256 * head.cols);
  auto e = Msmve(head, p.msmve_params);
  REQUIRE(e.ok());
  CHECK((*out)["msmve"] == ToJson(*e));
  CHECK((*out)["rows"] == 600);
  CHECK((*out)["cols"] == 6);

  std::reverse(chunks.begin(), chunks.end());
  auto again = RunTask(chunks, p);
  REQUIRE(again.ok());
  CHECK(again->dump() == out->dump());
}

TEST_CASE("window task: z-score counts values beyond the threshold per channel") {
  auto c = Chunk(2, "rig", 0, 200, 2, 5);
  std::vector<double> spike = {1000.0, 0.0};
  c.records[100].payload = EncodeSamples(spike);
  TaskParams p;
  p.msmve = false;
  p.z_threshold = 8;
  auto out = RunTask({c}, p);
  REQUIRE(out.ok());
  CHECK((*out)["zscore"]["count"] == 1);
  CHECK((*out)["zscore"]["by_channel"] == nlohmann::json::array({1, 0}));
  CHECK_FALSE(out->contains("msmve"));
}

TEST_CASE("window task: parameters are strict and name the key") {
  CHECK(TaskParams::FromJson(nlohmann::json::object()).ok());
  auto p = TaskParams::FromJson({{"msmve", false}, {"z_threshold", 3.5}, {"msmve_scales", 4}});
  REQUIRE(p.ok());
  CHECK_FALSE(p->msmve);
  CHECK(p->z_threshold == 3.5);
  auto round = TaskParams::FromJson(p->ToJson());
  REQUIRE(round.ok());
  CHECK(round->ToJson() == p->ToJson());
  for (const auto& bad : {nlohmann::json{{"colour", 1}}, nlohmann::json{{"z_threshold", 0}},
                          nlohmann::json{{"msmve_m", "two"}}, nlohmann::json{{"msmve_scales", 51}},
                          nlohmann::json{{"stats", false}, {"zscore", false}, {"msmve", false}},
                          nlohmann::json::array()}) {
    auto r = TaskParams::FromJson(bad);
    CHECK_MESSAGE(r.status().code() == Status::Code::kInvalidArgument, bad.dump());
  }
  CHECK(TaskParams::FromJson({{"colour", 1}}).status().message().find("colour") !=
        std::string::npos);
}

TEST_CASE("window task: merged statistics equal statistics over all rows") {
  std::vector<WindowChunk> all;
  std::vector<nlohmann::json> outs;
  TaskParams p;
  p.zscore = p.msmve = false;
  for (uint64_t s = 0; s < 3; ++s) {
    auto c = Chunk(2, "rig", s, 100 + 37 * s, 3, 100 + s);
    all.push_back(c);
    auto o = RunTask({c}, p);
    REQUIRE(o.ok());
    outs.push_back(*o);
  }
  auto merged = MergeStats(outs);
  REQUIRE(merged.ok());
  auto w = AlignWindow(all);  // one series: every row of the three chunks
  REQUIRE(w.ok());
  auto st = WindowStatistics(w->x, 0);
  REQUIRE(st.ok());
  CHECK((*merged)["rows"] == w->x.rows);
  for (size_t c = 0; c < 3; ++c) {
    const auto& m = (*merged)["channels"][c];
    const ChannelStats& s = st->front().channels[c];
    CHECK(m["count"] == s.count);
    CHECK(m["mean"].get<double>() == doctest::Approx(s.mean).epsilon(1e-12));
    CHECK(m["stddev"].get<double>() == doctest::Approx(s.stddev).epsilon(1e-12));
    CHECK(m["sample_stddev"].get<double>() == doctest::Approx(s.sample_stddev).epsilon(1e-12));
    CHECK(m["min"] == s.min);
    CHECK(m["max"] == s.max);
  }
  CHECK(MergeStats({nlohmann::json::object()}).status().code() == Status::Code::kInvalidArgument);
  auto empty = MergeStats({});
  REQUIRE(empty.ok());
  CHECK((*empty)["rows"] == 0);
}

}  // namespace
}  // namespace tern::analysis
