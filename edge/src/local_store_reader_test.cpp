// Unit tests of the read-only store API (LocalStore::OpenReadOnly / LocalStoreReader): what
// ternctl reads from an edge.db it does not own, beside a running writer.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>

#include "process.h"
#include "tern/edge/local_store.h"
#include "test_util.h"

namespace tern::edge {
namespace {
using test::SubmitWait;
StoreWrite Chunk(StoreWrite::Kind kind, const std::string& wire, uint32_t origin) {
  StoreWrite w{kind};
  w.wire = wire;
  w.info.id = ChunkIdOf(wire);
  w.info.origin = origin;
  w.info.source = "vib";
  return w;
}
}  // namespace

TEST_SUITE("local_store_reader") {
  TEST_CASE("a read-only reader sees what the running store committed") {
    testing::TempDir dir;
    auto s = LocalStore::Open(dir / "edge.db").value();
    REQUIRE(SubmitWait(*s, Chunk(StoreWrite::Kind::kOwnChunk, "own-wire", 1)).ok());
    REQUIRE(SubmitWait(*s, Chunk(StoreWrite::Kind::kReplica, "peer-wire!", 2)).ok());
    auto r = LocalStore::OpenReadOnly(dir / "edge.db");
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK((*r)->path() == dir / "edge.db");
    CHECK((*r)->GetChunk(ChunkIdOf("own-wire")).value().value() == "own-wire");
    CHECK_FALSE((*r)->GetChunk(ChunkIdOf("absent")).value().has_value());
    CHECK((*r)->Totals().value() == std::pair<int64_t, int64_t>{2, 18});
    CHECK((*r)->LoadOutbox().value().size() == 1);
    std::map<std::string, StoredChunkView> seen;
    std::map<std::string, std::string> data;
    REQUIRE((*r)->ScanChunks(true,
                             [&](const StoredChunkView& v) {
                               seen[std::string(v.id)] = v;
                               data[std::string(v.id)] = std::string(v.data);
                             })
                .ok());
    REQUIRE(seen.size() == 2);
    CHECK(seen[ChunkIdOf("own-wire")].own);
    CHECK(seen[ChunkIdOf("peer-wire!")].origin == 2);
    CHECK_FALSE(seen[ChunkIdOf("peer-wire!")].own);
    CHECK(data[ChunkIdOf("peer-wire!")] == "peer-wire!");
    int n = 0;
    REQUIRE((*r)->ScanChunks(false, [&](const StoredChunkView& v) { n += v.data.empty(); }).ok());
    CHECK(n == 2);
    // A later commit is visible to the same reader: no statement keeps an old snapshot.
    REQUIRE(SubmitWait(*s, Chunk(StoreWrite::Kind::kReplica, "later", 3)).ok());
    CHECK((*r)->Totals().value().first == 3);
    CHECK((*r)->HasChunk(ChunkIdOf("later")).value());
  }

  TEST_CASE("a missing file or a file that is no store is an error naming the path") {
    testing::TempDir dir;
    auto none = LocalStore::OpenReadOnly(dir / "nope.db");
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().code() == Status::Code::kNotFound);
    CHECK(none.status().message() == "store " + dir / "nope.db" + ": no such file");
    CHECK_FALSE(std::filesystem::exists(dir / "nope.db"));  // never creates
    {
      auto other = Database::Open(dir / "other.db").value();
      REQUIRE(other->Migrate({"CREATE TABLE t(x);"}).ok());
    }
    auto bad = LocalStore::OpenReadOnly(dir / "other.db");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message().find("store " + dir / "other.db") != std::string::npos);
  }
}
}  // namespace tern::edge
