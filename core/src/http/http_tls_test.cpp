// The HTTP API over TLS with a throwaway PKI made by the openssl command (Ed25519 keys, as
// the site PKI issues): tokens over HTTPS, client certificates of the site CA as read (OU
// core: operator), a certificate of another CA refused in the handshake, plain HTTP against
// the HTTPS port failing cleanly, and unusable TLS files failing Start naming the key.
#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdlib>
#include <fstream>

#include "http_fixture.h"

namespace tern::core {
using namespace http_test;  // NOLINT: the fixture's names read as if they were local

namespace {

// A CA, a server certificate for 127.0.0.1 and client certificates, in a temp dir.
struct Pki {
  testing::TempDir dir{"pki"};
  bool ok = true;

  void Run(const std::string& cmd) {
    std::string full = cmd + " >>" + dir / "openssl.log" + " 2>&1";
    if (std::system(full.c_str()) != 0) {
      ok = false;
      FAIL_CHECK("openssl failed: " << cmd << "\n" << testing::ReadFile(dir / "openssl.log"));
    }
  }
  std::string P(const std::string& name) const { return dir / name; }

  void Ca(const std::string& name) {
    Run("openssl genpkey -algorithm ed25519 -out " + P(name + ".key"));
    Run("openssl req -x509 -new -key " + P(name + ".key") + " -subj '/CN=" + name +
        "' -days 2 -addext basicConstraints=critical,CA:TRUE -addext "
        "keyUsage=critical,keyCertSign,cRLSign -out " +
        P(name + ".pem"));
  }
  // A certificate for `subject` signed by CA `ca`, with extensions `ext`.
  void Leaf(const std::string& name, const std::string& subject, const std::string& ca,
            const std::string& ext, int serial) {
    std::ofstream(P(name + ".ext")) << ext << "\n";
    Run("openssl genpkey -algorithm ed25519 -out " + P(name + ".key"));
    Run("openssl req -new -key " + P(name + ".key") + " -subj '" + subject + "' -out " +
        P(name + ".csr"));
    Run("openssl x509 -req -in " + P(name + ".csr") + " -CA " + P(ca + ".pem") + " -CAkey " +
        P(ca + ".key") + " -set_serial " + std::to_string(serial) + " -days 2 -extfile " +
        P(name + ".ext") + " -out " + P(name + ".pem"));
  }

  Pki() {
    Ca("ca");
    Ca("other-ca");
    Leaf("server", "/CN=core/OU=core", "ca",
         "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth", 1);
    const std::string client = "extendedKeyUsage=clientAuth";
    Leaf("observer", "/CN=grafana/OU=observer", "ca", client, 2);
    Leaf("core", "/CN=core-2/OU=core", "ca", client, 3);
    Leaf("stranger", "/CN=core/OU=core", "other-ca", client, 4);
  }
};

// An HTTPS client that trusts the site CA, with the client certificate `name` if given.
std::unique_ptr<httplib::SSLClient> Client(const Pki& pki, int port, const std::string& name = "",
                                           const std::string& token = "") {
  auto cli = name.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port)
                          : std::make_unique<httplib::SSLClient>(
                                "127.0.0.1", port, pki.P(name + ".pem"), pki.P(name + ".key"));
  cli->set_ca_cert_path(pki.P("ca.pem"));
  cli->enable_server_certificate_verification(true);
  cli->set_read_timeout(10);
  cli->set_connection_timeout(10);
  if (!token.empty()) cli->set_bearer_token_auth(token);
  return cli;
}

std::function<void(HttpApiOptions&)> Tls(const Pki& pki, bool client_ca) {
  return [&pki, client_ca](HttpApiOptions& o) {
    o.tls_cert = pki.P("server.pem");
    o.tls_key = pki.P("server.key");
    if (client_ca) o.client_ca = pki.P("ca.pem");
  };
}

}  // namespace

