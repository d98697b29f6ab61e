// The HTTP API's access rules over a real socket: 401 without a token or with a wrong one
// (every path, /metrics too), 403 for a read token on the settings PUT, the PUT itself with
// an operator token, 405/413/400 for requests the API does not take, a revoke that takes
// effect without a restart, 429 when one client has too many requests in progress, and the
// config checks of the http.* keys. HTTPS and client certificates: http_tls_test.cpp.
#include <doctest/doctest.h>
#include <httplib.h>

#include <condition_variable>
#include <thread>

#include "http_client.h"
#include "http_fixture.h"
#include "tern/common/config.h"
#include "tern/core/options.h"

namespace tern::core {
using namespace http_test;  // NOLINT: the fixture's names read as if they were local

using testing::HttpStatusOf;
using testing::RawHttp;

TEST_SUITE("http auth") {
  TEST_CASE("every path answers 401 without a token or with a wrong one, and tells nothing") {
    Fixture f;
    int refused = 0;
    for (std::string path : {"/api/v1/nodes", "/api/v1/status", "/api/v1/scheduler", "/metrics",
                             "/api/v1/chunks?source=vib", "/api/v1/results",
                             "/api/v1/edges/edge-a/settings", "/api/v1/no-such-path"}) {
      CAPTURE(path);
      for (std::string token :
           {std::string(), std::string("tern_wrong"), f.read_token + "x", f.read_token.substr(1)}) {
        CAPTURE(token);
        Reply r = f.Call("GET", path, token);
        CHECK(r.status == 401);
        ++refused;
        CHECK(r.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
        REQUIRE(r.body.is_object());
        CHECK(r.body["error"].get<std::string>().rfind("unauthorized", 0) == 0);
        CHECK(r.raw.find("edge-a") == std::string::npos);
        CHECK(r.raw.find("/srv/") == std::string::npos);
      }
    }
    // Not a bearer token at all.
    httplib::Client cli("127.0.0.1", f.api->port());
    cli.set_basic_auth("admin", "admin");
    auto basic = cli.Get("/api/v1/nodes");
    REQUIRE(basic);
    CHECK(basic->status == 401);
    ++refused;
    CHECK(f.metrics.Get("http_unauthorized") == refused);
    CHECK(f.status_calls == 0);  // no handler ran
    // The same paths with the read token work (the unknown one is a 404 then).
    CHECK(f.Call("GET", "/api/v1/nodes", f.read_token).status == 200);
    CHECK(f.Call("GET", "/metrics", f.read_token).status == 200);
    CHECK(f.Call("GET", "/api/v1/no-such-path", f.read_token).status == 404);
  }

  TEST_CASE("a read token may not change settings: 403, nothing written") {
    Fixture f;
    Reply r = f.Call("PUT", "/api/v1/edges/edge-a/settings", f.read_token, R"({"weight": 9})");
    CHECK(r.status == 403);
    CHECK(r.body["error"].get<std::string>().find("operator") != std::string::npos);
    CHECK(f.metrics.Get("http_forbidden") == 1);
    auto shown = f.Call("GET", "/api/v1/edges/edge-a/settings", f.read_token);
    REQUIRE(shown.status == 200);
    CHECK(shown.body["settings"]["weight"] == 4);
  }

  TEST_CASE("an operator token changes an edge's settings like ternctl edge set") {
    Fixture f;
    auto m = Manifest::Open(f.dir / "core.db", /*read_only=*/true).value();
    int64_t version = m->SettingsVersion().value();
    Reply r = f.Call("PUT", "/api/v1/edges/edge-b/settings", f.operator_token,
                     R"({"priority": "alarm", "weight": 7, "kinds": ["samples", "event"],
                         "rate": "2M"})");
    REQUIRE_MESSAGE(r.status == 200, r.raw);
    CHECK(r.body["name"] == "edge-b");
    CHECK(r.body["addr"] == 2);
    CHECK(r.body["settings"]["configured"] == true);
    CHECK(r.body["settings"]["priority_name"] == "alarm");
    CHECK(r.body["settings"]["weight"] == 7);
    CHECK(r.body["settings"]["kinds"] == json{"samples", "event"});
    CHECK(r.body["settings"]["max_bytes_per_s"] == 2 * 1024 * 1024);
    // The settings version the running core polls moved, as after `ternctl edge set`.
    CHECK(m->SettingsVersion().value() == version + 1);
    EdgeSettings stored = m->Settings("edge-b").value();
    CHECK(stored.weight == 7);
    CHECK(stored.kinds == "samples,event");
    // A partial body changes only what it names; the nodes view shows the result.
    REQUIRE(
        f.Call("PUT", "/api/v1/edges/edge-b/settings", f.operator_token, R"({"rate": 0})").status ==
        200);
    auto [code, nodes] = f.Get("/api/v1/nodes");
    REQUIRE(code == 200);
    CHECK(nodes["nodes"][1]["settings"]["weight"] == 7);
    CHECK(nodes["nodes"][1]["settings"]["max_bytes_per_s"] == 0);
  }

  TEST_CASE("bad settings answer 400 naming the setting, unknown edges 404") {
    Fixture f;
    struct Case {
      std::string body, names;
    };
    std::vector<Case> cases = {
        {R"({"weight": 0})", "'weight'"},
        {R"({"weight": "heavy"})", "'weight'"},
        {R"({"weight": 99999999999})", "'weight'"},
        {R"({"kinds": "samples,video"})", "'kinds'"},
        {R"({"kinds": ["samples,blob"]})", "'kinds'"},
        {R"({"priority": "urgent"})", "'priority'"},
        {R"({"rate": "fast"})", "'rate'"},
        {R"({"rate": -5})", "'rate'"},
        {R"({"protocol": 7})", "'protocol'"},
        {R"({"colour": "red"})", "'colour'"},
        {R"([1, 2])", "body"},
        {R"({"weight": )", "body"},
        {"", "body"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.body);
      Reply r = f.Call("PUT", "/api/v1/edges/edge-a/settings", f.operator_token, c.body);
      CHECK(r.status == 400);
      REQUIRE(r.body.is_object());
      CHECK(r.body["error"].get<std::string>().find(c.names) != std::string::npos);
    }
    CHECK(f.Call("GET", "/api/v1/edges/edge-a/settings", f.read_token).body["settings"]["weight"] ==
          4);
    Reply unknown =
        f.Call("PUT", "/api/v1/edges/edge-z/settings", f.operator_token, R"({"weight": 2})");
    CHECK(unknown.status == 404);
    CHECK(unknown.body["error"].get<std::string>().find("edge-z") != std::string::npos);
    CHECK(f.Call("GET", "/api/v1/edges/edge-z/settings", f.read_token).status == 404);
  }

  TEST_CASE("other methods answer 405 with Allow") {
    Fixture f;
    struct Case {
      std::string method, path, allow;
    };
    for (const auto& c :
         std::vector<Case>{{"DELETE", "/api/v1/nodes", "GET, HEAD"},
                           {"POST", "/api/v1/nodes", "GET, HEAD"},
                           {"PUT", "/metrics", "GET, HEAD"},
                           {"OPTIONS", "/api/v1/status", "GET, HEAD"},
                           {"POST", "/api/v1/edges/edge-a/settings", "GET, HEAD, PUT"},
                           {"DELETE", "/api/v1/edges/edge-a/settings", "GET, HEAD, PUT"}}) {
      CAPTURE(c.method);
      CAPTURE(c.path);
      Reply r = f.Call(c.method, c.path, f.operator_token, "{}");
      CHECK(r.status == 405);
      CHECK(r.Header("Allow") == c.allow);
      CHECK(r.body["error"].is_string());
    }
  }

  TEST_CASE("a body over 64 KiB is 413 and one without Content-Length 400, both at once") {
    // A long request timeout: a server that waited for a body would not answer within
    // RawHttp's deadline.
    Fixture f(true, [](HttpApiOptions& o) { o.request_timeout_ms = 60000; });
    const std::string line = "PUT /api/v1/edges/edge-a/settings HTTP/1.1\r\nHost: x\r\n";
    const std::string auth = "Authorization: Bearer " + f.operator_token + "\r\n";
    // The body is announced and never sent: the answer must not wait for it.
    std::string raw = RawHttp(f.api->port(), line + auth + "Content-Length: 70000\r\n\r\n", 20);
    CHECK(HttpStatusOf(raw) == 413);
    // With or without credentials: nothing of such a body is read.
    raw = RawHttp(f.api->port(), line + "Content-Length: 999999999\r\n\r\n", 20);
    CHECK(HttpStatusOf(raw) == 413);
    // No Content-Length, connection left open: httplib alone would read until EOF.
    raw = RawHttp(f.api->port(), line + auth + "\r\n{\"weight\": 2}", 20);
    CHECK(HttpStatusOf(raw) == 400);
    CHECK(raw.find("Content-Length is required") != std::string::npos);
    raw = RawHttp(f.api->port(), line + auth + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"wei", 20);
    CHECK(HttpStatusOf(raw) == 400);
    // A bounded body is read, then refused: the client gets its 401 (not a reset), and the
    // same for a method the path does not take.
    Reply noauth = f.Call("PUT", "/api/v1/edges/edge-a/settings", "", R"({"weight": 2})");
    CHECK(noauth.status == 401);
    Reply post = f.Call("POST", "/api/v1/no-such-path", "", R"({"weight": 2})");
    CHECK(post.status == 401);
    CHECK(f.Call("GET", "/api/v1/edges/edge-a/settings", f.read_token).body["settings"]["weight"] ==
          4);
  }

  TEST_CASE("tokens created or revoked while the server runs take effect at once") {
    Fixture f;
    const std::string book = TokenBook::PathIn(f.dir.path());
    std::string late = MakeToken(book, HttpRole::kRead, "late");
    CHECK(f.Call("GET", "/api/v1/status", late).status == 200);
    REQUIRE(TokenBook::Revoke(book, "late").ok());
    CHECK(f.Call("GET", "/api/v1/status", late).status == 401);
    CHECK(f.Call("GET", "/api/v1/status", f.read_token).status == 200);
    REQUIRE(TokenBook::Revoke(book, "ops").ok());
    CHECK(f.Call("PUT", "/api/v1/edges/edge-a/settings", f.operator_token, R"({"weight": 2})")
              .status == 401);
  }

  TEST_CASE("a client over its concurrency limit gets 429 with Retry-After") {
    Fixture f(true, [](HttpApiOptions& o) {
      o.max_concurrent_per_client = 2;
      o.threads = 4;
    });
    std::mutex mu;
    std::condition_variable cv;
    int inside = 0;
    bool release = false;
    f.in_status = [&] {
      std::unique_lock<std::mutex> lk(mu);
      ++inside;
      cv.notify_all();
      cv.wait(lk, [&] { return release; });
    };
    std::vector<int> codes(2, 0);
    std::vector<std::thread> held;
    for (size_t i = 0; i < 2; ++i) {
      held.emplace_back(
          [&, i] { codes[i] = f.Call("GET", "/api/v1/status", f.read_token).status; });
    }
    {
      std::unique_lock<std::mutex> lk(mu);
      REQUIRE(cv.wait_for(lk, std::chrono::seconds(30), [&] { return inside == 2; }));
    }
    Reply busy = f.Call("GET", "/api/v1/nodes", f.read_token);
    CHECK(busy.status == 429);
    CHECK(busy.Header("Retry-After") == "1");
    CHECK(f.metrics.Get("http_rejected_busy") == 1);
    {
      std::lock_guard<std::mutex> lk(mu);
      release = true;
    }
    cv.notify_all();
    for (auto& t : held) t.join();
    CHECK(codes == std::vector<int>{200, 200});
    CHECK(f.Call("GET", "/api/v1/nodes", f.read_token).status == 200);  // slots given back
  }

  TEST_CASE("with auth off every client is an operator") {
    Fixture f(true, [](HttpApiOptions& o) { o.auth = false; });
    CHECK(f.Call("GET", "/api/v1/nodes", "").status == 200);
    CHECK(f.Call("PUT", "/api/v1/edges/edge-a/settings", "", R"({"weight": 3})").status == 200);
    CHECK(f.api->AuthSummary().find("off") != std::string::npos);
  }

  TEST_CASE("config: http.auth = off only on loopback, TLS keys go together") {
    auto load = [](std::vector<std::string> sets) {
      return Config::Load(CoreConfigSchema(), "", sets);
    };
    CHECK(load({}).ok());
    CHECK(CoreOptionsFrom(load({}).value()).http_auth);
    CHECK(load({"http.auth=off"}).ok());
    CHECK(load({"http.auth=off", "http.bind=::1"}).ok());
    auto open = load({"http.auth=off", "http.bind=0.0.0.0"});
    REQUIRE(!open.ok());
    CHECK(open.status().message().find("'http.auth'") != std::string::npos);
    CHECK(load({"http.bind=0.0.0.0"}).ok());  // with tokens
    auto half = load({"http.tls_cert=/x.pem"});
    REQUIRE(!half.ok());
    CHECK(half.status().message().find("http.tls_key") != std::string::npos);
    auto ca = load({"http.client_ca=/ca.pem"});
    REQUIRE(!ca.ok());
    CHECK(ca.status().message().find("'http.client_ca'") != std::string::npos);
    CHECK(!load({"http.auth=maybe"}).ok());
    CHECK(!load({"http.max_concurrent_per_client=0"}).ok());
    auto o = CoreOptionsFrom(
        load({"http.request_timeout=750ms", "http.max_concurrent_per_client=9"}).value());
    CHECK(o.http_request_timeout_ms == 750);
    CHECK(o.http_max_concurrent_per_client == 9);
  }
}
}  // namespace tern::core
