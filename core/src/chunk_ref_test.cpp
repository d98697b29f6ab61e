// Unit tests of ResolveChunkRef: full ids, unique prefixes, ambiguous and unknown ones.
#include "tern/core/chunk_ref.h"

#include <doctest/doctest.h>

#include "store_test_util.h"
#include "tern/common/bytes.h"

namespace tern::core {
namespace {
// A chunk whose id is the 64 hex digits `hex`, held by node 1.
StoredNotice NoticeFor(const std::string& hex, uint64_t seq) {
  StoredNotice n;
  n.id = FromHex(hex).value();
  n.holder = 1;
  n.origin = 1;
  n.source = "vib";
  n.seq = seq;
  n.records = 1;
  n.bytes = 10;
  return n;
}
std::string Id(const std::string& head) { return head + std::string(64 - head.size(), '7'); }
}  // namespace

TEST_SUITE("chunk_ref") {
  TEST_CASE("a unique prefix of 8 or more digits names its chunk, in either case") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    REQUIRE(h->RecordHolder(NoticeFor(Id("abcdef0123"), 1)).ok());
    REQUIRE(h->RecordHolder(NoticeFor(Id("abcdef0999"), 2)).ok());
    REQUIRE(h->RecordHolder(NoticeFor(Id("12345678"), 3)).ok());
    CHECK(ToHex(ResolveChunkRef(*h, "12345678").value()) == Id("12345678"));
    CHECK(ToHex(ResolveChunkRef(*h, "ABCDEF012").value()) == Id("abcdef0123"));  // odd length
    CHECK(ToHex(ResolveChunkRef(*h, Id("abcdef0999")).value()) == Id("abcdef0999"));
    // A full id is taken as it is, even one the manifest lacks (the caller says 404).
    CHECK(ToHex(ResolveChunkRef(*h, std::string(64, 'e')).value()) == std::string(64, 'e'));
  }

  TEST_CASE("an ambiguous prefix lists its candidates, an unknown one is named") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    REQUIRE(h->RecordHolder(NoticeFor(Id("abcdef0123"), 1)).ok());
    REQUIRE(h->RecordHolder(NoticeFor(Id("abcdef0199"), 2)).ok());
    auto amb = ResolveChunkRef(*h, "abcdef01");
    REQUIRE_FALSE(amb.ok());
    CHECK(amb.status().code() == Status::Code::kInvalidArgument);
    CHECK(amb.status().message().find("ambiguous") != std::string::npos);
    CHECK(amb.status().message().find(Id("abcdef0123")) != std::string::npos);
    CHECK(amb.status().message().find(Id("abcdef0199")) != std::string::npos);
    auto none = ResolveChunkRef(*h, "00000000");
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().code() == Status::Code::kNotFound);
    CHECK(none.status().message().find("'00000000'") != std::string::npos);
    for (const char* bad : {"abcdef0", "", "abcdefgh", "abcdef01 "}) {
      INFO(bad);
      auto r = ResolveChunkRef(*h, bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Status::Code::kInvalidArgument);
    }
    CHECK_FALSE(ResolveChunkRef(*h, std::string(65, 'a')).ok());
  }

  TEST_CASE("the candidates listed for an ambiguous prefix are bounded") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    for (int i = 0; i < 30; ++i) {
      char tail[8];
      std::snprintf(tail, sizeof tail, "%02d", i);
      REQUIRE(h->RecordHolder(NoticeFor(Id(std::string("11112222") + tail), static_cast<uint64_t>(i + 1))).ok());
    }
    auto amb = ResolveChunkRef(*h, "11112222");
    REQUIRE_FALSE(amb.ok());
    const std::string& msg = amb.status().message();
    CHECK(msg.find("and more") != std::string::npos);
    size_t listed = 0;
    for (size_t p = msg.find("11112222", 30); p != std::string::npos;
         p = msg.find("11112222", p + 1))
      ++listed;
    CHECK(listed == kMaxPrefixCandidates);
  }
}
}  // namespace tern::core
