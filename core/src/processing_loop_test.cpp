#include "processing_loop.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>

#include "core_testing.h"

namespace tern::core {

TEST_SUITE("processing_loop") {
  TEST_CASE("a scheduled chunk is read from the spool, processed and handed back once") {
    testing::TestDb t;
    uint32_t a = t.Register("edge-a");
    auto c = testing::MakeChunk(a, 1, RecordKind::kSamples, 8);
    REQUIRE(t.db->RecordHolder(c.NoticeBy(a)).ok());
    REQUIRE(t.db->Spool(c.id, c.header, c.wire).ok());
    REQUIRE(t.db->Commit().ok());
    Metrics m;
    ProcessingOptions po;
    po.stats_window = 0;  // one statistics result per chunk
    auto loop = ProcessingLoop::Create(SchedulerConfig(), po, &m);
    REQUIRE(loop.ok());
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<ChunkId, std::vector<ProcessorOutput>>> got;
    REQUIRE((*loop)
                ->Start(
                    t.dir / "core.db",
                    [&](const ChunkId& id, const ChunkHeader&, std::vector<ProcessorOutput> outs) {
                      std::lock_guard<std::mutex> lk(mu);
                      got.emplace_back(id, std::move(outs));
                      cv.notify_all();
                    },
                    [](const ChunkId&) { FAIL("not corrupt"); })
                .ok());
    REQUIRE((*loop)->SetEdgeWeight(a, 3).ok());
    Manifest::SpoolEntry e{c.id, a, 2, c.wire.size(), c.header.t_last};
    (*loop)->Schedule(e);
    {
      std::unique_lock<std::mutex> lk(mu);
      REQUIRE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return !got.empty(); }));
    }
    (*loop)->Stop();
    REQUIRE(got.size() == 1);
    CHECK(got[0].first == c.id);
    REQUIRE(got[0].second.size() == 1);
    CHECK(got[0].second[0].processor == "stats");
    CHECK(m.Get("chunks_processed") == 1);
    CHECK(m.Get("records_processed") == 8);
    CHECK((*loop)->queued() == 0);
    CHECK((*loop)->StatusJson()["queued"] == 0);
  }
}
}  // namespace tern::core
