#include "scrubber.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "tern/common/bytes.h"
#include "test_util.h"

namespace tern::edge {
namespace {
// A store of `n` replicas; their ids in `ids`.
struct ScrubRig : test::StoreRig {
  std::vector<ChunkId> ids;
  int64_t bytes = 0;
  std::mutex mu;
  std::vector<ChunkId> found;
  explicit ScrubRig(int n) : StoreRig("scrubber") {
    for (int i = 0; i < n; ++i) {
      std::string wire = test::MakeChunk(9, static_cast<uint64_t>(i));
      StoreWrite w{StoreWrite::Kind::kReplica};
      w.info.id = ChunkIdOf(wire);
      ids.push_back(w.info.id);
      bytes += static_cast<int64_t>(wire.size());
      w.wire = wire;
      store->Submit(std::move(w), nullptr);
    }
    REQUIRE(test::WaitFor([&] { return store->Totals()->first == n; }));
  }
  std::unique_ptr<Scrubber> Make(ScrubOptions o) {
    return std::make_unique<Scrubber>(o, store.get(), &m, "test", [this](const ChunkId& id) {
      std::lock_guard<std::mutex> lk(mu);
      found.push_back(id);
    });
  }
};
}  // namespace

TEST_SUITE("scrubber") {
  TEST_CASE("a flipped byte is found in the first pass and only that chunk") {
    ScrubRig r(5);
    test::FlipByte(r.dir / "edge.db", r.ids[2]);
    auto s = r.Make({1000, 8 << 20});
    s->Start();
    REQUIRE(test::WaitFor([&] { return r.m.Get("scrub_passes") >= 1; }));
    s->Stop();
    std::lock_guard<std::mutex> lk(r.mu);
    REQUIRE(r.found.size() == 1);
    CHECK(r.found[0] == r.ids[2]);
    CHECK(r.m.Get("scrub_corrupt_found") == 1);
    CHECK(r.m.Get("scrub_chunks_checked") == 5);
    CHECK(r.m.Get("scrub_bytes_checked") == r.bytes);
  }

  TEST_CASE("a clean store gives nothing, and passes repeat once per period") {
    ScrubRig r(3);
    auto s = r.Make({200, 8 << 20});
    s->Start();
    REQUIRE(test::WaitFor([&] { return r.m.Get("scrub_passes") >= 3; }));
    s->Stop();
    CHECK(r.found.empty());
    CHECK(r.m.Get("scrub_corrupt_found") == 0);
  }

  TEST_CASE("scrub never reads faster than max_bytes_per_s") {
    ScrubRig r(6);
    // Five chunks' worth of bytes a second at most: the first chunk is free, the other five
    // take at least a second.
    const auto rate = static_cast<uint64_t>(r.bytes / 6 * 5);
    auto s = r.Make({1000000, rate});
    const uint64_t start = MonotonicMs();
    s->Start();
    REQUIRE(test::WaitFor([&] { return r.m.Get("scrub_passes") >= 1; }, 30));
    const uint64_t took = MonotonicMs() - start;
    s->Stop();
    CHECK(took >= 900);
    CHECK(r.m.Get("scrub_bytes_per_s") == static_cast<int64_t>(rate));
  }

  TEST_CASE("a restart resumes the pass after the kept cursor, the next pass starts over") {
    ScrubRig r(6);
    std::vector<ChunkId> sorted = r.ids;
    std::sort(sorted.begin(), sorted.end());
    test::FlipByte(r.dir / "edge.db", sorted[0]);  // before the cursor: not in the first pass
    REQUIRE(r.store->PutMeta("scrub_cursor", ToHex(sorted[3])).ok());
    auto s = r.Make({2000, 8 << 20});
    s->Start();
    REQUIRE(test::WaitFor([&] { return r.m.Get("scrub_passes") >= 1; }));
    const int64_t first_checked = r.m.Get("scrub_chunks_checked");  // the next pass is 2 s away
    const int64_t first_found = r.m.Get("scrub_corrupt_found");
    REQUIRE(test::WaitFor([&] { return r.m.Get("scrub_passes") >= 2; }));
    s->Stop();
    // The resumed pass read the two chunks after the cursor; only the full pass found the flip.
    CHECK(first_checked == 2);
    CHECK(first_found == 0);
    CHECK(r.m.Get("scrub_corrupt_found") == 1);
    CHECK(r.m.Get("scrub_chunks_checked") >= 8);
    std::lock_guard<std::mutex> lk(r.mu);
    REQUIRE(!r.found.empty());
    CHECK(r.found[0] == sorted[0]);
  }

  TEST_CASE("stop ends a throttled pass at once") {
    ScrubRig r(4);
    auto s = r.Make({1000000, 1});  // a byte a second: the pass would take hours
    s->Start();
    REQUIRE(test::WaitFor([&] { return r.m.Get("scrub_chunks_checked") >= 1; }));
    const uint64_t start = MonotonicMs();
    s->Stop();
    CHECK(MonotonicMs() - start < 5000);
    CHECK(r.m.Get("scrub_passes") == 0);
  }
}
}  // namespace tern::edge
