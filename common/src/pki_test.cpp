// The site PKI on disk: layout, modes, the index, refusals, revocation and the generated
// ACL and broker config.
#include "tern/common/pki.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>

#include "process.h"

namespace tern {
namespace {
unsigned ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}
int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }
}  // namespace

TEST_SUITE("pki") {
  TEST_CASE("init lays out the CA, the broker certificate, CRL, index, acl and config") {
    testing::TempDir dir;
    PkiInit init;
    init.site = "plant-7";
    init.broker.port = 18883;
    init.broker_alt_names = {"DNS:gw.plant-7"};
    auto p = Pki::Init(dir / "pki", init);
    REQUIRE(p.ok());
    for (const char* f : {"ca.crt", "ca.key", "crl.pem", "index.json", "acl", "mosquitto.conf",
                          "broker/broker.crt", "broker/broker.key"}) {
      CHECK_MESSAGE(std::filesystem::exists(dir / "pki/" + f), f);
    }
    CHECK(ModeOf(dir / "pki/ca.key") == 0600);
    CHECK(ModeOf(dir / "pki/nodes") == 0700);
    // As root with a mosquitto group the broker key is shared with it; otherwise 0600.
    const unsigned bk = ModeOf(dir / "pki/broker/broker.key");
    CHECK((bk == 0600 || bk == 0640));

    auto ca = crypto::Certificate::Load(dir / "pki/ca.crt");
    REQUIRE(ca.ok());
    CHECK(ca->info().name == "plant-7 CA");
    auto broker = crypto::Certificate::Load(dir / "pki/broker/broker.crt");
    REQUIRE(broker.ok());
    CHECK(broker->info().name == "broker");
    CHECK(broker->info().role == "broker");
    CHECK(crypto::VerifyCertificate(*broker, *ca, testing::ReadFile(dir / "pki/crl.pem"), Now())
              .ok());
    REQUIRE(p->List().size() == 1);
    CHECK(p->List()[0].name == "broker");

    std::string conf = testing::ReadFile(dir / "pki/mosquitto.conf");
    for (const char* want :
         {"listener 18883", "require_certificate true", "use_identity_as_username true",
          "allow_anonymous false", "crlfile ", "acl_file ", "set_tcp_nodelay true"}) {
      CHECK_MESSAGE(conf.find(want) != std::string::npos, want);
    }
    CHECK(conf.find("cafile " + p->dir() + "/ca.crt") != std::string::npos);

    auto again = Pki::Init(dir / "pki", init);
    CHECK(again.status().code() == Status::Code::kFailedPrecondition);
  }

  TEST_CASE("issue: key 0600, certificate verifies, index and acl follow, a second is refused") {
    testing::TempDir dir;
    auto p = Pki::Init(dir / "pki", PkiInit{});
    REQUIRE(p.ok());
    auto e = p->Issue("edge-1", crypto::Role::kEdge, 30);
    REQUIRE(e.ok());
    CHECK(e->role == "edge");
    PkiPaths paths = p->Paths("edge-1");
    CHECK(ModeOf(paths.key) == 0600);
    auto cert = crypto::Certificate::Load(paths.cert);
    auto key = crypto::PrivateKey::Load(paths.key);
    auto ca = crypto::Certificate::Load(paths.ca);
    REQUIRE((cert.ok() && key.ok() && ca.ok()));
    CHECK(cert->info().key == key->Public());
    CHECK(cert->info().serial == e->serial);
    CHECK(cert->info().fingerprint == e->fingerprint);
    CHECK(crypto::VerifyCertificate(*cert, *ca, testing::ReadFile(paths.crl), Now()).ok());

    auto dup = p->Issue("edge-1", crypto::Role::kEdge);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.status().message().find("revoke it first") != std::string::npos);
    CHECK_FALSE(p->Issue("a/b", crypto::Role::kEdge).ok());
    CHECK_FALSE(p->Issue("edge+", crypto::Role::kEdge).ok());
    CHECK_FALSE(p->Issue("", crypto::Role::kEdge).ok());

    // Another process (here: another object) sees the same index.
    auto reopened = Pki::Open(dir / "pki");
    REQUIRE(reopened.ok());
    REQUIRE(reopened->List().size() == 2);
    CHECK(reopened->List()[1].name == "edge-1");
    CHECK(reopened->List()[1].serial == e->serial);
    CHECK(testing::ReadFile(dir / "pki/acl").find("user edge-1\n") != std::string::npos);
  }

  TEST_CASE("revoke: the CRL lists it, the ACL drops it, a new certificate may be issued") {
    testing::TempDir dir;
    auto p = Pki::Init(dir / "pki", PkiInit{});
    REQUIRE(p.ok());
    REQUIRE(p->Issue("edge-1", crypto::Role::kEdge).ok());
    auto old_cert = crypto::Certificate::Load(p->Paths("edge-1").cert);
    REQUIRE(old_cert.ok());
    auto r = p->Revoke("edge-1");
    REQUIRE(r.ok());
    CHECK(r->revoked);
    auto ca = crypto::Certificate::Load(p->Paths("edge-1").ca);
    REQUIRE(ca.ok());
    Status s =
        crypto::VerifyCertificate(*old_cert, *ca, testing::ReadFile(dir / "pki/crl.pem"), Now());
    CHECK(s.message().find("revoked") != std::string::npos);
    CHECK(testing::ReadFile(dir / "pki/acl").find("user edge-1\n") == std::string::npos);
    CHECK(p->Revoke("edge-1").status().code() == Status::Code::kNotFound);

    auto again = p->Issue("edge-1", crypto::Role::kEdge);
    REQUIRE(again.ok());
    CHECK(again->serial != r->serial);
    CHECK(testing::ReadFile(dir / "pki/acl").find("user edge-1\n") != std::string::npos);
    auto list = Pki::Open(dir / "pki");
    REQUIRE(list.ok());
    REQUIRE(list->List().size() == 3);  // broker, revoked edge-1, new edge-1
    CHECK(list->List()[1].revoked);
    CHECK_FALSE(list->List()[2].revoked);
  }

  TEST_CASE("the ACL gives each role its topics with the name written in") {
    std::vector<PkiEntry> entries = {
        {"core", "core", "1", "", 0, false},    {"edge-1", "edge", "2", "", 0, false},
        {"obs", "observer", "3", "", 0, false}, {"rig", "feed", "4", "", 0, false},
        {"gone", "edge", "5", "", 0, true},     {"broker", "broker", "6", "", 0, false}};
    std::string acl = MakeAcl(entries, "site9");
    auto has = [&](const std::string& s) { return acl.find(s + "\n") != std::string::npos; };
    CHECK(has("user core\ntopic readwrite site9/#"));
    CHECK(
        has("user edge-1\ntopic write site9/reg/edge-1\ntopic write site9/up/edge-1\n"
            "topic write site9/hb/edge-1\ntopic write site9/stored/edge-1\n"
            "topic write site9/put/edge-1/+\ntopic write site9/peer/edge-1/+\n"
            "topic read site9/reg/edge-1/reply\ntopic read site9/down/edge-1\n"
            "topic read site9/put/+/edge-1\ntopic read site9/peer/+/edge-1\n"
            "topic read site9/members\ntopic read site9/feed/#"));
    CHECK(has("user obs\ntopic read site9/x/#"));
    CHECK(has("user rig\ntopic write site9/feed/rig/#"));
    CHECK_FALSE(has("user gone"));
    CHECK(acl.find("pattern") == std::string::npos);
    CHECK(has("user broker"));  // present, with no topic line
    CHECK(acl.find("user broker\ntopic") == std::string::npos);
  }
}

}  // namespace tern
