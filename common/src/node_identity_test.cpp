// NodeIdentity with a real site PKI: loading checks the files belong together, and Check
// refuses another CA's certificate, a wrong role or name, and a revoked certificate.
#include "tern/common/node_identity.h"

#include <doctest/doctest.h>

#include "process.h"
#include "tern/common/pki.h"

namespace tern {

TEST_SUITE("node identity") {
  TEST_CASE("load: the key must be the certificate's, issued for this name and role") {
    testing::TempDir dir;
    PkiInit init;
    init.broker.port = 1;
    auto pki = Pki::Init(dir / "pki", init).value();
    REQUIRE(pki.Issue("e1", crypto::Role::kEdge).ok());
    REQUIRE(pki.Issue("e2", crypto::Role::kEdge).ok());
    const PkiPaths p = pki.Paths("e1");
    auto id = NodeIdentity::Load("e1", crypto::Role::kEdge, p.ca, p.cert, p.key, "");
    REQUIRE(id.ok());
    CHECK((*id)->key().Public() == (*id)->cert().info().key);
    auto wrong_key =
        NodeIdentity::Load("e1", crypto::Role::kEdge, p.ca, p.cert, pki.Paths("e2").key, "");
    CHECK(wrong_key.status().message().find("is not the key of") != std::string::npos);
    auto wrong_name = NodeIdentity::Load("e7", crypto::Role::kEdge, p.ca, p.cert, p.key, "");
    CHECK(wrong_name.status().message().find("issued to 'e1', not 'e7'") != std::string::npos);
    auto wrong_role = NodeIdentity::Load("e1", crypto::Role::kCore, p.ca, p.cert, p.key, "");
    CHECK(wrong_role.status().message().find("role 'edge'") != std::string::npos);
    auto missing = NodeIdentity::Load("e1", crypto::Role::kEdge, p.ca, p.cert + ".nope", p.key, "");
    CHECK(missing.status().message().find(p.cert + ".nope") != std::string::npos);
  }

  TEST_CASE("check refuses another CA, role or name, and a revocation at the next check") {
    testing::TempDir dir;
    PkiInit init;
    init.broker.port = 1;
    auto pki = Pki::Init(dir / "pki", init).value();
    auto other = Pki::Init(dir / "other", init).value();
    REQUIRE(pki.Issue("core", crypto::Role::kCore).ok());
    REQUIRE(pki.Issue("e1", crypto::Role::kEdge).ok());
    REQUIRE(other.Issue("e1", crypto::Role::kEdge).ok());
    const PkiPaths c = pki.Paths("core");
    auto core = NodeIdentity::Load("core", crypto::Role::kCore, c.ca, c.cert, c.key, c.crl).value();
    auto pem = [](const PkiPaths& p) { return crypto::Certificate::Load(p.cert).value().Pem(); };
    const std::string e1 = pem(pki.Paths("e1"));
    auto info = core->Check(e1, "e1", crypto::Role::kEdge);
    REQUIRE(info.ok());
    CHECK(info->name == "e1");
    CHECK(core->Check(e1, "", crypto::Role::kEdge).ok());  // any name
    CHECK_FALSE(core->Check(e1, "e2", crypto::Role::kEdge).ok());
    CHECK_FALSE(core->Check(e1, "e1", crypto::Role::kObserver).ok());
    CHECK_FALSE(core->Check(pem(other.Paths("e1")), "e1", crypto::Role::kEdge).ok());
    CHECK_FALSE(core->Check("not a certificate", "e1", crypto::Role::kEdge).ok());
    REQUIRE(pki.Revoke("e1").ok());
    auto revoked = core->Check(e1, "e1", crypto::Role::kEdge);
    CHECK(revoked.status().message().find("revoked") != std::string::npos);
  }
}

}  // namespace tern
