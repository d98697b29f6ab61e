// Search end to end with real processes (issue 12, item 5): edges with tagged sources (config
// tags on the synthetic rig, a feed whose records carry their own tags, one of them bad) and
// anomalies that make alarm results; GET /api/v1/search and `ternctl search` find the tagged
// chunks and results by tag, source, time window and note, each with its holders, and refuse
// bad queries with a 400 naming the problem.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"
#include "tern/core/http_tokens.h"

namespace tern::testing {
namespace {

struct Searcher {
  int port;
  std::string token;
  // The answer to /api/v1/search?<query> (the status checked by the caller).
  HttpReply Raw(const std::string& query) const {
    return HttpCall(port, "GET", "/api/v1/search?" + query, token);
  }
  nlohmann::json Ok(const std::string& query) const {
    auto r = Raw(query);
    INFO(query << " -> " << r.status << " " << r.body.substr(0, 300));
    REQUIRE(r.status == 200);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    REQUIRE(j.is_object());
    REQUIRE(j["results"].is_array());
    return j["results"];
  }
};

// A read token for the HTTP API, in the book the core will read ("" on failure).
std::string ReadToken(const Site& site) {
  std::filesystem::create_directories(site.CoreDir());
  auto token = core::TokenBook::Create(core::TokenBook::PathIn(site.CoreDir()),
                                       core::HttpRole::kRead, "search-test", 1);
  return token.ok() ? *token : "";
}

bool HasTag(const nlohmann::json& d, const std::string& tag) {
  for (const auto& t : d["tags"]) {
    if (t == tag) return true;
  }
  return false;
}

}  // namespace

TEST_SUITE("search") {
  TEST_CASE("tagged chunks and results are found by tag, source, time and note") {
    Site site(3, {"source.synthetic.rate=500", "source.synthetic.max_records=2000"});
    REQUIRE(site.broker().ok());
    const std::string token = ReadToken(site);
    REQUIRE(!token.empty());
    // edge-0's feed: a record with its own tags, one without, one whose tags field is bad.
    std::filesystem::create_directories(site.EdgeDir(0));
    const std::string feed = site.EdgeDir(0) + "/feed.jsonl";
    std::ofstream(feed) << R"({"door":"open","tags":["pump","line2"]})"
                        << "\n"
                        << R"({"door":"closed"})"
                        << "\n"
                        << R"({"door":"stuck","tags":"pump"})"
                        << "\n";
    REQUIRE(site.StartCore());
    REQUIRE(site.StartEdgeWith(
        0, {"source.synthetic.tags=bearing,line2", "source.synthetic.anomaly_every=400",
            "source.feed.path=" + feed, "source.feed.tags=doors"}));
    REQUIRE(site.StartEdgeWith(1, {"source.synthetic.tags=line1"}));
    REQUIRE(site.StartEdge(2));
    bool settled = Site::WaitFor(180, [&] { return site.Settled(6003); });
    INFO(site.LogTail("core"));
    REQUIRE(settled);
    CHECK(site.EdgeCounter(0, "feed_bad_tags") == 1);
    const Searcher s{site.CoreStatus().value("http_port", -1), token};
    REQUIRE(s.port > 0);

    // By tag: edge-0's vib chunks and the results computed from them, nobody else's.
    auto both = s.Ok("q=bearing%20AND%20line2&limit=10000");
    REQUIRE(both.size() > 10);
    std::set<std::string> kinds;
    for (const auto& d : both) {
      INFO(d.dump());
      CHECK(d["origin_name"] == "edge-0");
      CHECK(HasTag(d, "bearing"));
      CHECK(HasTag(d, "line2"));
      CHECK(d["holders"].size() >= 1);
      kinds.insert(d["kind_name"].get<std::string>());
    }
    CHECK(kinds == std::set<std::string>{"samples", "result"});
    // Newest first.
    for (size_t i = 1; i < both.size(); ++i) CHECK(both[i - 1]["t_last"] >= both[i]["t_last"]);
    // Acked chunks have their three holders.
    for (const auto& d : both) {
      if (d["kind_name"] == "samples") CHECK(d["holders"].size() == 3);
    }
    for (const auto& d : s.Ok("q=line1&limit=10000")) CHECK(d["origin_name"] == "edge-1");
    CHECK(!s.Ok("q=line1").empty());

    // The feed record's own tags joined the source's; the bad field was left out.
    int events = 0;
    for (const auto& d : s.Ok("q=pump")) {
      if (d["kind_name"] != "event") continue;  // results of the feed's chunk carry its tags too
      ++events;
      CHECK(d["source"] == "feed");
      CHECK(HasTag(d, "doors"));
      CHECK(HasTag(d, "line2"));
    }
    CHECK(events == 1);
    // line2 on edge-0 covers both sources; by source only the feed.
    std::set<std::string> sources;
    for (const auto& d : s.Ok("q=line2%20AND%20origin:%22edge-0%22&limit=10000")) {
      sources.insert(d["source"].get<std::string>());
    }
    CHECK(sources.count("vib") == 1);
    CHECK(sources.count("feed") == 1);
    for (const auto& d : s.Ok("q=source:feed&limit=10000")) CHECK(d["origin_name"] == "edge-0");

    // By note: the alarm results (anomalies) of edge-0's tagged data.
    auto alarms = s.Ok("q=notes:alarm%20AND%20bearing&limit=10000");
    REQUIRE(!alarms.empty());
    for (const auto& d : alarms) {
      CHECK(d["kind_name"] == "result");
      CHECK(d["priority_name"] == "alarm");
      CHECK(d["notes"].get<std::string>().find("anomalies") != std::string::npos);
      CHECK(d["holders"].size() == 3);  // placed on three stores
    }
    CHECK(s.Ok("q=notes:alarm%20AND%20line1").empty());  // edge-1 had no anomalies

    // By time: a window around one chunk finds it and fewer than all.
    const auto& mid = both[both.size() / 2];
    const uint64_t from = mid["t_first"], to = mid["t_last"];
    auto window =
        s.Ok("q=bearing&limit=10000&from=" + std::to_string(from) + "&to=" + std::to_string(to));
    REQUIRE(!window.empty());
    CHECK(window.size() < s.Ok("q=bearing&limit=10000").size());
    bool found_mid = false;
    for (const auto& d : window) {
      CHECK(d["t_last"].get<uint64_t>() >= from);
      CHECK(d["t_first"].get<uint64_t>() <= to);
      found_mid = found_mid || d["id"] == mid["id"];
    }
    CHECK(found_mid);
    CHECK(s.Ok("q=bearing&from=2001-01-01&to=2001-01-02").empty());

    // ternctl search prints them, with holders.
    auto ctl = Ctl(site, {"search", "bearing AND line2", "--limit", "5"});
    INFO(ctl.out);
    CHECK(ctl.code == 0);
    CHECK(ctl.out.find("bearing,line2") != std::string::npos);
    CHECK(ctl.out.find("edge-0") != std::string::npos);
    CHECK(ctl.out.find("5 match(es) (truncated") != std::string::npos);
    auto ctl_json = Ctl(site, {"search", "pump", "--json"});
    CHECK(ctl_json.code == 0);
    CHECK(ctl_json.out.find("\"doors\"") != std::string::npos);
  }

  TEST_CASE("bad queries are a 400 naming the problem, counted, never a 500") {
    Site site(1, {"source.synthetic.rate=50"});
    REQUIRE(site.broker().ok());
    const std::string token = ReadToken(site);
    REQUIRE(!token.empty());
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] { return site.CoreStatus().value("http_port", -1) > 0; }));
    const Searcher s{site.CoreStatus().value("http_port", -1), token};
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"q=AND%20(", "q: fts5: syntax error"},
        {"q=%22open", "q: unterminated string"},
        {"q=nosuch:x", "q: no such column: nosuch"},
        {"q=a%01b", "q: control character 1"},
        {"q=" + std::string(600, 'a'), "q: 600 bytes, more than 512"},
        {"q=", "q: is empty"},
        {"limit=5", "q: required"},
        {"q=x&origin=1", "origin"},
        {"q=x&limit=0", "limit"},
        {"q=x&from=yesterday", "from"},
    };
    for (const auto& [query, want] : bad) {
      auto r = s.Raw(query);
      INFO(query << " -> " << r.status << " " << r.body);
      CHECK(r.status == 400);
      CHECK(r.body.find(want) != std::string::npos);
    }
    CHECK(Site::WaitFor(20, [&] {
      return site.CoreCounter("search_bad_requests") == static_cast<int64_t>(bad.size());
    }));
    CHECK(s.Raw("q=vib").status == 200);
    auto ctl = Ctl(site, {"search", "AND ("});
    CHECK(ctl.code == 2);
    CHECK(ctl.out.find("syntax error") != std::string::npos);
  }
}

}  // namespace tern::testing
