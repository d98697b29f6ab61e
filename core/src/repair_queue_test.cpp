#include "repair_queue.h"

#include <doctest/doctest.h>

namespace tern::core {
namespace {
ChunkId Id(char c) { return ChunkId(32, c); }
}  // namespace

TEST_SUITE("repair_queue") {
  TEST_CASE("one-copy chunks come before two-copy chunks, first queued first within a rank") {
    RepairQueue q;
    q.Push(Id('a'), 2, 10, 1);
    q.Push(Id('b'), 1, 10, 2);
    q.Push(Id('c'), 2, 10, 3);
    q.Push(Id('d'), 1, 10, 4);
    q.Push(Id('e'), 3, 10, 5);  // enough copies, one to replace: last
    CHECK(q.Front(10) == std::vector<ChunkId>{Id('b'), Id('d'), Id('a'), Id('c'), Id('e')});
    CHECK(q.Front(2) == std::vector<ChunkId>{Id('b'), Id('d')});
    CHECK(q.CountWith(1) == 2);
    CHECK(q.CountWith(2) == 2);
    CHECK(q.CountWith(3) == 1);
  }

  TEST_CASE("a chunk that loses a copy moves up, keeping its place in time and what failed") {
    RepairQueue q;
    q.Push(Id('a'), 2, 10, 1);
    q.Push(Id('b'), 1, 10, 2);
    q.Find(Id('a'))->failed_targets.insert(7);
    q.Push(Id('a'), 1, 10, 9);
    CHECK(q.Front(2) == std::vector<ChunkId>{Id('a'), Id('b')});
    CHECK(q.Find(Id('a'))->queued_ms == 1);
    CHECK(q.Find(Id('a'))->ranked_ms == 9);  // one-copy since 9
    CHECK(q.Find(Id('b'))->ranked_ms == 2);
    CHECK(q.Find(Id('a'))->failed_targets.count(7) == 1);
    q.Push(Id('a'), 1, 10, 12);  // same rank: the time it entered it stays
    CHECK(q.Find(Id('a'))->ranked_ms == 9);
    CHECK(q.size() == 2);
  }

  TEST_CASE("a chunk with no good copy is not queued, and leaves the queue") {
    RepairQueue q;
    q.Push(Id('a'), 0, 10, 1);
    CHECK(q.size() == 0);
    q.Push(Id('b'), 1, 10, 1);
    q.Push(Id('b'), 0, 10, 2);
    CHECK(q.size() == 0);
    CHECK(q.Find(Id('b')) == nullptr);
    CHECK_FALSE(q.Erase(Id('b')));
  }
}

}  // namespace tern::core
