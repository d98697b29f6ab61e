#include "result_builder.h"

#include <doctest/doctest.h>

#include "core_testing.h"
#include "tern/common/bytes.h"
#include "tern/common/hlc.h"
#include "tern/common/messages.h"

namespace tern::core {

TEST_SUITE("result_builder") {
  TEST_CASE("an output becomes a result chunk of the core's, with its note") {
    testing::TestDb t;
    Metrics m;
    uint32_t core = t.Register("core"), a = t.Register("edge-a");
    auto src = testing::MakeChunk(a, 7);
    ResultBuilder b(core, Topics(), t.db.get(), &m);
    ProcessorOutput out{"zscore", {{"anomalies", {{{"row", 1}}}}}, 2, {src.id}, 10, 20};
    auto r = b.Build(src.id, src.header, out, "edge-a");
    REQUIRE(r.ok());
    auto view = DecodeChunk(r->row.wire);
    REQUIRE(view.ok());
    CHECK(view->header.origin == core);
    CHECK(view->header.source == "r/" + std::to_string(a) + "/vib/zscore");
    CHECK(view->header.priority == Priority::kAlarm);
    CHECK(view->header.parents == std::vector<std::string>{src.id});
    CHECK(ChunkIdOf(r->row.wire) == r->row.id);
    auto recs = DecodeRecords(*view).value();
    auto payload = nlohmann::json::parse(recs[0].payload);
    CHECK(payload["source_chunk"] == ToHex(src.id));
    CHECK_FALSE(payload.contains("type"));
    auto note = msg::DecodeText<msg::ResultNote>(r->note);
    REQUIRE(note.ok());
    CHECK(note->id == r->row.id);
    CHECK(note->anomalies == 2);
    CHECK(note->origin_name == "edge-a");
  }

  TEST_CASE("a processed chunk leaves the spool, its results are recorded and announced") {
    testing::TestDb t;
    Metrics m;
    uint32_t core = t.Register("core"), a = t.Register("edge-a");
    auto src = testing::MakeChunk(a, 7);
    REQUIRE(t.db->RecordHolder(src.NoticeBy(a)).ok());
    REQUIRE(t.db->Spool(src.id, src.header, src.wire).ok());
    ResultBuilder b(core, Topics(), t.db.get(), &m);
    std::vector<ProcessorOutput> outs = {{"stats", {{"rows", 4}}, 0, {src.id}, 1, 2},
                                         {"zscore", {{"count", 1}}, 1, {src.id}, 1, 2}};
    auto r = b.OnProcessed(src.id, src.header, outs, "edge-a");
    CHECK(r.results.size() == 2);
    std::vector<std::string> topics;
    for (const auto& n : r.notes) topics.push_back(n.topic);
    CHECK(topics ==
          std::vector<std::string>{Topics().Down("edge-a"), "tern/x/results/edge-a/vib/stats",
                                   Topics().Down("edge-a"), "tern/x/results/edge-a/vib/zscore",
                                   "tern/x/alarms/edge-a/vib"});
    // The published copies carry wall-clock time (now, and the window's in ms); the edge's
    // own copy is the bare note.
    const uint64_t now = WallMs();
    for (size_t i : {size_t{1}, size_t{3}, size_t{4}}) {
      auto j = nlohmann::json::parse(r.notes[i].payload);
      CAPTURE(r.notes[i].topic);
      CHECK(j["t_first"] == 1);
      CHECK(j["t_last"] == 2);
      CHECK(j["t_first_ms"] == 0);
      CHECK(j["wall_ms"].get<uint64_t>() + 60000 > now);
      CHECK(j["wall_ms"].get<uint64_t>() <= now + 60000);
    }
    CHECK_FALSE(nlohmann::json::parse(r.notes[0].payload).contains("wall_ms"));
    CHECK(t.db->SpoolData(src.id).value() == std::nullopt);
    CHECK(t.db->ResultsOf(src.id).value().size() == 2);
    CHECK(m.Get("results") == 2);
    CHECK(m.Get("alarms") == 1);
  }
}
}  // namespace tern::core
