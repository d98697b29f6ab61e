// The core in pki mode on the in-process broker: registration by certificate, enrolment
// (another certificate under an enrolled name), statements and chunk ids signed with the
// enrolled key, and what the core itself signs (replies, the member list with every node's
// key). The PKI is a real one (Pki, OpenSSL); only the broker is the fake.
#include <doctest/doctest.h>

#include "core_site_testing.h"
#include "tern/common/node_identity.h"
#include "tern/common/pki.h"

namespace tern::core::testing {
namespace {

// A Site whose core runs in pki mode, and the keys of the edges the test plays.
struct PkiSite : Site {
  std::unique_ptr<Pki> pki;
  std::map<std::string, crypto::PrivateKey> keys;  // the key each name signs with
  std::map<std::string, std::string> certs;        // the certificate each name registers with

  PkiSite() {
    PkiInit init;
    init.broker.port = 1;  // never started: the broker is the fake
    pki = std::make_unique<Pki>(Pki::Init(dir / "pki", init).value());
    REQUIRE(pki->Issue(o.name, crypto::Role::kCore).ok());
    const PkiPaths p = pki->Paths(o.name, crypto::Role::kCore);
    o.security_mode = SecurityMode::kPki;
    o.tls_ca = p.ca;
    o.tls_cert = p.cert;
    o.tls_key = p.key;
    o.tls_crl = p.crl;
  }
  // Issues `name` a certificate from the site PKI and takes its key.
  void Enrol(const std::string& name, crypto::Role role = crypto::Role::kEdge) {
    REQUIRE(pki->Issue(name, role).ok());
    const PkiPaths p = pki->Paths(name, role);
    keys[name] = crypto::PrivateKey::Load(p.key).value();
    certs[name] = crypto::Certificate::Load(p.cert).value().Pem();
  }
  // A second certificate for `name` from the site CA, not in the PKI's index (as a stolen CA
  // key or a careless operator would make): the enrolment, not the CA, must refuse it.
  void SecondCertificate(const std::string& name) {
    const PkiPaths p = pki->Paths(name);
    auto ca = crypto::Certificate::Load(p.ca).value();
    auto ca_key = crypto::PrivateKey::Load(dir / "pki/ca.key").value();
    auto key = crypto::PrivateKey::Generate().value();
    crypto::IssueRequest req;
    req.name = name;
    req.role = crypto::Role::kEdge;
    req.serial = 0xC0FFEE;
    certs[name] = crypto::IssueCertificate(ca, ca_key, key.Public(), req).value().Pem();
    keys[name] = std::move(key);
  }
  // `json` on `topic`, sealed with the next number and signed with `signer`'s key (the
  // topic's node by default; "" = unsigned).
  void Say(const std::string& topic, const std::string& json, std::string signer = "@topic") {
    const std::string from = t.Parse(topic).from;
    if (signer == "@topic") signer = from;
    const crypto::PrivateKey* key = keys.count(signer) ? &keys.at(signer) : nullptr;
    broker->Inject(topic, Seal(topic, json, ++seqs[from], key));
  }
  msg::Register RegisterMsg(const std::string& name, const std::string& nonce) {
    msg::Register r{name, 1 << 30};
    r.nonce = nonce;
    r.cert = certs.count(name) ? certs.at(name) : "";
    return r;
  }
  // The replies on reg/<name>/reply echoing `nonce`: registered (addr) or refused (reason).
  std::optional<std::string> Refusal(const std::string& name, const std::string& nonce) {
    for (const auto& r : On<msg::RegistrationRefused>(t.RegReply(name))) {
      if (r.nonce == nonce) return r.reason;
    }
    return std::nullopt;
  }
  uint32_t Addr(const std::string& name, const std::string& nonce) {
    for (const auto& r : On<msg::Registered>(t.RegReply(name))) {
      if (r.nonce == nonce) return r.addr;
    }
    return 0;
  }
  uint32_t RegisterSigned(const std::string& name, const std::string& nonce) {
    Say(t.Reg(name), RegisterMsg(name, nonce).Encode());
    uint32_t addr = 0;
    REQUIRE(WaitFor([&] { return (addr = Addr(name, nonce)) != 0; }));
    names[addr] = name;
    return addr;
  }
  crypto::PublicKey CoreKey() { return crypto::Certificate::Load(o.tls_cert).value().info().key; }
};

}  // namespace

TEST_SUITE("core signatures") {
  TEST_CASE("a registration needs the site certificate of its own name, signed with its key") {
    PkiSite s;
    s.Start();
    s.Enrol("edge-1");
    s.Enrol("edge-2");
    // No certificate at all.
    s.Say(s.t.Reg("edge-3"), s.RegisterMsg("edge-3", "n1").Encode());
    REQUIRE(WaitFor([&] { return s.Refusal("edge-3", "n1").has_value(); }));
    CHECK(s.Refusal("edge-3", "n1")->find("no certificate") != std::string::npos);
    // Another node's certificate (and key) under this name.
    msg::Register theft = s.RegisterMsg("edge-1", "n2");
    theft.cert = s.certs["edge-2"];
    s.Say(s.t.Reg("edge-1"), theft.Encode(), "edge-2");
    REQUIRE(WaitFor([&] { return s.Refusal("edge-1", "n2").has_value(); }));
    CHECK(s.Refusal("edge-1", "n2")->find("issued to 'edge-2'") != std::string::npos);
    // Its own certificate, but not signed with its key.
    s.Say(s.t.Reg("edge-1"), s.RegisterMsg("edge-1", "n3").Encode(), "edge-2");
    REQUIRE(WaitFor([&] { return s.Refusal("edge-1", "n3").has_value(); }));
    CHECK(s.Counter("refused_cert") == 2);
    CHECK(s.Counter("refused_bad_signature") == 1);
    CHECK(s.Db()->Nodes().value().size() == 1);  // the core's own entry only
    // The real one: an address, and the core's certificate in the reply, signed with its key.
    const uint32_t a = s.RegisterSigned("edge-1", "n4");
    CHECK(a != 0);
    auto replies = s.broker->PublishedOn(s.t.RegReply("edge-1"));
    const std::string& sealed = replies.back().payload;
    auto core_key = s.CoreKey();
    auto u = Unseal(s.t.RegReply("edge-1"), sealed, &core_key);
    REQUIRE(u.ok());
    auto reg = msg::DecodeText<msg::Registered>(u->body).value();
    CHECK(crypto::Certificate::FromPem(reg.core_cert).value().info().key == core_key);
  }

  TEST_CASE("statements and chunk ids must verify with the enrolled key") {
    PkiSite s;
    s.Start();
    s.Enrol("edge-1");
    s.Enrol("edge-2");
    const uint32_t a1 = s.RegisterSigned("edge-1", "n1");
    const uint32_t a2 = s.RegisterSigned("edge-2", "n2");
    msg::Heartbeat hb;
    hb.addr = a1;
    s.Say(s.t.Hb("edge-1"), hb.Encode(), "edge-2");  // another node's key
    s.Say(s.t.Hb("edge-1"), hb.Encode(), "");        // none
    REQUIRE(WaitFor([&] { return s.Counter("refused_bad_signature") == 2; }));
    CHECK(s.core->StatusJson()["nodes"][0]["state"] != "live");
    // A copy claimed in edge-1's name by edge-2's key changes nothing.
    auto c = MakeChunk(a2, 1);
    s.Say(s.t.Stored("edge-1"), msg::Stored(c.NoticeBy(a1)).Encode(), "edge-2");
    REQUIRE(WaitFor([&] { return s.Counter("refused_bad_signature") == 3; }));
    // Uplinks: unsigned, or signed by another key, are refused; the origin's signature passes.
    s.broker->Inject(s.t.Up("edge-2"), c.Uplink());
    s.broker->Inject(s.t.Up("edge-2"), EncodeEnvelope(EnvelopeType::kUp, a2, 0, c.id,
                                                      SignChunkId(s.keys["edge-1"], c.id), c.wire));
    REQUIRE(WaitFor([&] { return s.Counter("refused_bad_signature") == 5; }));
    CHECK(s.Counter("uplinks") == 0);
    CHECK(s.Db()->Holders(c.id).value().empty());
    s.broker->Inject(s.t.Up("edge-2"), EncodeEnvelope(EnvelopeType::kUp, a2, 0, c.id,
                                                      SignChunkId(s.keys["edge-2"], c.id), c.wire));
    REQUIRE(WaitFor([&] { return s.Counter("uplinks") == 1; }));
    // Correctly signed statements pass.
    s.Say(s.t.Hb("edge-1"), hb.Encode());
    REQUIRE(WaitFor([&] { return s.core->StatusJson()["nodes"][0]["state"] == "live"; }));
  }

  TEST_CASE("the member list carries every node's key and is signed by the core") {
    PkiSite s;
    s.Start();
    s.Enrol("edge-1");
    const uint32_t a1 = s.RegisterSigned("edge-1", "n1");
    const std::string want = s.keys["edge-1"].Public().Hex();
    auto core_key = s.CoreKey();
    REQUIRE(WaitFor([&] {
      for (const auto& m : s.broker->PublishedOn(s.t.Members())) {
        auto u = Unseal(s.t.Members(), m.payload, &core_key);
        if (!u.ok()) continue;
        auto list = msg::DecodeText<msg::Members>(u->body);
        if (!list.ok()) continue;
        for (const auto& n : list->nodes) {
          if (n.addr == a1 && n.key == want) return true;
        }
      }
      return false;
    }));
  }

  TEST_CASE("another certificate under an enrolled name is refused until the first is revoked") {
    PkiSite s;
    s.Start();
    s.Enrol("edge-1");
    const uint32_t a1 = s.RegisterSigned("edge-1", "n1");
    s.SecondCertificate("edge-1");
    s.Say(s.t.Reg("edge-1"), s.RegisterMsg("edge-1", "n2").Encode());
    REQUIRE(WaitFor([&] { return s.Refusal("edge-1", "n2").has_value(); }));
    CHECK(s.Refusal("edge-1", "n2")->find("enrolled to another node") != std::string::npos);
    CHECK(s.Counter("refused_duplicate_name") == 1);
    // The operator revokes the enrolled certificate: the new one takes the name (and address).
    REQUIRE(s.pki->Revoke("edge-1").ok());
    CHECK(s.RegisterSigned("edge-1", "n3") == a1);
    CHECK(s.Counter("certs_replaced") == 1);
    // Now the old key is the stranger.
    s.keys["edge-1"] = crypto::PrivateKey::Load(s.pki->Paths("edge-1").key).value();
    msg::Heartbeat hb;
    hb.addr = a1;
    s.Say(s.t.Hb("edge-1"), hb.Encode());
    REQUIRE(WaitFor([&] { return s.Counter("refused_bad_signature") == 1; }));
  }
}

}  // namespace tern::core::testing
