// The crypto wrapper against itself: signatures, PEM round trips, key file permissions, and
// certificate verification including the refusals the broker and the core rely on (another
// CA, expired, revoked).
#include "tern/common/crypto.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <ctime>

#include "process.h"
#include "tern/common/sha256.h"

namespace tern::crypto {
namespace {
PrivateKey NewKey() {
  auto k = PrivateKey::Generate();
  REQUIRE(k.ok());
  return std::move(k).value();
}

struct Ca {
  PrivateKey key = NewKey();
  Certificate cert;
  explicit Ca(const std::string& name) {
    auto c = SelfSignCa(key, name, 3650);
    REQUIRE(c.ok());
    cert = *c;
  }
  Certificate Issue(const PublicKey& subject, const std::string& name, uint64_t serial,
                    Role role = Role::kEdge, int days = 365, int64_t offset_s = 0) {
    IssueRequest req;
    req.name = name;
    req.role = role;
    req.serial = serial;
    req.days = days;
    req.not_before_offset_s = offset_s;
    auto c = IssueCertificate(cert, key, subject, req);
    REQUIRE(c.ok());
    return *c;
  }
};

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }
}  // namespace

TEST_SUITE("crypto") {
  TEST_CASE("sign and verify, tampered data, signature or key refused") {
    PrivateKey k = NewKey();
    PublicKey pub = k.Public();
    REQUIRE(pub.raw().size() == kPublicKeyBytes);
    std::string sig = k.Sign("tern/hb/edge-1\n{\"hb\":1}");
    REQUIRE(sig.size() == kSignatureBytes);
    CHECK(pub.Verify("tern/hb/edge-1\n{\"hb\":1}", sig));
    CHECK_FALSE(pub.Verify("tern/hb/edge-2\n{\"hb\":1}", sig));
    std::string bad = sig;
    bad[10] = static_cast<char>(bad[10] ^ 1);
    CHECK_FALSE(pub.Verify("tern/hb/edge-1\n{\"hb\":1}", bad));
    CHECK_FALSE(pub.Verify("tern/hb/edge-1\n{\"hb\":1}", sig.substr(0, 63)));
    CHECK_FALSE(NewKey().Public().Verify("tern/hb/edge-1\n{\"hb\":1}", sig));
    CHECK_FALSE(PublicKey().Verify("x", sig));
    // Ed25519 is deterministic: the same key signs the same bytes the same way.
    CHECK(k.Sign("abc") == k.Sign("abc"));
  }

  TEST_CASE("public key from raw and hex") {
    PublicKey pub = NewKey().Public();
    auto h = PublicKey::FromHex(pub.Hex());
    REQUIRE(h.ok());
    CHECK(*h == pub);
    CHECK(pub.Hex().size() == 64);
    CHECK_FALSE(PublicKey::FromHex(pub.Hex().substr(2)).ok());
    CHECK_FALSE(PublicKey::FromHex(std::string(64, 'z')).ok());
    CHECK_FALSE(PublicKey::FromRaw(std::string(31, 'a')).ok());
  }

  TEST_CASE("private key PEM round trip, Save writes mode 0600, Load names the path") {
    testing::TempDir dir;
    PrivateKey k = NewKey();
    std::string pem = k.Pem();
    CHECK(pem.find("BEGIN PRIVATE KEY") != std::string::npos);
    auto back = PrivateKey::FromPem(pem);
    REQUIRE(back.ok());
    CHECK(back->Public() == k.Public());

    ::umask(022);  // a permissive umask must not leak into the key's mode
    REQUIRE(k.Save(dir / "node.key").ok());
    struct stat st {};
    REQUIRE(::stat((dir / "node.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto loaded = PrivateKey::Load(dir / "node.key");
    REQUIRE(loaded.ok());
    CHECK(loaded->Public() == k.Public());

    auto missing = PrivateKey::Load(dir / "absent.key");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().message().find("absent.key") != std::string::npos);
    CHECK_FALSE(PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n").ok());
  }

  TEST_CASE("a CA issues a certificate: fields, PEM round trip, verification") {
    Ca ca("site-ca");
    CHECK(ca.cert.info().is_ca);
    CHECK(ca.cert.info().name == "site-ca");
    PrivateKey node = NewKey();
    Certificate c = ca.Issue(node.Public(), "edge-1", 0x1234abcd, Role::kEdge, 30);
    const CertInfo& i = c.info();
    CHECK(i.name == "edge-1");
    CHECK(i.role == "edge");
    CHECK(i.issuer == "site-ca");
    CHECK(i.serial == "1234abcd");
    CHECK_FALSE(i.is_ca);
    CHECK(i.key == node.Public());
    CHECK(i.fingerprint.size() == 64);
    CHECK(i.not_after - i.not_before == 30 * 86400);
    CHECK(i.not_before <= Now());

    auto back = Certificate::FromPem(c.Pem());
    REQUIRE(back.ok());
    CHECK(back->info().fingerprint == i.fingerprint);
    CHECK(back->info().key == node.Public());

    CHECK(VerifyCertificate(c, ca.cert, "", Now()).ok());
    auto crl = MakeCrl(ca.cert, ca.key, {}, 30);
    REQUIRE(crl.ok());
    CHECK(VerifyCertificate(c, ca.cert, *crl, Now()).ok());
  }

  TEST_CASE("roles and alt names") {
    for (Role r : {Role::kCore, Role::kEdge, Role::kObserver, Role::kFeed, Role::kBroker}) {
      auto parsed = ParseRole(RoleName(r));
      REQUIRE(parsed.ok());
      CHECK(*parsed == r);
    }
    CHECK_FALSE(ParseRole("admin").ok());
    Ca ca("site-ca");
    IssueRequest req;
    req.name = "broker";
    req.role = Role::kBroker;
    req.serial = 7;
    req.alt_names = {"DNS:localhost", "IP:127.0.0.1"};
    auto c = IssueCertificate(ca.cert, ca.key, NewKey().Public(), req);
    REQUIRE(c.ok());
    CHECK(c->info().role == "broker");
    req.alt_names = {"BOGUS:x"};
    CHECK_FALSE(IssueCertificate(ca.cert, ca.key, NewKey().Public(), req).ok());
    req.alt_names.clear();
    req.serial = 0;
    CHECK_FALSE(IssueCertificate(ca.cert, ca.key, NewKey().Public(), req).ok());
  }

  TEST_CASE("a certificate from another CA is refused") {
    Ca ours("site-ca"), theirs("site-ca");  // same name, other key: must still fail
    Certificate c = theirs.Issue(NewKey().Public(), "edge-1", 2);
    Status s = VerifyCertificate(c, ours.cert, "", Now());
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("edge-1") != std::string::npos);
    // A self-signed CA presented as a node certificate is refused too.
    CHECK_FALSE(VerifyCertificate(theirs.cert, ours.cert, "", Now()).ok());
  }

  TEST_CASE("an expired or not yet valid certificate is refused") {
    Ca ca("site-ca");
    PublicKey k = NewKey().Public();
    Certificate expired = ca.Issue(k, "edge-old", 3, Role::kEdge, 1, -3 * 86400);
    CHECK(expired.info().not_after < Now());
    Status s = VerifyCertificate(expired, ca.cert, "", Now());
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("expired") != std::string::npos);
    Certificate fine = ca.Issue(k, "edge-new", 4, Role::kEdge, 1);
    Status early = VerifyCertificate(fine, ca.cert, "", Now() - 86400);
    CHECK_FALSE(early.ok());
    CHECK(VerifyCertificate(fine, ca.cert, "", Now()).ok());
  }

  TEST_CASE("a revoked certificate is refused, a CRL from another CA is not accepted") {
    Ca ca("site-ca");
    Certificate a = ca.Issue(NewKey().Public(), "edge-1", 0x10);
    Certificate b = ca.Issue(NewKey().Public(), "edge-2", 0x11);
    auto crl = MakeCrl(ca.cert, ca.key, {a.info().serial}, 30);
    REQUIRE(crl.ok());
    Status s = VerifyCertificate(a, ca.cert, *crl, Now());
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("revoked") != std::string::npos);
    CHECK(VerifyCertificate(b, ca.cert, *crl, Now()).ok());

    Ca other("site-ca");
    auto foreign = MakeCrl(other.cert, other.key, {}, 30);
    REQUIRE(foreign.ok());
    CHECK_FALSE(VerifyCertificate(b, ca.cert, *foreign, Now()).ok());
    CHECK_FALSE(VerifyCertificate(b, ca.cert, "not a crl", Now()).ok());
    CHECK_FALSE(MakeCrl(ca.cert, ca.key, {"xyz"}, 30).ok());
  }

  TEST_CASE("sha256 and random bytes") {
    CHECK(DigestBytes(Sha256("abc")).size() == 32);
    CHECK(Sha256("abc")[0] == 0xba);  // ba7816bf...
    CHECK(RandomBytes(16).size() == 16);
    CHECK(RandomBytes(16) != RandomBytes(16));
  }
}

}  // namespace tern::crypto
