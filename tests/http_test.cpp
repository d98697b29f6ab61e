// The core's HTTP API secured, with real processes: tokens made with the real `ternctl token`,
// 401 without or with a wrong token, 403 for a read token on the settings PUT, an operator's
// PUT reaching the edge without a restart (as `ternctl edge set` does), a revoke taking
// effect at once, and the refusals counted in /metrics.
#include <doctest/doctest.h>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"

namespace tern::testing {
namespace {

// The token `ternctl token create` printed: its own line, "tern_" and 43 more characters.
std::string TokenIn(const std::string& out) {
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    std::string line = out.substr(start, end == std::string::npos ? end : end - start);
    if (line.rfind("tern_", 0) == 0 && line.size() == 48) return line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

}  // namespace

TEST_SUITE("http") {
  TEST_CASE("tokens from ternctl guard the HTTP API of a running core") {
    Site site(1, {"source.synthetic.rate=500"});
    REQUIRE(site.StartAll());
    // One edge is enough: the test needs it registered and collecting, not replicating.
    REQUIRE(Site::WaitFor(
        30, [&] { return site.EdgeAddr(0) > 0 && site.EdgeCounter(0, "records_local") > 0; }));
    int port = site.CoreStatus().value("http_port", -1);
    REQUIRE(port > 0);

    auto made = Ctl(site, {"token", "create", "--role", "read", "--name", "dashboard"});
    REQUIRE_MESSAGE(made.code == 0, made.out);
    std::string reader = TokenIn(made.out);
    REQUIRE(reader.size() == 48);
    made = Ctl(site, {"token", "create", "--role", "operator", "--name", "ops"});
    REQUIRE(made.code == 0);
    std::string op = TokenIn(made.out);
    REQUIRE(op.size() == 48);
    auto listed = Ctl(site, {"token", "list", "--json"});
    REQUIRE(listed.code == 0);
    CHECK(listed.out.find("dashboard") != std::string::npos);
    CHECK(listed.out.find(reader) == std::string::npos);  // never the secret

    // Nothing without a valid token: not the nodes, not the metrics.
    auto none = HttpCall(port, "GET", "/api/v1/nodes");
    CHECK(none.status == 401);
    CHECK(none.body.find("edge-0") == std::string::npos);
    CHECK(HttpCall(port, "GET", "/metrics", "tern_not-a-token").status == 401);
    auto nodes = HttpCall(port, "GET", "/api/v1/nodes", reader);
    REQUIRE(nodes.status == 200);
    CHECK(nodes.body.find("edge-0") != std::string::npos);

    // The read token may not write; the operator token may, and the edge hears of it.
    CHECK(HttpCall(port, "PUT", "/api/v1/edges/edge-0/settings", reader, R"({"kinds": "event"})")
              .status == 403);
    auto put = HttpCall(port, "PUT", "/api/v1/edges/edge-0/settings", op, R"({"kinds": "event"})");
    REQUIRE_MESSAGE(put.status == 200, put.body);
    CHECK(Site::WaitFor(
        15, [&] { return site.EdgeStatus(0)["settings"].value("kinds", "") == "event"; }));
    CHECK(Site::WaitFor(15, [&] { return site.EdgeCounter(0, "records_refused_permission") > 0; }));
    auto shown = Ctl(site, {"edge", "show", "edge-0", "--json"});
    REQUIRE(shown.code == 0);
    CHECK(nlohmann::json::parse(shown.out)["settings"]["kinds"] == nlohmann::json::array({"event"}));
    CHECK(HttpCall(port, "PUT", "/api/v1/edges/edge-0/settings", op,
                   R"({"kinds": ["samples", "blob", "event"]})")
              .status == 200);

    // A revoke works without a restart.
    REQUIRE(Ctl(site, {"token", "revoke", "dashboard"}).code == 0);
    CHECK(HttpCall(port, "GET", "/api/v1/nodes", reader).status == 401);
    CHECK(Ctl(site, {"token", "revoke", "dashboard"}).code == 1);

    // The refusals are counted and exported (status.json is rewritten every 200 ms).
    CHECK(Site::WaitFor(10, [&] {
      auto m = HttpCall(port, "GET", "/metrics", op).body;
      return m.find("tern_core_http_forbidden_total 1") != std::string::npos &&
             m.find("tern_core_http_unauthorized_total 3") != std::string::npos;
    }));
    CHECK(site.LogOf("core").find("401 for GET /api/v1/nodes from 127.0.0.1") != std::string::npos);
    REQUIRE(site.CoreRunning());
    CHECK(site.EdgeRunning(0));
  }
}
}  // namespace tern::testing
