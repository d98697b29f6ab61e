// Tag rules: what a config value or feed field may hold, and the bounded union per chunk.
#include "tern/common/tags.h"

#include <doctest/doctest.h>

namespace tern {

TEST_CASE("tag lists parse, fold duplicates and come back sorted") {
  auto t = ParseTagList(" line2, bearing ,line2", "source.synthetic.tags");
  REQUIRE(t.ok());
  CHECK(*t == std::vector<std::string>{"bearing", "line2"});
  auto none = ParseTagList("", "k");
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("bad tag lists name the key and the tag") {
  auto bad = ParseTagList("bearing,line-2", "source.feed.tags");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("source.feed.tags") != std::string::npos);
  CHECK(bad.status().message().find("line-2") != std::string::npos);
  CHECK(!ParseTagList("a,,b", "k").ok());
  CHECK(!ParseTagList("a,", "k").ok());
  CHECK(!ParseTagList(std::string(kMaxTagLen + 1, 'x'), "k").ok());
  CHECK(ParseTagList(std::string(kMaxTagLen, 'x'), "k").ok());
  CHECK(!ParseTagList("a\x01", "k").ok());
  std::string many;
  for (size_t i = 0; i <= kMaxSourceTags; ++i) many += "t" + std::to_string(i) + ",";
  many.pop_back();
  auto too_many = ParseTagList(many, "k");
  REQUIRE(!too_many.ok());
  CHECK(too_many.status().message().find("more than") != std::string::npos);
}

TEST_CASE("merging tags keeps them sorted, unique and bounded") {
  std::vector<std::string> into{"b"};
  CHECK(MergeTags(&into, {"c", "a", "b"}) == 0);
  CHECK(into == std::vector<std::string>{"a", "b", "c"});
  std::vector<std::string> lots;
  for (size_t i = 0; i < kMaxChunkTags + 5; ++i) lots.push_back("t" + std::to_string(100 + i));
  std::vector<std::string> full;
  CHECK(MergeTags(&full, lots) == 5);
  CHECK(full.size() == kMaxChunkTags);
  CHECK(JoinTags({"a", "b"}) == "a b");
}

}  // namespace tern
