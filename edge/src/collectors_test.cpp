#include "tern/edge/collectors.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "process.h"

namespace tern::edge {
TEST_SUITE("collectors") {
  TEST_CASE("feed lines: json objects and csv columns, bad lines refused") {
    CHECK(FeedLineToPayload(R"({"t":1,"door":"open"})", "jsonl", 0).ok());
    CHECK_FALSE(FeedLineToPayload("[1,2]", "jsonl", 0).ok());
    CHECK_FALSE(FeedLineToPayload("{oops", "jsonl", 0).ok());
    // A line nested 100,000 deep is refused before it is parsed (dump() would recurse).
    std::string deep = R"({"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK(FeedLineToPayload(deep, "jsonl", 0).status().message().find("deeper") !=
          std::string::npos);
    auto p = FeedLineToPayload("1.5,2,-3", "csv", 3);
    REQUIRE(p.ok());
    CHECK(DecodeSamples(*p, 3).value()[2] == -3);
    CHECK(FeedLineToPayload("a,b,c", "csv", 3).status().code() == Status::Code::kNotFound);
    CHECK(FeedLineToPayload("1,2", "csv", 3).status().code() == Status::Code::kInvalidArgument);
  }

  TEST_CASE("a feed record's tags are read, a bad tags field is reported and the record kept") {
    FeedTags t;
    auto p = FeedLineToPayload(R"({"v":1,"tags":["line2","bearing","line2"]})", "jsonl", 0, &t);
    REQUIRE(p.ok());
    CHECK(t.error.empty());
    CHECK(t.tags == std::vector<std::string>{"bearing", "line2"});
    for (const char* bad :
         {R"({"tags":"bearing"})", R"({"tags":[1]})", R"({"tags":["a b"]})",
          R"({"tags":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]})"}) {
      FeedTags b;
      auto kept = FeedLineToPayload(bad, "jsonl", 0, &b);
      CHECK_MESSAGE(kept.ok(), bad);
      CHECK_MESSAGE(!b.error.empty(), bad);
      CHECK(b.tags.empty());
    }
    FeedTags none;
    REQUIRE(FeedLineToPayload(R"({"v":1})", "jsonl", 0, &none).ok());
    CHECK(none.tags.empty());
    CHECK(none.error.empty());
  }

  TEST_CASE("synthetic source is deterministic and synchronised") {
    auto a = SyntheticSource::Sample(123, 6, 1000);
    auto b = SyntheticSource::Sample(123, 6, 1000);
    CHECK(a == b);
    CHECK(a.size() == 6);
    CHECK(a != SyntheticSource::Sample(124, 6, 1000));
  }

  TEST_CASE("drop dir: a file is removed only after its chunk is durable") {
    testing::TempDir dir;
    std::string drop = dir / "drop";
    std::filesystem::create_directories(drop);
    std::ofstream(drop + "/a.bin") << std::string(3000, 'a');
    std::ofstream(drop + "/b.tmp") << "still being written";
    HybridClock clock;
    std::mutex mu;
    std::vector<SealedChunk> chunks;
    Chunker ch(1, 1, &clock, {}, [&](SealedChunk c) {
      std::lock_guard<std::mutex> lk(mu);
      chunks.push_back(std::move(c));
    });
    ch.AddSource({"files", RecordKind::kBlob, Priority::kBulk, 0}, 0, 0);
    Metrics m;
    DropDirOptions o;
    o.path = drop;
    o.poll_ms = 10;
    DropDirCollector col(o, &ch, &m);
    col.Start();
    for (int i = 0; i < 200 && m.Get("records_collected") == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    col.Stop();
    CHECK(m.Get("records_collected") == 1);  // picked up once, not once per scan
    CHECK(std::filesystem::exists(drop + "/a.bin"));  // not durable yet
    CHECK(std::filesystem::exists(drop + "/b.tmp"));
    std::lock_guard<std::mutex> lk(mu);
    REQUIRE(chunks.size() == 1);
    for (auto& f : chunks[0].on_durable) f();
    CHECK_FALSE(std::filesystem::exists(drop + "/a.bin"));
  }
}
}  // namespace tern::edge
