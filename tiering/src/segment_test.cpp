// Segment files: byte-identical round trips; torn, truncated and corrupt segments refused
// with the path (and chunk id) named.
#include "tern/tiering/segment.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "process.h"

namespace tern::tiering {
namespace {

std::string Bytes(size_t n, int seed) {
  std::string s(n, '\0');
  uint32_t x = static_cast<uint32_t>(seed) * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(i % 7 == 0 ? 0 : (x >> 16) % 16);  // zeros and low entropy
  }
  return s;
}

void WriteSegment(const std::string& path, int chunks) {
  auto w = SegmentWriter::Create(path, 9);
  REQUIRE(w.ok());
  for (int i = 0; i < chunks; ++i) {
    REQUIRE((*w)->Append("chunk-" + std::to_string(i), Bytes(1000 + 100 * size_t(i), i)).ok());
  }
  REQUIRE((*w)->Finish(false).ok());
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(offset));
  c = static_cast<char>(c ^ 0x5A);
  f.write(&c, 1);
}

}  // namespace

TEST_SUITE("tiering.segment") {
  TEST_CASE("chunks come back byte for byte, in any order, ids in append order") {
    testing::TempDir dir;
    const std::string path = dir / "warm-1.seg";
    WriteSegment(path, 20);
    CHECK(!std::filesystem::exists(path + ".tmp"));
    auto r = SegmentReader::Open(path);
    REQUIRE(r.ok());
    CHECK((*r)->chunks() == 20);
    for (int i = 19; i >= 0; --i) {
      auto got = (*r)->Read("chunk-" + std::to_string(i));
      REQUIRE(got.ok());
      CHECK(*got == Bytes(1000 + 100 * size_t(i), i));
    }
    const auto ids = (*r)->Ids();
    REQUIRE(ids.size() == 20);
    CHECK(ids.front() == "chunk-0");
    CHECK(ids.back() == "chunk-19");
    auto missing = (*r)->Read("chunk-99");
    CHECK(missing.status().code() == Status::Code::kNotFound);
    CHECK(missing.status().message().find("chunk-99") != std::string::npos);
    // Compressed at level 9, the low-entropy chunks (39,000 bytes) take well under that.
    CHECK(std::filesystem::file_size(path) < 39000 * 3 / 4);
  }

  TEST_CASE("appending a chunk id twice or after Finish is refused") {
    testing::TempDir dir;
    auto w = SegmentWriter::Create(dir / "s.seg", 3);
    REQUIRE(w.ok());
    REQUIRE((*w)->Append("a", "x").ok());
    CHECK((*w)->Append("a", "y").code() == Status::Code::kInvalidArgument);
    CHECK((*w)->Append("", "y").code() == Status::Code::kInvalidArgument);
    REQUIRE((*w)->Finish(false).ok());
    CHECK((*w)->Append("b", "y").code() == Status::Code::kFailedPrecondition);
    CHECK(!SegmentWriter::Create(dir / "t.seg", 0).ok());
  }

  TEST_CASE("a corrupt frame is reported with the path and the chunk id") {
    testing::TempDir dir;
    const std::string path = dir / "cold-2026-12-01-src3.seg";
    WriteSegment(path, 5);
    FlipByte(path, 8 + 20);  // inside the first frame
    auto r = SegmentReader::Open(path);
    REQUIRE(r.ok());  // the index is intact
    auto got = (*r)->Read("chunk-0");
    REQUIRE(!got.ok());
    CHECK(got.status().code() == Status::Code::kCorruption);
    CHECK(got.status().message().find(path) != std::string::npos);
    CHECK(got.status().message().find("chunk-0") != std::string::npos);
    CHECK((*r)->Read("chunk-4").ok());  // its neighbours still read
  }

  TEST_CASE("a torn, truncated or index-corrupt segment is refused at open, naming the path") {
    testing::TempDir dir;
    const std::string path = dir / "s.seg";
    WriteSegment(path, 5);
    const auto size = std::filesystem::file_size(path);
    for (uint64_t cut : {size - 1, size - kSegmentFooterBytes, uint64_t{30}, uint64_t{3}}) {
      const std::string p = dir / ("cut-" + std::to_string(cut) + ".seg");
      std::filesystem::copy_file(path, p);
      std::filesystem::resize_file(p, cut);
      auto r = SegmentReader::Open(p);
      REQUIRE(!r.ok());
      CHECK(r.status().code() == Status::Code::kCorruption);
      CHECK(r.status().message().find(p) != std::string::npos);
    }
    const std::string bad_index = dir / "bad-index.seg";
    std::filesystem::copy_file(path, bad_index);
    FlipByte(bad_index, size - kSegmentFooterBytes - 10);  // inside the index
    auto r = SegmentReader::Open(bad_index);
    REQUIRE(!r.ok());
    CHECK(r.status().message().find("index") != std::string::npos);
    CHECK(SegmentReader::Open(dir / "absent.seg").status().code() == Status::Code::kNotFound);
  }

  TEST_CASE("a writer dropped before Finish leaves no segment behind") {
    testing::TempDir dir;
    {
      auto w = SegmentWriter::Create(dir / "torn.seg", 3);
      REQUIRE(w.ok());
      REQUIRE((*w)->Append("a", "abc").ok());
    }
    CHECK(!std::filesystem::exists(dir / "torn.seg"));
    CHECK(!std::filesystem::exists(dir / "torn.seg.tmp"));
  }
}
}  // namespace tern::tiering
