// Unit tests of BoardRecorder: the window and the size bound seal chunks of source `board`
// whose records are the events in order; numbers and stamps resume above a restart's marks;
// a full queue drops and counts; an offer from another thread while sealing loses nothing.
#include "board_recorder.h"

#include <doctest/doctest.h>

#include <thread>

namespace tern::core {
namespace {
struct Clocks {
  uint64_t mono = 5000;
  uint64_t wall = 1764540000000;
};

BoardRecorder Make(Clocks& c, BoardRecorderOptions o, Metrics& m, OwnSourceMarks resume = {}) {
  return BoardRecorder(
      o, 1, resume, &m, [&c] { return c.mono; }, [&c] { return c.wall; });
}

std::vector<Record> RecordsOf(const OwnChunkRow& r) {
  auto v = DecodeChunk(r.wire);
  REQUIRE(v.ok());
  CHECK(v->header.source == "board");
  CHECK(v->header.kind == RecordKind::kEvent);
  CHECK(v->header.origin == 1);
  CHECK(v->header.seq == r.seq);
  CHECK(ChunkIdOf(r.wire) == r.id);
  auto recs = DecodeRecords(*v);
  REQUIRE(recs.ok());
  return *recs;
}
}  // namespace

TEST_SUITE("board_recorder") {
  TEST_CASE("events wait for the window, then become one chunk in order") {
    Clocks c;
    Metrics m;
    BoardRecorderOptions o;
    o.window_ms = 1000;
    auto r = Make(c, o, m);
    r.Offer({{"kind", "button"}, {"button", 0}});
    c.mono += 400;
    r.Offer({{"kind", "switch"}, {"on", true}});
    CHECK(r.Seal().empty());
    c.mono += 599;
    CHECK(r.Seal().empty());
    c.mono += 1;
    auto rows = r.Seal();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].source == "board");
    CHECK(rows[0].seq == 0);
    CHECK(rows[0].rec_first == 0);
    CHECK(rows[0].records == 2);
    auto recs = RecordsOf(rows[0]);
    REQUIRE(recs.size() == 2);
    CHECK(nlohmann::json::parse(recs[0].payload).value("kind", "") == "button");
    CHECK(nlohmann::json::parse(recs[1].payload).value("kind", "") == "switch");
    CHECK(recs[0].seq == 0);
    CHECK(recs[1].seq == 1);
    CHECK(recs[0].ts < recs[1].ts);
    CHECK(HybridClock::PhysicalMs(recs[0].ts) == c.wall);
    CHECK(r.waiting() == 0);
    CHECK(r.Seal().empty());
  }

  TEST_CASE("max_events seals at once, and the numbers run on") {
    Clocks c;
    Metrics m;
    BoardRecorderOptions o;
    o.max_events = 3;
    auto r = Make(c, o, m);
    for (int i = 0; i < 7; ++i) r.Offer({{"kind", "pot"}, {"value", i}});
    auto rows = r.Seal();
    REQUIRE(rows.size() == 2);  // 3 + 3; the seventh waits for its window
    CHECK(rows[1].seq == 1);
    CHECK(rows[1].rec_first == 3);
    CHECK(r.waiting() == 1);
    rows = r.Seal(/*flush=*/true);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].seq == 2);
    CHECK(rows[0].rec_first == 6);
    CHECK(RecordsOf(rows[0])[0].seq == 6);
  }

  TEST_CASE("a restart resumes above the recorded numbers and stamps") {
    Clocks c;
    Metrics m;
    OwnSourceMarks marks;
    marks.next_seq = 41;
    marks.next_record = 900;
    marks.last_stamp = (c.wall + 60000) << 16;  // the wall clock went back a minute
    auto r = Make(c, {}, m, marks);
    r.Offer({{"kind", "power_back"}});
    auto rows = r.Seal(true);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].seq == 41);
    CHECK(rows[0].rec_first == 900);
    CHECK(rows[0].t_first > marks.last_stamp);
  }

  TEST_CASE("a full queue drops and counts, never blocks") {
    Clocks c;
    Metrics m;
    BoardRecorderOptions o;
    o.max_queued = 5;
    o.max_events = 100;
    auto r = Make(c, o, m);
    for (int i = 0; i < 8; ++i) r.Offer({{"kind", "temp"}, {"temp_c", i}});
    CHECK(r.waiting() == 5);
    CHECK(m.Get("board_events_dropped") == 3);
    auto rows = r.Seal(true);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].records == 5);
    r.Offer({{"kind", "temp"}});  // room again
    CHECK(r.waiting() == 1);
    CHECK(m.Get("board_events_dropped") == 3);
  }

  TEST_CASE("events offered from another thread while sealing are all recorded once") {
    Metrics m;
    BoardRecorderOptions o;
    o.max_events = 7;
    o.max_queued = 100000;
    BoardRecorder r(o, 1, {}, &m);
    constexpr int kEvents = 2000;
    std::thread board([&] {
      for (int i = 0; i < kEvents; ++i) r.Offer({{"kind", "pot"}, {"value", i}});
    });
    std::vector<OwnChunkRow> rows;
    auto take = [&](bool flush) {
      for (auto& row : r.Seal(flush)) rows.push_back(std::move(row));
    };
    while (r.waiting() > 0 || rows.empty()) take(false);
    board.join();
    take(true);
    int next = 0;
    uint64_t last_ts = 0;
    for (const auto& row : rows) {
      for (const auto& rec : RecordsOf(row)) {
        CHECK(nlohmann::json::parse(rec.payload).value("value", -1) == next);
        CHECK(rec.seq == static_cast<uint64_t>(next));
        CHECK(rec.ts > last_ts);
        last_ts = rec.ts;
        ++next;
      }
    }
    CHECK(next == kEvents);
    CHECK(m.Get("board_events_dropped") == 0);
  }
}

}  // namespace tern::core
