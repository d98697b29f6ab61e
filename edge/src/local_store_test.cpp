#include "tern/edge/local_store.h"

#include <doctest/doctest.h>

#include <future>

#include "process.h"
#include "test_util.h"

namespace tern::edge {
namespace {
using test::SubmitWait;
StoreWrite Own(const std::string& wire, const std::string& source) {
  StoreWrite w{StoreWrite::Kind::kOwnChunk};
  w.wire = wire;
  w.info.id = ChunkIdOf(wire);
  w.info.source = source;
  w.info.origin = 1;
  w.key = "seq/" + source;
  w.value = "10 2";
  return w;
}
}  // namespace

TEST_SUITE("local_store") {
  TEST_CASE("own chunks enter the outbox with their sequence state, durably") {
    testing::TempDir dir;
    ChunkId id;
    {
      auto s = LocalStore::Open(dir / "edge.db");
      REQUIRE(s.ok());
      auto w = Own("wire-bytes-1", "vib");
      id = w.info.id;
      REQUIRE(SubmitWait(**s, w).ok());
      StoreWrite rep{StoreWrite::Kind::kReplica};
      rep.wire = "replica";
      rep.info.id = ChunkIdOf("replica");
      rep.info.source = "x";
      REQUIRE(SubmitWait(**s, rep).ok());
    }
    auto s = LocalStore::Open(dir / "edge.db");
    REQUIRE(s.ok());
    auto ob = (*s)->LoadOutbox();
    REQUIRE(ob.ok());
    REQUIRE(ob->size() == 1);  // the replica is not ours to send
    CHECK((*ob)[0].id == id);
    CHECK((*s)->GetMeta("seq/vib").value().value() == "10 2");
    CHECK((*s)->GetChunk(id).value().value() == "wire-bytes-1");
    CHECK((*s)->Totals().value().first == 2);
    StoreWrite done{StoreWrite::Kind::kOutboxDone};
    done.id = id;
    REQUIRE(SubmitWait(**s, done).ok());
    CHECK((*s)->LoadOutbox().value().empty());
    CHECK((*s)->HasChunk(id).value());  // the local copy stays: it is one of the three
  }

  TEST_CASE("drop removes replicas only, never own chunks") {
    testing::TempDir dir;
    auto s = LocalStore::Open(dir / "edge.db");
    REQUIRE(s.ok());
    auto w = Own("mine", "vib");
    REQUIRE(SubmitWait(**s, w).ok());
    StoreWrite drop{StoreWrite::Kind::kDropReplica};
    drop.id = w.info.id;
    REQUIRE(SubmitWait(**s, drop).ok());
    CHECK((*s)->HasChunk(w.info.id).value());
  }

  TEST_CASE("a source's next sequence numbers never go back, whatever order chunks commit in") {
    // After a disk-full episode the retried chunk (seq 4, next "5 5") commits after chunks
    // sealed since (seq 5..6); a crash then must not restart the source at 5.
    testing::TempDir dir;
    {
      auto s = LocalStore::Open(dir / "edge.db");
      REQUIRE(s.ok());
      auto seal = [&](const std::string& wire, const std::string& next) {
        StoreWrite w = Own(wire, "vib");
        w.value = next;
        w.seq_meta = true;
        return SubmitWait(**s, w);
      };
      REQUIRE(seal("c5", "6 6").ok());
      REQUIRE(seal("c6", "9 7").ok());
      REQUIRE(seal("c4", "5 5").ok());  // the retry, last
      CHECK((*s)->GetMeta("seq/vib").value().value() == "9 7");
      REQUIRE(seal("c7", "9 8").ok());  // a chunk without records still moves on
      REQUIRE(seal("c8", "12 8").ok());
      CHECK((*s)->GetMeta("seq/vib").value().value() == "12 8");
      REQUIRE(seal("c9", "10 11").ok());  // compared by chunk number first
      CHECK((*s)->GetMeta("seq/vib").value().value() == "10 11");
    }  // the crash: only what committed is there
    auto s = LocalStore::Open(dir / "edge.db");
    REQUIRE(s.ok());
    CHECK((*s)->GetMeta("seq/vib").value().value() == "10 11");
    CHECK((*s)->LoadOutbox().value().size() == 6);
  }

  TEST_CASE("many concurrent writes share commits and all land") {
    testing::TempDir dir;
    auto s = LocalStore::Open(dir / "edge.db", 5);
    REQUIRE(s.ok());
    std::atomic<int> ok{0}, done{0};
    for (int i = 0; i < 2000; ++i) {
      StoreWrite w = Own("w" + std::to_string(i), "s");
      (*s)->Submit(std::move(w), [&](const Status& st) {
        ok += st.ok();
        ++done;
      });
    }
    // Every callback, not an empty queue plus a fixed sleep: the last commit's callbacks run
    // after its fsync, which a loaded machine delays well past the queue emptying.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (done < 2000 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(ok == 2000);
    CHECK((*s)->LoadOutbox().value().size() == 2000);
  }
}
}  // namespace tern::edge
