#include "tern/edge/chunker.h"

#include <doctest/doctest.h>

#include <thread>

namespace tern::edge {
namespace {
struct Sink {
  std::vector<SealedChunk> chunks;
  Chunker::SealFn fn() {
    return [this](SealedChunk c) { chunks.push_back(std::move(c)); };
  }
};
}  // namespace

TEST_SUITE("chunker") {
  TEST_CASE("size bound splits, sequence numbers continue, every record once") {
    HybridClock clock;
    Sink sink;
    ChunkerOptions o;
    o.max_records = 100;
    o.window_ms = 60000;
    Chunker ch(3, 1, &clock, o, sink.fn());
    ch.AddSource({"vib", RecordKind::kSamples, Priority::kNormal, 2}, 500, 7);
    for (int i = 0; i < 250; ++i) REQUIRE(ch.Add("vib", EncodeSamples({1.0 * i, 2.0})).ok());
    CHECK(sink.chunks.size() == 2);
    ch.FlushAll();
    REQUIRE(sink.chunks.size() == 3);
    uint64_t expect = 500;
    for (size_t k = 0; k < 3; ++k) {
      auto& c = sink.chunks[k];
      CHECK(c.header.seq == 7 + k);
      CHECK(c.id == ChunkIdOf(c.wire));
      auto v = DecodeChunk(c.wire);
      REQUIRE(v.ok());
      CHECK(v->header.origin == 3);
      auto recs = DecodeRecords(*v);
      REQUIRE(recs.ok());
      for (auto& r : *recs) CHECK(r.seq == expect++);
    }
    CHECK(expect == 750);
    CHECK(sink.chunks.back().next_record_seq == 750);
    CHECK(sink.chunks.back().next_chunk_seq == 10);
  }

  TEST_CASE("a source's own codec overrides the chunker's, others keep the chunker's") {
    HybridClock clock;
    Sink sink;
    ChunkerOptions o;
    o.codec = Codec::kZstd;
    Chunker ch(1, 1, &clock, o, sink.fn());
    ch.AddSource({"files", RecordKind::kBlob, Priority::kBulk, 0, {}, Codec::kRaw}, 0, 0);
    ch.AddSource({"ev", RecordKind::kEvent, Priority::kNormal, 0}, 0, 0);
    REQUIRE(ch.Add("files", EncodeBlobPart({"a.bin", 5, 0, "hello"})).ok());
    REQUIRE(ch.Add("ev", "{}").ok());
    ch.FlushAll();
    REQUIRE(sink.chunks.size() == 2);
    for (const auto& c : sink.chunks) {
      auto v = DecodeChunk(c.wire);
      REQUIRE(v.ok());
      CHECK(v->header.codec == (c.header.source == "files" ? Codec::kRaw : Codec::kZstd));
    }
  }

  TEST_CASE("window closes a chunk by time") {
    HybridClock clock;
    Sink sink;
    ChunkerOptions o;
    o.window_ms = 20;
    Chunker ch(1, 1, &clock, o, sink.fn());
    ch.AddSource({"s", RecordKind::kEvent, Priority::kAlarm, 0}, 0, 0);
    REQUIRE(ch.Add("s", "{}").ok());
    ch.Tick();
    CHECK(sink.chunks.empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ch.Tick();
    REQUIRE(sink.chunks.size() == 1);
    CHECK(sink.chunks[0].header.priority == Priority::kAlarm);
  }

  TEST_CASE("large blobs split into parts that reassemble") {
    HybridClock clock;
    Sink sink;
    ChunkerOptions o;
    o.max_bytes = 8192;
    Chunker ch(1, 1, &clock, o, sink.fn());
    ch.AddSource({"files", RecordKind::kBlob, Priority::kBulk, 0}, 0, 0);
    std::string data(50000, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = char(i * 7);
    bool durable = false;
    REQUIRE(ch.AddBlob("files", "frame.jpg", data, [&] { durable = true; }).ok());
    REQUIRE(sink.chunks.size() >= 7);
    std::string back(data.size(), 'x');
    for (auto& c : sink.chunks) {
      CHECK(c.wire.size() <= 8192 + 256);
      auto v = DecodeChunk(c.wire);
      REQUIRE(v.ok());
      for (auto& r : DecodeRecords(*v).value()) {
        auto part = DecodeBlobPart(r.payload);
        REQUIRE(part.ok());
        CHECK(part->name == "frame.jpg");
        back.replace(part->offset, part->data.size(), part->data);
      }
    }
    CHECK(back == data);
    // Only the chunk with the last part carries the durability callback.
    for (size_t i = 0; i + 1 < sink.chunks.size(); ++i) CHECK(sink.chunks[i].on_durable.empty());
    REQUIRE(sink.chunks.back().on_durable.size() == 1);
    sink.chunks.back().on_durable[0]();
    CHECK(durable);
  }

  TEST_CASE("admission refusal takes nothing and keeps sequence numbers") {
    HybridClock clock;
    Sink sink;
    bool full = false;
    Chunker ch(1, 1, &clock, {}, sink.fn(), [&](const SourceSpec&, size_t) {
      return full ? Status::ResourceExhausted("outbox full") : Status::Ok();
    });
    ch.AddSource({"s", RecordKind::kEvent, Priority::kNormal, 0}, 0, 0);
    REQUIRE(ch.Add("s", "a").ok());
    full = true;
    CHECK(ch.Add("s", "b").code() == Status::Code::kResourceExhausted);
    full = false;
    REQUIRE(ch.Add("s", "c").ok());
    ch.FlushAll();
    auto recs = DecodeRecords(DecodeChunk(sink.chunks[0].wire).value()).value();
    REQUIRE(recs.size() == 2);
    CHECK(recs[1].seq == 1);
    CHECK(recs[1].payload == "c");
    CHECK(ch.Add("nope", "x").code() == Status::Code::kNotFound);
  }

  TEST_CASE("a chunk carries its source's tags and the union of its records' tags") {
    HybridClock clock;
    Sink sink;
    ChunkerOptions o;
    o.window_ms = 60000;
    Chunker ch(3, 1, &clock, o, sink.fn());
    ch.AddSource({"feed", RecordKind::kEvent, Priority::kNormal, 0, {"line2"}}, 0, 0);
    REQUIRE(ch.Add("feed", R"({"a":1})", {"bearing"}).ok());
    REQUIRE(ch.Add("feed", R"({"a":2})", {"alpha", "line2"}).ok());
    REQUIRE(ch.Add("feed", R"({"a":3})").ok());
    ch.FlushAll();
    REQUIRE(ch.Add("feed", R"({"a":4})").ok());
    ch.FlushAll();
    REQUIRE(sink.chunks.size() == 2);
    auto v = DecodeChunk(sink.chunks[0].wire);
    REQUIRE(v.ok());
    CHECK(v->header.tags == std::vector<std::string>{"alpha", "bearing", "line2"});
    // The next chunk starts afresh: only the source's own tags.
    auto v2 = DecodeChunk(sink.chunks[1].wire);
    REQUIRE(v2.ok());
    CHECK(v2->header.tags == std::vector<std::string>{"line2"});
  }

  TEST_CASE("an untagged source makes version 1 chunks") {
    HybridClock clock;
    Sink sink;
    Chunker ch(3, 1, &clock, ChunkerOptions{}, sink.fn());
    ch.AddSource({"vib", RecordKind::kSamples, Priority::kNormal, 1}, 0, 0);
    REQUIRE(ch.Add("vib", EncodeSamples({1.0})).ok());
    ch.FlushAll();
    REQUIRE(sink.chunks.size() == 1);
    CHECK(DecodeChunk(sink.chunks[0].wire).value().header.version == kChunkVersionUntagged);
  }
}
}  // namespace tern::edge
