// CoreClient and the ternctl binary against a stand-in core (an httplib server in the test):
// where the endpoint comes from (--core, --site, token precedence), the error each HTTP
// failure becomes and the exit code the binary returns for it, and a connection refused
// naming the URL.
#include "core_client.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli_util.h"
#include "process.h"
#include "run_ternctl_testing.h"

namespace tern::tools {
namespace {

using testing::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

const std::string kIdA = "abcdef01" + std::string(56, '1');
const std::string kIdB = "abcdef01" + std::string(56, '2');
// Node d drains with 5 copies left in the manifest and 7 in its store; e is empty.
const std::string kReport =
    R"({"nodes":[{"name":"d","addr":4,"state":"live","draining":true,"chunks":5,)"
    R"("store_chunks":7,"drained":false},{"name":"e","addr":5,"state":"live",)"
    R"("draining":true,"chunks":0,"store_chunks":0,"drained":true}],"totals":{"nodes":2},)"
    R"("copies":{"3":9},"repair":{"queue":2},"reconcile":{"last_full_ms":0,"age_s":-1}})";

// A stand-in core: /api/v1/nodes needs "Bearer good"; /api/v1/nodes/x/forget answers 409;
// /api/v1/gone 404; /api/v1/slow answers after 3 s.
struct FakeCore {
  httplib::Server svr;
  std::thread t;
  int port = 0;
  FakeCore() {
    svr.Get("/api/v1/nodes", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != "Bearer good") {
        res.status = 401;
        res.set_content(R"({"error":"unauthorized"})", "application/json");
        return;
      }
      res.set_content(R"({"nodes":[{"addr":1,"name":"edge-1","state":"live","load":0.5,
        "capacity":1000,"disk_full":false,"last_seen_ms":1795255200000}]})",
                      "application/json");
    });
    svr.Post("/api/v1/nodes/x/forget", [](const httplib::Request&, httplib::Response& res) {
      res.status = 409;
      res.set_content(R"({"error":"node x is live"})", "application/json");
    });
    svr.Post("/api/v1/nodes/ro/drain", [](const httplib::Request&, httplib::Response& res) {
      res.status = 403;
      res.set_content(R"({"error":"needs the operator role"})", "application/json");
    });
    // Chunk lists echo the origin they were asked for; an 8-digit prefix that two chunks
    // share is ambiguous (the real core's message, chunk_ref.h).
    svr.Get("/api/v1/chunks", [](const httplib::Request& req, httplib::Response& res) {
      nlohmann::json j = {
          {"source", req.get_param_value("source")},
          {"origin", req.has_param("origin") ? std::stoll(req.get_param_value("origin")) : 0},
          {"truncated", false},
          {"chunks", nlohmann::json::array()}};
      res.set_content(j.dump(), "application/json");
    });
    svr.Get("/api/v1/chunks/abcdef01", [](const httplib::Request&, httplib::Response& res) {
      res.status = 400;
      res.set_content(nlohmann::json{{"error",
                                      "chunk id prefix 'abcdef01' is ambiguous: it "
                                      "matches " +
                                          kIdA + ", " + kIdB + "; give more digits"}}
                          .dump(),
                      "application/json");
    });
    svr.Put("/api/v1/edges/nosuch/settings", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"error":"edge 'nosuch' is not registered"})", "application/json");
    });
    svr.Post(
        R"(/api/v1/nodes/(d|e)/drain)", [](const httplib::Request& req, httplib::Response& res) {
          res.status = 202;
          res.set_content(nlohmann::json{{"name", req.matches[1].str()}, {"draining", true}}.dump(),
                          "application/json");
        });
    svr.Get("/api/v1/report", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kReport, "application/json");
    });
    svr.Get("/api/v1/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      res.set_content("{}", "application/json");
    });
    port = svr.bind_to_any_port("127.0.0.1");
    t = std::thread([this] { svr.listen_after_bind(); });
    while (!svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeCore() {
    svr.stop();
    t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// A port nothing listens on: bound (not listening), read back, closed.
int DeadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_SUITE("ternctl_client") {
  TEST_CASE("the endpoint comes from --core, or from a site directory with its token file") {
    ::unsetenv("TERN_TOKEN");
    CoreFlags f;
    auto e = ResolveEndpoint(f);
    REQUIRE(e.ok());
    CHECK(e->url == "http://127.0.0.1:8080");
    CHECK(e->token.empty());

    f.core = "http://10.0.0.5:9000/";
    f.token = "t1";
    e = ResolveEndpoint(f);
    REQUIRE(e.ok());
    CHECK(e->url == "http://10.0.0.5:9000");
    CHECK(e->token == "t1");

    f.core = "10.0.0.5:9000";
    CHECK(ResolveEndpoint(f).status().message().find("give a URL") != std::string::npos);
    f.core = "http://h:1";
    f.ca = "/ca.pem";
    CHECK(ResolveEndpoint(f).status().message().find("https://") != std::string::npos);

    TempDir dir("ctl-site");
    CoreFlags s;
    s.site = dir.path();
    auto missing = ResolveEndpoint(s);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().message().find(dir.path() + "/core/status.json") != std::string::npos);
    std::filesystem::create_directories(dir.path() + "/core");
    Write(dir.path() + "/core/status.json", R"({"http_port": 4711})");
    Write(dir.path() + "/http-token", "tern_site\n");
    e = ResolveEndpoint(s);
    REQUIRE(e.ok());
    CHECK(e->url == "http://127.0.0.1:4711");
    CHECK(e->token == "tern_site");
    // --token-file, then $TERN_TOKEN, win over the site's file.
    ::setenv("TERN_TOKEN", "tern_env", 1);
    CHECK(ResolveEndpoint(s)->token == "tern_env");
    Write(dir.path() + "/tok", " tern_file \n");
    s.token_file = dir.path() + "/tok";
    CHECK(ResolveEndpoint(s)->token == "tern_file");
    ::unsetenv("TERN_TOKEN");
    s.token_file = dir.path() + "/nope";
    CHECK(ResolveEndpoint(s).status().message().find(dir.path() + "/nope") != std::string::npos);

    Write(dir.path() + "/core/status.json", R"({"http_port": -1})");
    s.token_file.clear();
    CHECK(ResolveEndpoint(s).status().message().find("no HTTP port") != std::string::npos);
  }

  TEST_CASE("HTTP failures become errors naming the URL, with the exit code they mean") {
    FakeCore core;
    CoreEndpoint e;
    e.url = core.url();
    e.token = "good";
    e.timeout_s = 1;
    CoreClient c(e);
    auto nodes = c.Get("/api/v1/nodes");
    REQUIRE(nodes.ok());
    CHECK((*nodes)["nodes"][0]["name"] == "edge-1");

    auto gone = c.Get("/api/v1/gone");
    CHECK(gone.status().code() == Status::Code::kNotFound);
    CHECK(ExitFor(gone.status()) == kExitProblems);
    CHECK(gone.status().message().find(core.url() + "/api/v1/gone") != std::string::npos);

    auto live = c.Json("POST", "/api/v1/nodes/x/forget");
    CHECK(ExitFor(live.status()) == kExitProblems);
    CHECK(live.status().message().find("node x is live") != std::string::npos);

    auto forbidden = c.Json("POST", "/api/v1/nodes/ro/drain");
    CHECK(ExitFor(forbidden.status()) == kExitError);
    CHECK(forbidden.status().message().find("403") != std::string::npos);
    CHECK(forbidden.status().message().find("operator token") != std::string::npos);

    auto slow = c.Get("/api/v1/slow");
    CHECK(ExitFor(slow.status()) == kExitError);
    CHECK(slow.status().message().find("no answer") != std::string::npos);

    e.token = "bad";
    CoreClient wrong(e);
    auto denied = wrong.Get("/api/v1/nodes");
    CHECK(ExitFor(denied.status()) == kExitError);
    CHECK(denied.status().message().find("401") != std::string::npos);
    e.token.clear();
    CoreClient none(e);
    CHECK(none.Get("/api/v1/nodes").status().message().find("no token given") != std::string::npos);

    e.url = "http://127.0.0.1:" + std::to_string(DeadPort());
    CoreClient refused(e);
    auto r = refused.Get("/api/v1/nodes");
    CHECK(r.status().code() == Status::Code::kUnavailable);
    CHECK(ExitFor(r.status()) == kExitError);
    CHECK(r.status().message().find(e.url + "/api/v1/nodes") != std::string::npos);
    CHECK(r.status().message().find("connection refused") != std::string::npos);
  }

  TEST_CASE("ternctl binary: exit 2 naming the URL when the core is not reachable") {
    const std::string url = "http://127.0.0.1:" + std::to_string(DeadPort());
    for (const char* cmd : {"nodes", "report", "verify", "repair status", "edge show"}) {
      auto r = RunTernctl("--core " + url + " " + cmd, /*with_stderr=*/true);
      INFO(cmd, ": ", r.out);
      CHECK(r.exit_code == 2);
      CHECK(r.out.find(url) != std::string::npos);
    }
    auto v = RunTernctl("--core " + url + " verify --json");
    CHECK(v.exit_code == 2);
    CHECK(nlohmann::json::parse(v.out)["ok"] == false);
  }

  TEST_CASE("ternctl binary: nodes over HTTP with the token, 401 without, exit codes") {
    FakeCore core;
    auto ok = RunTernctl("--core " + core.url() + " --token good nodes", true);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("edge-1") != std::string::npos);
    auto js = RunTernctl("--core " + core.url() + " --token good nodes --json");
    CHECK(js.exit_code == 0);
    CHECK(nlohmann::json::parse(js.out)["nodes"].size() == 1);
    auto no = RunTernctl("--core " + core.url() + " nodes", true);
    CHECK(no.exit_code == 2);
    CHECK(no.out.find("401") != std::string::npos);
    auto live = RunTernctl("--core " + core.url() + " node forget x", true);
    CHECK(live.exit_code == 1);
    CHECK(live.out.find("node x is live") != std::string::npos);
    auto bad = RunTernctl("--core " + core.url() + " get abc", true);
    CHECK(bad.exit_code == 2);
    CHECK(bad.out.find("8 to 64 hex digits") != std::string::npos);
  }

  TEST_CASE("ternctl binary: --origin takes a name or an address, an unknown name is exit 1") {
    FakeCore core;
    const std::string base = "--core " + core.url() + " --token good locate --source vib ";
    for (const char* origin : {"edge-1", "1"}) {
      auto r = RunTernctl(base + "--origin " + origin + " --json", true);
      INFO(origin, ": ", r.out);
      CHECK(r.exit_code == 0);
      CHECK(nlohmann::json::parse(r.out)["origin"] == 1);
    }
    auto unknown = RunTernctl(base + "--origin nosuch", true);
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.out.find("'nosuch'") != std::string::npos);
  }

  TEST_CASE("ternctl binary: an ambiguous id prefix lists the candidates (exit 2)") {
    FakeCore core;
    for (const char* cmd : {"locate", "get"}) {
      auto r = RunTernctl("--core " + core.url() + " " + cmd + " abcdef01", true);
      INFO(cmd, ": ", r.out);
      CHECK(r.exit_code == 2);
      CHECK(r.out.find("ambiguous") != std::string::npos);
      CHECK(r.out.find(kIdA) != std::string::npos);
      CHECK(r.out.find(kIdB) != std::string::npos);
    }
    auto short_id = RunTernctl("--core " + core.url() + " locate abcdef0", true);
    CHECK(short_id.exit_code == 2);
  }

  TEST_CASE("ternctl binary: edge set on an unknown edge is exit 1 naming it") {
    FakeCore core;
    auto r = RunTernctl("--core " + core.url() + " edge set nosuch --weight 2", true);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("404") != std::string::npos);
    CHECK(r.out.find("nosuch") != std::string::npos);
  }

  TEST_CASE("ternctl binary: node drain shows what is left and waits until the node is empty") {
    FakeCore core;
    const std::string base = "--core " + core.url() + " node drain ";
    auto d = RunTernctl(base + "d", true);
    CHECK(d.exit_code == 0);
    CHECK(d.out.find("5 chunk(s) left in the manifest, its store holds 7") != std::string::npos);
    auto e = RunTernctl(base + "e --wait 30", true);
    CHECK(e.exit_code == 0);
    CHECK(e.out.find("drained, empty") != std::string::npos);
    auto late = RunTernctl(base + "d --wait 0", true);
    CHECK(late.exit_code == 1);  // not empty by the deadline: a "no"
    auto js = RunTernctl(base + "d --wait 0 --json");
    CHECK(nlohmann::json::parse(js.out) == nlohmann::json::parse(kReport)["nodes"][0]);
  }

  TEST_CASE("ternctl binary: --json prints the server's document unchanged") {
    FakeCore core;
    auto r = RunTernctl("--core " + core.url() + " report --json");
    CHECK(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out) == nlohmann::json::parse(kReport));
    auto drain = RunTernctl("--core " + core.url() + " node drain d --json");
    CHECK(nlohmann::json::parse(drain.out) == nlohmann::json({{"name", "d"}, {"draining", true}}));
  }
}

}  // namespace tern::tools
