// GET /healthz: public (no credentials looked at), "ok" or 503 with the health source's
// reason, 405 for other methods even without credentials.
#include <doctest/doctest.h>

#include "http_fixture.h"

namespace tern::core {
using http_test::Fixture;
using http_test::Reply;

TEST_SUITE("http_healthz") {
  TEST_CASE("healthz answers ok without credentials and 503 with the reason when unhealthy") {
    Fixture f;
    Reply ok = f.Call("GET", "/healthz", "");
    CHECK(ok.status == 200);
    CHECK(ok.raw == "ok\n");
    CHECK(ok.Header("Content-Type").find("text/plain") == 0);
    // A wrong token is not looked at either: probes hold none.
    CHECK(f.Call("GET", "/healthz", "tern_not-a-token").status == 200);
    CHECK(f.metrics.Get("http_unauthorized") == 0);
    {
      std::lock_guard<std::mutex> lk(f.actions_mu);
      f.health_problem = "broker link down (not connected)";
    }
    Reply down = f.Call("GET", "/healthz", "");
    CHECK(down.status == 503);
    CHECK(down.raw == "unavailable: broker link down (not connected)\n");
    CHECK(f.Call("GET", "/healthz?verbose=1", "").status == 400);
  }

  TEST_CASE("healthz answers 405 with Allow for other methods, with or without credentials") {
    Fixture f;
    for (const char* method : {"POST", "DELETE", "PUT"}) {
      CAPTURE(method);
      Reply r = f.Call(method, "/healthz", "");
      CHECK(r.status == 405);
      CHECK(r.Header("Allow") == "GET, HEAD");
      CHECK(f.Call(method, "/healthz", f.operator_token).status == 405);
    }
    // Every other path still needs credentials.
    CHECK(f.Call("GET", "/api/v1/status", "").status == 401);
  }
}
}  // namespace tern::core
