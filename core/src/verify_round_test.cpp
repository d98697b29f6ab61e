// VerifyRound's classification: discrepancies of chunks still in flight (not yet acked, or
// newer than the window) are counted apart and do not make the document not ok.
#include "verify_round.h"

#include <doctest/doctest.h>

#include "tern/common/bytes.h"

namespace tern::core {
namespace {
constexpr uint64_t kNowMs = 1'800'000'000'000;
constexpr uint64_t kWindowMs = 10'000;

ChunkRecord Chunk(const std::string& id, bool acked, uint64_t age_ms,
                  std::vector<uint32_t> holders) {
  ChunkRecord r;
  r.id = id;
  r.origin = 2;  // an edge
  r.acked = acked;
  r.t_first = r.t_last = (kNowMs - age_ms) << 16;  // an HLC stamp: physical ms << 16
  r.holders = std::move(holders);
  return r;
}
}  // namespace

TEST_SUITE("verify round") {
  TEST_CASE("chunks in flight are counted apart from real problems") {
    VerifyRound round({{1, {10, "a"}}});
    ReportFindings f;
    f.holder = 10;
    f.report = 1;
    f.missing = {"old-under", "young-one"};
    f.extra = {"young-one", "nobody-knows"};
    REQUIRE(round.OnReport(f));
    const std::vector<ChunkRecord> all = {
        Chunk("old-under", true, 60'000, {10, 11}),     // acked long ago, two copies: real
        Chunk("young-one", true, 2'000, {10}),          // placed a moment ago: in flight
        Chunk("unacked", false, 60'000, {}),            // producer still at it: in flight
        Chunk("old-full", true, 60'000, {10, 11, 12}),  // fine
    };
    auto good = [](uint32_t) { return true; };
    auto doc = round.Document(all, good, 3, InFlightRule{kNowMs, kWindowMs});
    INFO(doc.dump());
    CHECK(doc["ok"] == false);  // old-under is really under-replicated
    CHECK(doc["missing"] == 1);
    CHECK(doc["extra"] == 1);
    CHECK(doc["under_replicated"] == 1);
    CHECK(doc["lost"] == 0);
    CHECK(doc["in_flight"]["chunks"] == 2);
    CHECK(doc["in_flight"]["window_s"] == 10);
    CHECK(doc["in_flight"]["missing"] == 1);
    CHECK(doc["in_flight"]["extra"] == 1);
    CHECK(doc["in_flight"]["under_replicated"] == 1);
    CHECK(doc["in_flight"]["lost"] == 1);
    CHECK(doc["by_copies"]["0"] == 1);
    CHECK(doc["by_copies"]["2"] == 1);
    // Only real problems are listed.
    for (const auto& p : doc["problems"]) {
      CHECK(p["id"] != ToHex("young-one"));
      CHECK(p["id"] != ToHex("unacked"));
    }
    CHECK(doc["problems"].size() == 3);  // missing old-under, extra nobody-knows, under old-under

    // Once old-under has its copies back, what is left in flight does not fail the check.
    const std::vector<ChunkRecord> healed = {Chunk("old-under", true, 60'000, {10, 11, 12}), all[1],
                                             all[2], all[3]};
    VerifyRound again({{2, {10, "a"}}});
    ReportFindings g;
    g.holder = 10;
    g.report = 2;
    g.extra = {"young-one"};
    REQUIRE(again.OnReport(g));
    auto ok = again.Document(healed, good, 3, InFlightRule{kNowMs, kWindowMs});
    CHECK(ok["ok"] == true);
    CHECK(ok["in_flight"]["under_replicated"] == 1);
  }

  TEST_CASE("a result chunk of the core is in flight only while it is young") {
    VerifyRound round({{1, {10, "a"}}});
    ReportFindings f;
    f.holder = 10;
    f.report = 1;
    REQUIRE(round.OnReport(f));
    ChunkRecord old_result = Chunk("old-result", false, 60'000, {10});
    old_result.origin = 1;  // the core
    ChunkRecord new_result = Chunk("new-result", false, 1'000, {10});
    new_result.origin = 1;
    auto doc = round.Document(
        {old_result, new_result}, [](uint32_t) { return true; }, 3,
        InFlightRule{kNowMs, kWindowMs, 1});
    CHECK(doc["ok"] == false);
    CHECK(doc["under_replicated"] == 1);
    CHECK(doc["in_flight"]["under_replicated"] == 1);
  }

  TEST_CASE("without a rule every discrepancy is a problem") {
    VerifyRound round({{1, {10, "a"}}});
    ReportFindings f;
    f.holder = 10;
    f.report = 1;
    REQUIRE(round.OnReport(f));
    auto doc = round.Document(
        {Chunk("young", false, 0, {10})}, [](uint32_t) { return true; }, 3);
    CHECK(doc["ok"] == false);
    CHECK(doc["under_replicated"] == 1);
    CHECK(doc["in_flight"]["chunks"] == 0);
  }
}

}  // namespace tern::core
