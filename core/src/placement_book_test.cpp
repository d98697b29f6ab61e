#include "placement_book.h"

#include <doctest/doctest.h>

namespace tern::core {
namespace {
constexpr uint64_t kNow = 1'800'000'000'000ull;  // wall ms
ChunkRecord Chunk(int n, uint32_t origin, const std::string& source, uint64_t ms,
                  std::vector<uint32_t> holders) {
  ChunkRecord r;
  r.id = std::string(32, static_cast<char>(n));
  r.origin = origin;
  r.source = source;
  r.t_first = ms << 16;
  r.acked = true;
  r.holders = std::move(holders);
  return r;
}
bool AllGood(uint32_t) { return true; }
}  // namespace

TEST_SUITE("placement_book") {
  TEST_CASE("keys follow what the origin said: its groups and its window") {
    PlacementBook b;
    ChunkRecord r = Chunk(1, 5, "vib", kNow, {});
    CHECK(b.KeyOf(r) == placement::KeyOf("", "vib", r.t_first, 10000));  // never heard of
    msg::Heartbeat hb;
    hb.placement_window_ms = 2000;
    hb.groups = {{"vib", "rig"}};
    b.OnHeartbeat(5, hb);
    CHECK(b.KeyOf(r) == placement::Key{"rig", kNow / 2000});
    CHECK(b.WindowOf(5) == 2000);
    CHECK(b.KeyOf(Chunk(2, 5, "files", kNow, {})) == placement::Key{"files", kNow / 2000});
    CHECK(b.KeyOf(Chunk(3, 6, "vib", kNow, {})) == placement::Key{"vib", kNow / 10000});
    b.OnHeartbeat(5, msg::Heartbeat{});  // an edge without placement fields: the defaults
    CHECK(b.KeyOf(r) == placement::Key{"vib", kNow / 10000});
  }

  TEST_CASE("a window counts as co-located when copies - 1 good stores hold all of it") {
    PlacementBook b;
    msg::Heartbeat hb;
    hb.groups = {{"a", "rig"}, {"b", "rig"}};
    b.OnHeartbeat(1, hb);
    b.OnHeartbeat(4, hb);
    const uint64_t w0 = kNow - kNow % 10000 - 60000;  // a window a minute ago
    std::vector<ChunkRecord> all = {
        // window 0: origins 1 and 4 of group rig; stores 1 and 2 hold all three chunks
        Chunk(1, 1, "a", w0, {1, 2, 3}), Chunk(2, 4, "b", w0 + 5, {4, 1, 2}),
        Chunk(3, 1, "a", w0 + 9, {1, 2, 3}),
        // window 1: scattered (random placement): only the origin holds both
        Chunk(4, 1, "a", w0 + 10000, {1, 2, 3}), Chunk(5, 1, "a", w0 + 10001, {1, 4, 5}),
        // window 2: a single chunk is not judged
        Chunk(6, 1, "a", w0 + 20000, {1, 2, 3}),
        // older than the period: not judged
        Chunk(7, 1, "a", kNow - 7200000, {1, 2, 3}), Chunk(8, 1, "a", kNow - 7200000, {1, 4, 5}),
        // results (origin = the core, 99) are not judged
        Chunk(9, 99, "msmve", w0, {1, 2, 3}), Chunk(10, 99, "msmve", w0, {4, 5, 6})};
    PlacementQuality q = b.Measure(all, AllGood, 3, 99, kNow, 3600000);
    CHECK(q.windows == 2);
    CHECK(q.colocated == 1);
    CHECK(q.Permille() == 500);
    // Store 2 dies: window 0 keeps only store 1 in common, one short of two.
    q = b.Measure(
        all, [](uint32_t h) { return h != 2; }, 3, 99, kNow, 3600000);
    CHECK(q.colocated == 0);
    // Unacked chunks are not judged.
    for (auto& r : all) r.acked = false;
    q = b.Measure(all, AllGood, 3, 99, kNow, 3600000);
    CHECK(q.windows == 0);
    CHECK(q.Permille() == -1);
  }
}
}  // namespace tern::core
