// An edge's Statements in pki mode, with a real site PKI and a real store: the core's key
// learnt from a verified registration reply (and kept across a restart), the member list
// and peers' statements verified with the keys it carries, chunk ids with their origin's.
#include "statements.h"

#include <doctest/doctest.h>

#include "process.h"
#include "tern/common/pki.h"

namespace tern::edge {
namespace {

struct Keys {
  testing::TempDir dir{"edge-statements"};
  std::unique_ptr<Pki> pki;
  Keys() {
    PkiInit init;
    init.broker.port = 1;
    pki = std::make_unique<Pki>(Pki::Init(dir / "pki", init).value());
    for (const char* n : {"e1", "e2"}) REQUIRE(pki->Issue(n, crypto::Role::kEdge).ok());
    REQUIRE(pki->Issue("core", crypto::Role::kCore).ok());
  }
  crypto::PrivateKey Key(const std::string& n) {
    return crypto::PrivateKey::Load(pki->Paths(n).key).value();
  }
  std::string Cert(const std::string& n) {
    return crypto::Certificate::Load(pki->Paths(n).cert).value().Pem();
  }
  std::unique_ptr<NodeIdentity> Identity(const std::string& n) {
    const PkiPaths p = pki->Paths(n);
    return NodeIdentity::Load(n, crypto::Role::kEdge, p.ca, p.cert, p.key, "").value();
  }
};

struct Edge {
  Keys& k;
  Metrics m;
  std::unique_ptr<NodeIdentity> id;
  std::unique_ptr<LocalStore> store;
  std::unique_ptr<Statements> st;
  Topics t;
  explicit Edge(Keys& keys) : k(keys), id(keys.Identity("e1")) { Open(); }
  void Open() {
    st.reset();
    store.reset();
    store = LocalStore::Open(k.dir / "e1.db", 5).value();
    st = Statements::Open(store.get(), &m, "edge e1", id.get()).value();
  }
  // A registration reply signed with `signer`'s key, carrying `cert` (empty: none).
  std::string Reply(uint64_t seq, const std::string& signer, const std::string& cert) {
    msg::Registered r;
    r.name = "e1";
    r.addr = 2;
    r.nonce = "n";
    r.core_cert = cert;
    auto key = k.Key(signer);
    return Seal(t.RegReply("e1"), r.Encode(), seq, &key);
  }
  std::string Members(uint64_t seq, const std::string& signer) {
    msg::Members list;
    list.core = "core";
    list.nodes = {{2, "e1", "live", 0.1, k.Key("e1").Public().Hex()},
                  {3, "e2", "live", 0.1, k.Key("e2").Public().Hex()}};
    auto key = k.Key(signer);
    return Seal(t.Members(), list.Encode(), seq, &key);
  }
};

}  // namespace

TEST_SUITE("edge statements") {
  TEST_CASE("the core's key comes from a verified reply and is kept across a restart") {
    Keys k;
    Edge e(k);
    const std::string topic = e.t.RegReply("e1");
    // Nothing the core says is taken before its certificate is known.
    CHECK_FALSE(e.st->AdmitMembers(e.t.Members(), e.Members(5, "core")));
    CHECK(e.m.Get("refused_unknown_sender") == 1);
    // A reply with an edge's certificate, or with the core's but signed by someone else.
    CHECK_FALSE(e.st->AdmitReply(topic, e.Reply(6, "e2", k.Cert("e2")), false));
    CHECK(e.m.Get("refused_cert") == 1);
    CHECK_FALSE(e.st->AdmitReply(topic, e.Reply(7, "e2", k.Cert("core")), false));
    CHECK(e.m.Get("refused_bad_signature") == 1);
    CHECK_FALSE(e.st->AdmitMembers(e.t.Members(), e.Members(8, "core")));
    // The genuine reply: from now on the core's statements verify.
    CHECK(e.st->AdmitReply(topic, e.Reply(9, "core", k.Cert("core")), false));
    CHECK(e.st->AdmitMembers(e.t.Members(), e.Members(10, "core")));
    CHECK_FALSE(e.st->AdmitMembers(e.t.Members(), e.Members(11, "e2")));
    CHECK(e.m.Get("refused_bad_signature") == 2);
    // A restart knows the core before it answers again.
    e.Open();
    CHECK(e.st->AdmitMembers(e.t.Members(), e.Members(12, "core")));
    const std::string down = e.t.Down("e1");
    auto core = k.Key("core");
    CHECK(e.st->Admit(down, Seal(down, msg::Delete{std::string(32, 'x')}.Encode(), 13, &core),
                      kCoreSender, "down"));
    CHECK_FALSE(e.st->Admit(down,
                            Seal(down, msg::Delete{std::string(32, 'x')}.Encode(), 14, nullptr),
                            kCoreSender, "down"));
  }

  TEST_CASE("peers' statements and chunk ids verify with the keys of the member list") {
    Keys k;
    Edge e(k);
    REQUIRE(e.st->AdmitReply(e.t.RegReply("e1"), e.Reply(1, "core", k.Cert("core")), false));
    auto body = e.st->AdmitMembers(e.t.Members(), e.Members(2, "core"));
    REQUIRE(body);
    e.st->LearnKeys(msg::DecodeText<msg::Members>(*body).value());
    const std::string peer = e.t.Peer("e2", "e1");
    const std::string ack = msg::PutAck{std::string(32, 'a'), 3}.Encode();
    auto e2 = k.Key("e2");
    auto e1 = k.Key("e1");
    CHECK(e.st->Admit(peer, Seal(peer, ack, 1, &e2), "e2", "peer"));
    CHECK_FALSE(e.st->Admit(peer, Seal(peer, ack, 2, &e1), "e2", "peer"));
    CHECK(e.m.Get("refused_bad_signature") == 1);
    const std::string stranger = e.t.Peer("e9", "e1");
    CHECK_FALSE(e.st->Admit(stranger, Seal(stranger, ack, 1, &e2), "e9", "peer"));
    CHECK(e.m.Get("refused_unknown_sender") == 1);
    // Chunks: the origin's signature; a sender signing another origin's chunk is refused.
    const std::string id(32, 'c');
    const std::string put = e.t.Put("e2", "e1");
    CHECK(e.st->VerifyChunk("e2", 3, id, SignChunkId(e2, id), put, "put"));
    CHECK_FALSE(e.st->VerifyChunk("e2", 3, id, SignChunkId(e1, id), put, "put"));
    CHECK_FALSE(e.st->VerifyChunk("e2", 3, id, std::string(64, '\0'), put, "put"));
    CHECK(e.m.Get("refused_bad_signature") == 3);
    CHECK_FALSE(e.st->VerifyChunk("e2", 2, id, SignChunkId(e2, id), put, "put"));
    CHECK(e.m.Get("refused_wrong_origin") == 1);
    // The core's results: signed by the core, whatever their origin address.
    auto core = k.Key("core");
    CHECK(e.st->VerifyChunk("core", 1, id, SignChunkId(core, id), e.t.Put("core", "e1"), "put"));
    // Copies (the store protocol): another holder sends the chunk with its origin's kept
    // signature; it verifies with the origin's key, not the sender's.
    CHECK(e.st->VerifyChunk("e2", 2, id, SignChunkId(e1, id), put, "put"));
    CHECK(e.st->VerifyChunk("e2", 1, id, SignChunkId(core, id), put, "put"));  // a result
    CHECK_FALSE(e.st->VerifyChunk("e2", 1, id, SignChunkId(e2, id), put, "put"));
    CHECK(e.m.Get("refused_wrong_origin") == 2);
    CHECK_FALSE(e.st->VerifyChunk("e9", 2, id, SignChunkId(e1, id), e.t.Put("e9", "e1"), "put"));
    CHECK(e.m.Get("refused_unknown_sender") == 2);
  }
}

}  // namespace tern::edge