TEST_SUITE("http tls") {
  TEST_CASE("HTTPS: tokens work, site client certificates are read, OU core is operator") {
    Pki pki;
    REQUIRE(pki.ok);
    Fixture f(true, Tls(pki, true));
    const int port = f.api->port();
    auto token = Client(pki, port, "", f.read_token)->Get("/api/v1/nodes");
    REQUIRE_MESSAGE(token, "HTTPS with a token failed: " << httplib::to_string(token.error()));
    CHECK(token->status == 200);
    auto none = Client(pki, port)->Get("/api/v1/nodes");
    REQUIRE(none);
    CHECK(none->status == 401);

    auto observer = Client(pki, port, "observer");
    auto got = observer->Get("/api/v1/nodes");
    REQUIRE_MESSAGE(got, "client certificate: " << httplib::to_string(got.error()));
    CHECK(got->status == 200);
    auto put =
        observer->Put("/api/v1/edges/edge-a/settings", R"({"weight": 5})", "application/json");
    REQUIRE(put);
    CHECK(put->status == 403);

    auto core = Client(pki, port, "core");
    auto op = core->Put("/api/v1/edges/edge-a/settings", R"({"weight": 5})", "application/json");
    REQUIRE(op);
    CHECK(op->status == 200);
    // A wrong token is refused even with a good certificate: a token, when sent, decides.
    auto wrong = Client(pki, port, "core", "tern_wrong")->Get("/api/v1/nodes");
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
  }

  TEST_CASE("a client certificate of another CA is refused in the handshake") {
    Pki pki;
    REQUIRE(pki.ok);
    Fixture f(true, Tls(pki, true));
    auto res = Client(pki, f.api->port(), "stranger", f.read_token)->Get("/api/v1/nodes");
    CHECK(!res);  // no HTTP answer at all, not even with a valid token
    CHECK(f.status_calls == 0);
    // Without client_ca the server asks for no certificate: a token is the only way in.
    Fixture plain(true, Tls(pki, false));
    auto cert_only = Client(pki, plain.api->port(), "core")->Get("/api/v1/nodes");
    REQUIRE(cert_only);
    CHECK(cert_only->status == 401);
  }

  TEST_CASE("plain HTTP against the HTTPS port fails cleanly and the server goes on") {
    Pki pki;
    REQUIRE(pki.ok);
    Fixture f(true, Tls(pki, true));
    httplib::Client plain("127.0.0.1", f.api->port());
    plain.set_read_timeout(10);
    plain.set_bearer_token_auth(f.read_token);
    auto res = plain.Get("/api/v1/nodes");
    CHECK((!res || res->status >= 400));  // never a served document
    if (res) CHECK(res->body.find("edge-a") == std::string::npos);
    auto again = Client(pki, f.api->port(), "", f.read_token)->Get("/api/v1/status");
    REQUIRE(again);
    CHECK(again->status == 200);
  }

  TEST_CASE("unusable TLS files fail Start naming the key and the file") {
    Pki pki;
    REQUIRE(pki.ok);
    struct Case {
      std::string cert, key, ca, names;
    };
    for (const auto& c : std::vector<Case>{
             {pki.P("nope.pem"), pki.P("server.key"), "", "http.tls_cert"},
             {pki.P("server.pem"), pki.P("nope.key"), "", "http.tls_key"},
             {pki.P("server.pem"), pki.P("observer.key"), "", "http.tls_key"},
             {pki.P("server.pem"), pki.P("server.key"), pki.P("nope-ca.pem"), "http.client_ca"},
             {pki.P("server.pem"), "", "", "http.tls_key"}}) {
      CAPTURE(c.names);
      HttpApiOptions o;
      o.port = 0;
      o.tls_cert = c.cert;
      o.tls_key = c.key;
      o.client_ca = c.ca;
      auto r = HttpApi::Start(o, {});
      REQUIRE(!r.ok());
      CHECK(r.status().message().rfind(c.names + ":", 0) == 0);
    }
  }
}
}  // namespace tern::core
