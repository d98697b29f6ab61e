#include "tern/common/protocol.h"

#include <doctest/doctest.h>

namespace tern {
TEST_SUITE("protocol") {
  TEST_CASE("topics carry addresses") {
    Topics t("site1");
    CHECK(t.Put(12) == "site1/store/12/put");
    CHECK(Topics::AddrIn(t.Up(34)) == 34);
    CHECK(Topics::AddrIn(t.Put(12), 1) == 12);
    CHECK(Topics::AddrIn("site1/up/abc") == 0);
    CHECK(Topics::AddrIn("site1/up/99999999999") == 0);
  }
  TEST_CASE("envelope round trip and rejects") {
    std::string m = EncodeEnvelope(EnvelopeType::kPut, 5, 77, ChunkIdOf("CHUNK"), "CHUNK");
    auto e = DecodeEnvelope(m);
    REQUIRE(e.ok());
    CHECK(e->sender == 5);
    CHECK(e->request == 77);
    CHECK(e->chunk == "CHUNK");
    for (size_t n = 0; n < m.size(); ++n) CHECK_FALSE(DecodeEnvelope(m.substr(0, n)).ok());
    std::string bad = m;
    bad[4] = 2;
    CHECK(DecodeEnvelope(bad).status().message().find("version 2") != std::string::npos);
    bad = m;
    bad.back() ^= 1;  // altered chunk byte: id no longer matches
    CHECK(DecodeEnvelope(bad).status().message().find("claimed id") != std::string::npos);
  }
  TEST_CASE("control messages are strict") {
    CHECK_FALSE(ParseControl("{not json").ok());
    CHECK_FALSE(ParseControl("[1,2]").ok());
    CHECK_FALSE(ParseControl(R"({"type":"hb"})").ok());
    CHECK(ParseControl(R"({"v":2,"type":"hb"})").status().message().find("version") !=
          std::string::npos);
    CHECK(ParseControl(R"({"v":1,"type":"hb"})").ok());
    StoredNotice n;
    n.id = std::string(32, '\x11');
    n.holder = 3;
    n.origin = 2;
    n.source = "vib";
    auto back = StoredFromJson(ToJson(n));
    REQUIRE(back.ok());
    CHECK(back->id == n.id);
    auto j = ToJson(n);
    j["holder"] = "three";
    CHECK(StoredFromJson(j).status().message().find("'holder'") != std::string::npos);
    j = ToJson(n);
    j["id"] = "abcd";
    CHECK_FALSE(StoredFromJson(j).ok());
  }
}
}  // namespace tern
