// ternctl against a real site, only over the core's HTTP API (no file of another node is
// opened): nodes, locate, get (the bytes from a live holder through the core, hash checked by
// ternctl; by full id and by a unique prefix), locate --origin by name, report, verify, edge
// set/show with an operator token and refused with a read token, exit 1 for an unknown
// chunk, prefix, origin name or edge, and exit 2 naming the URL once the core is gone.
#include <doctest/doctest.h>

#include <regex>

#include "ctl_run.h"
#include "site.h"

namespace tern::testing {
namespace {

nlohmann::json JsonOf(const CtlRun& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : j;
}

}  // namespace

TEST_SUITE("ctl") {
  TEST_CASE("ternctl reads and operates a running site over its HTTP API") {
    Site site(3, {"source.synthetic.rate=500"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] {
      for (int i = 0; i < 3; ++i) {
        if (site.EdgeCounter(i, "grade_core") < 3) return false;
      }
      return site.CoreStatus().value("http_port", -1) > 0;
    }));
    REQUIRE_FALSE(SiteToken(site).empty());

    auto nodes = Ctl(site, {"nodes", "--json"});
    REQUIRE_MESSAGE(nodes.code == 0, nodes.out);
    INFO("nodes: " << nodes.out);
    std::set<std::string> names;
    const nlohmann::json listed = JsonOf(nodes);
    for (const auto& n : listed["nodes"]) names.insert(n.value("name", ""));
    CHECK(names.count("edge-0") == 1);
    CHECK(names.count("edge-2") == 1);
    auto table = Ctl(site, {"nodes"});
    CHECK(table.code == 0);
    CHECK(table.out.find("edge-1") != std::string::npos);

    // An acked chunk of edge-0's: where it lives, then its bytes through the core.
    const std::string origin = std::to_string(site.EdgeAddr(0));
    std::string id;
    REQUIRE(Site::WaitFor(30, [&] {
      auto found = Ctl(site, {"locate", "--source", "vib", "--origin", origin, "--json"});
      const nlohmann::json doc = JsonOf(found);
      for (const auto& c : doc["chunks"]) {
        if (c.value("acked", false) && c["holders"].size() >= 3) id = c.value("id", "");
      }
      return !id.empty();
    }));
    auto located = Ctl(site, {"locate", id});
    CHECK(located.code == 0);
    CHECK(located.out.find("holders (3)") != std::string::npos);
    auto got = Ctl(site, {"get", id});
    CHECK_MESSAGE(got.code == 0, got.out);
    CHECK(got.out.find("hash checked") != std::string::npos);
    auto got_json = Ctl(site, {"get", id, "--json"});
    REQUIRE(got_json.code == 0);
    CHECK(nlohmann::json::parse(got_json.out.substr(0, got_json.out.find('\n')))["chunk"]["id"] ==
          id);
    auto unknown = Ctl(site, {"get", std::string(64, '0')});
    CHECK(unknown.code == 1);
    CHECK(unknown.out.find("404") != std::string::npos);

    // A unique prefix of 8 or more hex digits names the chunk (the core resolves it); a
    // prefix no chunk has is "not found", exit 1, naming it.
    auto by_prefix = Ctl(site, {"locate", id.substr(0, 10), "--json"});
    CHECK_MESSAGE(by_prefix.code == 0, by_prefix.out);
    CHECK(JsonOf(by_prefix)["id"] == id);
    auto got_prefix = Ctl(site, {"get", id.substr(0, 8)});
    CHECK_MESSAGE(got_prefix.code == 0, got_prefix.out);
    CHECK(got_prefix.out.find("chunk " + id) != std::string::npos);
    CHECK(got_prefix.out.find("hash checked") != std::string::npos);
    auto no_prefix = Ctl(site, {"locate", "000000000000"});
    CHECK(no_prefix.code == 1);
    CHECK(no_prefix.out.find("'000000000000'") != std::string::npos);

    // --origin takes the node's name as well as its address; an unknown name is exit 1.
    auto by_name = Ctl(site, {"locate", "--source", "vib", "--origin", "edge-0", "--json"});
    CHECK_MESSAGE(by_name.code == 0, by_name.out);
    CHECK(JsonOf(by_name)["origin"] == site.EdgeAddr(0));
    CHECK(Ctl(site, {"locate", "--source", "vib", "--origin", "no-such-edge"}).code == 1);

    // The site as a whole.
    auto report = Ctl(site, {"report"});
    CHECK_MESSAGE(report.code == 0, report.out);
    CHECK(report.out.find("Chunks by copies") != std::string::npos);
    CHECK(report.out.find("Co-location: ") != std::string::npos);
    auto report_json = Ctl(site, {"report", "--json"});
    CHECK(JsonOf(report_json)["nodes"].is_array());
    auto verify = Ctl(site, {"verify", "--json"});
    CHECK((verify.code == 0 || verify.code == 1));
    CHECK(JsonOf(verify).contains("ok"));
    // The text form shows the in-flight figures --json has (window included), apart from
    // the problems.
    const int64_t window = JsonOf(verify)["in_flight"].value("window_s", -1);
    auto verify_text = Ctl(site, {"verify"});
    CHECK((verify_text.code == 0 || verify_text.code == 1));
    INFO(verify_text.out);
    CHECK(std::regex_search(
        verify_text.out,
        std::regex("\nin flight: +[0-9]+ chunks \\(not yet acked, or newer than " +
                   std::to_string(window) +
                   " s; not problems\\): missing [0-9]+, extra [0-9]+, under-replicated "
                   "[0-9]+, no copy yet [0-9]+\n")));

    // Settings: an operator token may change them, a read token may not.
    auto set = Ctl(site, {"edge", "set", "edge-0", "--weight", "3"});
    REQUIRE_MESSAGE(set.code == 0, set.out);
    auto shown = Ctl(site, {"edge", "show", "edge-0", "--json"});
    REQUIRE(shown.code == 0);
    CHECK(JsonOf(shown)["settings"]["weight"] == 3);
    auto no_edge = Ctl(site, {"edge", "set", "no-such-edge", "--weight", "3"});
    CHECK(no_edge.code == 1);
    CHECK(no_edge.out.find("no-such-edge") != std::string::npos);
    auto made = Ctl(site, {"token", "create", "--role", "read", "--name", "viewer"});
    REQUIRE(made.code == 0);
    std::string reader = made.out.substr(made.out.find("tern_"), 48);
    auto refused = CtlArgs(
        site, {"--site", site.dir(), "--token", reader, "edge", "set", "edge-0", "--weight", "4"});
    CHECK(refused.code == 2);
    CHECK(refused.out.find("403") != std::string::npos);
    CHECK(CtlArgs(site, {"--site", site.dir(), "--token", reader, "nodes"}).code == 0);

    // The core gone: every command says which URL it could not reach, exit 2.
    const int port = site.CoreStatus().value("http_port", -1);
    site.KillCore(9);
    for (const auto& cmd :
         std::vector<std::vector<std::string>>{{"nodes"}, {"verify"}, {"get", id}}) {
      auto r = Ctl(site, cmd);
      INFO(cmd[0], ": ", r.out);
      CHECK(r.code == 2);
      CHECK(r.out.find("http://127.0.0.1:" + std::to_string(port)) != std::string::npos);
    }
  }
}

}  // namespace tern::testing
