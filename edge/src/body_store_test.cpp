// Dedup in the local store: shared blob bodies, reference counts, reassembly, corruption.
#include "body_store.h"

#include <doctest/doctest.h>

#include <future>
#include <mutex>

#include "scrubber.h"
#include "tern/common/sha256.h"
#include "tern/edge/local_store.h"
#include "test_util.h"

namespace tern::edge {
namespace {
using test::SubmitWait;

// A raw blob chunk carrying file `name` with `data` (split in parts of at most `part` bytes).
std::string BlobChunk(const std::string& name, const std::string& data, uint64_t seq,
                      size_t part = 1 << 20, Codec codec = Codec::kRaw) {
  ChunkHeader h;
  h.origin = 7;
  h.source = "files";
  h.kind = RecordKind::kBlob;
  h.codec = codec;
  h.seq = seq;
  std::vector<Record> recs;
  size_t off = 0;
  do {
    const size_t n = std::min(part, data.size() - off);
    recs.push_back({seq * 10 + off + 1, seq * 100 + off,
                    EncodeBlobPart({name, data.size(), off, data.substr(off, n)})});
    off += n;
  } while (off < data.size());
  return BuildChunk(h, recs).value();
}

std::string Content(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(static_cast<size_t>(seed) + i * 31 + i / 7);
  return s;
}

StoreWrite Replica(const std::string& wire) {
  StoreWrite w{StoreWrite::Kind::kReplica};
  w.wire = wire;
  w.info.id = ChunkIdOf(wire);
  w.info.source = "files";
  w.info.origin = 7;
  return w;
}

int64_t Rows(const std::string& path, const std::string& sql) {
  auto db = Database::Open(path).value();
  auto q = db->Prepare(sql).value();
  return q->Step().value() ? q->Int(0) : -1;
}

// Flips one bit in the shared body (refs >= 2), behind the store's back (a rotted sector).
void CorruptSharedBody(const std::string& path) {
  auto db = Database::Open(path).value();
  auto q = db->Prepare("SELECT hash, data FROM bodies WHERE refs >= 2").value();
  REQUIRE(q->Step().value());
  const std::string hash(q->Blob(0));
  std::string data(q->Blob(1));
  q.reset();
  data[data.size() / 3] = static_cast<char>(data[data.size() / 3] ^ 0x10);
  auto u = db->Prepare("UPDATE bodies SET data = ? WHERE hash = ?").value();
  REQUIRE(u->BindBlob(1, data).BindBlob(2, hash).Run().ok());
}
}  // namespace

TEST_SUITE("body_store") {
  TEST_CASE("only raw blob parts of at least kMinSharedBody bytes are shareable") {
    const std::string data = Content(1000, 'a');
    auto spans = ShareableSpans(BlobChunk("a.bin", data, 1, 400));
    REQUIRE(spans.size() == 2);  // 400 + 400; the last 200 bytes stay inline
    const std::string wire = BlobChunk("a.bin", data, 1, 400);
    CHECK(wire.substr(spans[0].offset, spans[0].size) == data.substr(0, 400));
    CHECK(wire.substr(spans[1].offset, spans[1].size) == data.substr(400, 400));
    CHECK(ShareableSpans(BlobChunk("a.bin", data, 1, 1 << 20, Codec::kZstd)).empty());
    CHECK(ShareableSpans(test::MakeChunk(1, 1)).empty());
    CHECK(ShareableSpans("not a chunk").empty());
  }

  TEST_CASE("identical files are stored once and every chunk reads back exactly") {
    testing::TempDir dir;
    auto s = LocalStore::Open(dir / "edge.db", 0).value();
    const std::string data = Content(5000, 'x');
    const std::string a = BlobChunk("a.bin", data, 1), b = BlobChunk("b.bin", data, 2);
    const std::string c = BlobChunk("c.bin", Content(3000, 'y'), 3);
    for (const auto& w : {a, b, c, b}) REQUIRE(SubmitWait(*s, Replica(w)).ok());  // b twice
    for (const auto& w : {a, b, c}) {
      auto got = s->GetChunk(ChunkIdOf(w)).value();
      REQUIRE(got);
      CHECK(*got == w);
      CHECK(s->GetCopy(ChunkIdOf(w)).value()->wire == w);
    }
    auto d = s->Dedup();
    CHECK(d.bodies == 2);
    CHECK(d.body_bytes == 8000);
    CHECK(d.saved_bytes == 5000);  // b's copy of the file; b stored twice is one row
    int seen = 0;
    auto r = LocalStore::OpenReadOnly(dir / "edge.db");
    REQUIRE(r.ok());
    REQUIRE((*r)->ScanChunks(true,
                             [&](const StoredChunkView& v) {
                               CHECK(ChunkIdOf(v.data) == v.id);
                               ++seen;
                             })
                .ok());
    CHECK(seen == 3);
    // Totals still count each chunk's wire bytes.
    CHECK(s->Totals().value().second == static_cast<int64_t>(a.size() + b.size() + c.size()));
  }

  TEST_CASE("removing one reference keeps the body, the last removal drops it") {
    testing::TempDir dir;
    auto s = LocalStore::Open(dir / "edge.db", 0).value();
    const std::string data = Content(4096, 'q');
    const std::string a = BlobChunk("a", data, 1), b = BlobChunk("b", data, 2);
    REQUIRE(SubmitWait(*s, Replica(a)).ok());
    REQUIRE(SubmitWait(*s, Replica(b)).ok());
    StoreWrite drop{StoreWrite::Kind::kDropReplica};
    drop.id = ChunkIdOf(a);
    REQUIRE(SubmitWait(*s, drop).ok());
    CHECK_FALSE(s->HasChunk(ChunkIdOf(a)).value());
    CHECK(*s->GetChunk(ChunkIdOf(b)).value() == b);
    CHECK(s->Dedup().bodies == 1);
    CHECK(s->Dedup().saved_bytes == 0);
    drop.id = ChunkIdOf(b);
    REQUIRE(SubmitWait(*s, drop).ok());
    CHECK(s->Dedup().bodies == 0);
    CHECK(Rows(dir / "edge.db", "SELECT count(*) FROM bodies") == 0);
  }

  TEST_CASE("dedup off keeps rows whole, and split rows stay readable") {
    testing::TempDir dir;
    const std::string data = Content(2048, 'm');
    const std::string a = BlobChunk("a", data, 1), b = BlobChunk("b", data, 2);
    {
      auto s = LocalStore::Open(dir / "edge.db", 0, true).value();
      REQUIRE(SubmitWait(*s, Replica(a)).ok());
    }
    auto s = LocalStore::Open(dir / "edge.db", 0, false).value();
    REQUIRE(SubmitWait(*s, Replica(b)).ok());
    CHECK(*s->GetChunk(ChunkIdOf(a)).value() == a);
    CHECK(*s->GetChunk(ChunkIdOf(b)).value() == b);
    CHECK(s->Dedup().saved_bytes == 0);
    CHECK(s->Dedup().bodies == 1);  // counted from the table at open
    auto r = LocalStore::OpenReadOnly(dir / "edge.db");
    REQUIRE(r.ok());
    CHECK(*(*r)->GetChunk(ChunkIdOf(a)).value() == a);
    CHECK((*r)->Dedup().value().body_bytes == 2048);
  }

  TEST_CASE("a corrupt shared body fails every chunk on it, and a good copy repairs it") {
    test::StoreRig rig("body_scrub");
    const std::string data = Content(3000, 'z');
    const std::string a = BlobChunk("a", data, 1), b = BlobChunk("b", data, 2);
    REQUIRE(SubmitWait(*rig.store, Replica(a)).ok());
    REQUIRE(SubmitWait(*rig.store, Replica(b)).ok());
    CorruptSharedBody(rig.dir / "edge.db");
    std::mutex mu;
    std::vector<ChunkId> found;
    Scrubber scrub({1000, 8 << 20}, rig.store.get(), &rig.m, "test", [&](const ChunkId& id) {
      std::lock_guard<std::mutex> lk(mu);
      found.push_back(id);
    });
    scrub.Start();
    REQUIRE(test::WaitFor([&] { return rig.m.Get("scrub_passes") >= 1; }));
    scrub.Stop();
    {
      std::lock_guard<std::mutex> lk(mu);
      CHECK(found.size() == 2);
    }
    // Quarantine a (its bad bytes kept whole), then a good copy of a arrives again: the
    // rotted body is replaced after the byte comparison, which also heals b.
    StoreWrite q{StoreWrite::Kind::kQuarantine};
    q.id = ChunkIdOf(a);
    q.value = "scrub";
    REQUIRE(SubmitWait(*rig.store, q).ok());
    CHECK(Rows(rig.dir / "edge.db", "SELECT length(data) FROM quarantine") ==
          static_cast<int64_t>(a.size()));
    CHECK(rig.store->Dedup().bodies == 1);  // b still references it
    REQUIRE(SubmitWait(*rig.store, Replica(a)).ok());
    CHECK(*rig.store->GetChunk(ChunkIdOf(a)).value() == a);
    CHECK(*rig.store->GetChunk(ChunkIdOf(b)).value() == b);
    CHECK(rig.store->Dedup().saved_bytes == 3000);
  }

  TEST_CASE("body refs that do not fit the skeleton are an error, not a crash") {
    BodyRef r{100, 10, std::string(32, 'h')};
    auto out = Reassemble("short", EncodeBodyRefs({r}), [](std::string_view) {
      return Result<std::optional<std::string>>(std::optional<std::string>());
    });
    CHECK_FALSE(out.ok());
    CHECK_FALSE(DecodeBodyRefs("odd").ok());
  }
}
}  // namespace tern::edge
