// The repair endpoints of the HTTP API (issue 9): report, repair, verify, drain, forget.
#include <doctest/doctest.h>

#include <chrono>

#include "http_fixture.h"

namespace tern::core {
using http_test::Fixture;
using http_test::json;

TEST_SUITE("http_repair") {
  TEST_CASE("report and repair are read documents from the core") {
    Fixture f;
    auto [code, body] = f.Get("/api/v1/report");
    CHECK(code == 200);
    CHECK(body["copies"]["3"] == 6);
    auto [rc, rb] = f.Get("/api/v1/repair");
    CHECK(rc == 200);
    CHECK(rb["queue"] == 2);
    CHECK(f.Get("/api/v1/repair?x=1").first == 400);
    auto put = f.Call("PUT", "/api/v1/report", f.operator_token, "{}");
    CHECK(put.status == 405);
    CHECK(put.Header("Allow").find("GET") != std::string::npos);
  }

  TEST_CASE("drain answers 202 to an operator, 404 for an unknown node, 403 to a reader") {
    Fixture f;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = f.Call("POST", "/api/v1/nodes/edge-b/drain", f.operator_token);  // no body
    // A POST without a body is answered at once, not after the request timeout.
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    CHECK(r.status == 202);
    CHECK(r.body == json{{"name", "edge-b"}, {"draining", true}});
    CHECK(f.Call("POST", "/api/v1/nodes/nope/drain", f.operator_token).status == 404);
    CHECK(f.Call("POST", "/api/v1/nodes/edge-b/drain", f.read_token).status == 403);
    CHECK(f.Call("POST", "/api/v1/nodes/edge-b/drain", "").status == 401);
    auto get = f.Call("GET", "/api/v1/nodes/edge-b/drain", f.operator_token);
    CHECK(get.status == 405);
    CHECK(get.Header("Allow").find("POST") != std::string::npos);
    std::lock_guard<std::mutex> lk(f.actions_mu);
    CHECK(f.actions.size() == 1);
  }

  TEST_CASE("forget answers 200 for a node that is gone and 409 for a live one") {
    Fixture f;
    auto ok = f.Call("POST", "/api/v1/nodes/edge-c/forget", f.operator_token, "");
    CHECK(ok.status == 200);
    CHECK(ok.body == json{{"name", "edge-c"}, {"forgotten", true}});
    auto live = f.Call("POST", "/api/v1/nodes/edge-a/forget", f.operator_token);
    CHECK(live.status == 409);
    CHECK(live.body["error"].get<std::string>().find("live") != std::string::npos);
    CHECK(f.Call("POST", "/api/v1/nodes/zz/forget", f.operator_token).status == 404);
  }

  TEST_CASE("verify passes rehash on and refuses a bad value") {
    Fixture f;
    auto [code, body] = f.Get("/api/v1/verify?rehash=1");
    CHECK(code == 200);
    CHECK(body["rehash"] == true);
    CHECK(f.verify_rehash.load());
    CHECK(f.Get("/api/v1/verify").second["rehash"] == false);
    CHECK(f.Get("/api/v1/verify?rehash=yes").first == 400);
    CHECK(f.Get("/api/v1/verify?rehas=1").first == 400);
  }
}

}  // namespace tern::core
