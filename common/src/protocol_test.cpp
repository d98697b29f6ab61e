#include "tern/common/protocol.h"

#include <doctest/doctest.h>

namespace tern {
TEST_SUITE("protocol") {
  TEST_CASE("topics carry the publishing node's name, and the receiver's") {
    Topics t("site1");
    CHECK(t.Put("a", "b") == "site1/put/a/b");
    CHECK(t.Peer("b", "a") == "site1/peer/b/a");
    CHECK(t.Stored("b") == "site1/stored/b");
    auto p = t.Parse(t.Put("a", "b"));
    CHECK(p.kind == "put");
    CHECK(p.from == "a");
    CHECK(p.to == "b");
    CHECK(t.Parse(t.Up("e-1")).from == "e-1");
    CHECK(t.Parse(t.Hb("e-1")).kind == "hb");
    CHECK(t.Parse(t.Down("e-1")).from.empty());
    CHECK(t.Parse(t.Down("e-1")).to == "e-1");
    CHECK(t.Parse(t.RegReply("e-1")).reply);
    CHECK(t.Parse(t.RegReply("e-1")).from.empty());
    CHECK(t.Parse(t.Reg("e-1")).from == "e-1");
    CHECK(t.Parse(t.Members()).kind == "members");
    // Not ours, or not of a known shape.
    CHECK(t.Parse("tern/up/a").kind.empty());
    CHECK(t.Parse("site1/up/a/b").kind.empty());
    CHECK(t.Parse("site1/put/a").kind.empty());
    CHECK(t.Parse("site1").kind.empty());
    CHECK(t.Parse("site1/").kind.empty());
    CHECK(t.Parse("site1/store/1/put").kind.empty());
  }
  TEST_CASE("envelope round trip and rejects") {
    std::string m = EncodeEnvelope(EnvelopeType::kPut, 5, 77, ChunkIdOf("CHUNK"), "", "CHUNK");
    auto e = DecodeEnvelope(m);
    REQUIRE(e.ok());
    CHECK(e->sender == 5);
    CHECK(e->request == 77);
    CHECK(e->chunk == "CHUNK");
    for (size_t n = 0; n < m.size(); ++n) CHECK_FALSE(DecodeEnvelope(m.substr(0, n)).ok());
    std::string bad = m;
    bad[4] = 1;  // version 1 (before origin signatures) is no longer spoken
    CHECK(DecodeEnvelope(bad).status().message().find("version 1") != std::string::npos);
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
