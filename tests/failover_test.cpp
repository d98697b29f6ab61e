// Gateway failover with real processes (`mqtt.brokers`, docs/architecture.md "Failure
// behaviour"). Two layouts, as README.md describes them:
//  - three Mosquitto brokers, and a core and three edges that list all three in the same
//    order: every node is on the same broker, no bridge. Killing it (-9) moves every node
//    to the next one;
//  - a site broker bridged to the core's broker with the bridge lines of
//    docs/mosquitto-bridge.conf: the edges on the site broker, the core on its own. Killing
//    the site broker moves the edges to the core's broker; the core stays where it is.
// In both, ingest goes on through the failure, the core keeps acknowledging every edge's
// chunks, and nothing acknowledged before it is lost (stores checked against the manifest).
//
// The brokers run as a real site's do (kSiteDefaultMode: TLS, client certificates, ACL):
// the further brokers share the first one's PKI (one site CA, one broker certificate for
// 127.0.0.1, the generated ACL), each node uses its one certificate with every broker, and
// the bridge connects to the core's broker with a certificate of its own (role core).

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "site.h"

namespace tern::testing {
namespace {
constexpr int kEdges = 3;
constexpr int64_t kPerEdge = 6000;  // 30 s at 200 records/s: ingest runs through the failure

std::string At(int port) { return "127.0.0.1:" + std::to_string(port); }

std::vector<std::string> EdgeArgs() {
  return {"source.synthetic.rate=200", "source.synthetic.max_records=" + std::to_string(kPerEdge),
          "replication.timeout=1s", "uplink.timeout=2s"};
}
std::vector<std::string> CoreArgs() {
  return {"membership.suspect_after=3s", "membership.dead_after=10s"};
}

bool AllEdges(const std::function<bool(int)>& pred) {
  for (int i = 0; i < kEdges; ++i) {
    if (!pred(i)) return false;
  }
  return true;
}

// The chunks the core has acknowledged so far, and each edge's count of them.
struct Before {
  std::set<ChunkId> acked;
  std::vector<int64_t> graded;
};
Before Snapshot(const Site& site) {
  Before b;
  site.ReadManifest(&b.acked);
  for (int i = 0; i < kEdges; ++i) b.graded.push_back(site.EdgeCounter(i, "grade_core"));
  return b;
}

// After the failure: the core acknowledges new chunks of every edge, the site drains, every
// store agrees with the manifest, every record is there once, nothing acked before is lost.
void CheckGoesOn(Site& site, const Before& before) {
  CHECK(Site::WaitFor(60, [&] {
    return AllEdges([&](int i) {
      return site.EdgeCounter(i, "grade_core") > before.graded[static_cast<size_t>(i)] + 5;
    });
  }));
  DrainResult r = DrainStopAndCheck(site, kEdges * kPerEdge, 120);
  INFO("problems:" << r.check.Report());
  REQUIRE(r.drained);
  CHECK(r.check.problems.empty());
  CHECK(r.check.records_per_source.size() == static_cast<size_t>(kEdges));
  for (const auto& [src, n] : r.check.records_per_source) {
    CAPTURE(src);
    CHECK(n == kPerEdge);
  }
  std::set<ChunkId> held;
  for (int i = 0; i < kEdges; ++i) {
    for (const auto& sc : site.ReadStore(i)) held.insert(sc.id);
  }
  int lost = 0;
  for (const auto& id : before.acked) lost += held.count(id) ? 0 : 1;
  CHECK(lost == 0);
  MESSAGE("acked before the failure: " << before.acked.size() << ", chunks at end: "
                                       << r.check.chunks << ", records: " << r.check.records);
}

// The bridge lines of docs/mosquitto-bridge.conf, pointed at 127.0.0.1:`port`, with `id`'s
// files for the bridge's TLS (without them, for plain brokers, when `id` has no CA).
std::vector<std::string> BridgeLines(int port, const Identity& id) {
  std::ifstream in(TERN_SOURCE_DIR "/docs/mosquitto-bridge.conf");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string key = line.substr(0, line.find(' '));
    const std::map<std::string, std::string> files = {
        {"bridge_cafile", id.ca}, {"bridge_certfile", id.cert}, {"bridge_keyfile", id.key}};
    if (files.count(key)) {
      if (!id.ca.empty()) out.push_back(key + " " + files.at(key));
    } else if (key == "bridge_insecure" && id.ca.empty()) {
      continue;
    } else {
      out.push_back(key == "address" ? "address " + At(port) : line);
    }
  }
  return out;
}
}  // namespace

TEST_SUITE("failover") {
  TEST_CASE(
      "killing the broker everyone uses moves every node to the next, nothing acked is lost") {
    Site site(kEdges, EdgeArgs(), CoreArgs());
    REQUIRE(site.broker().ok());
    TempDir dir2("broker2"), dir3("broker3");
    Broker b2(dir2.path(), site.broker()), b3(dir3.path(), site.broker());
    REQUIRE(b2.ok());
    REQUIRE(b3.ok());
    site.UseBrokers(At(site.broker().port()) + "," + At(b2.port()) + ", " + At(b3.port()));
    REQUIRE(site.StartAll());

    // Everyone on broker 1, chunks acknowledged by the core.
    REQUIRE(Site::WaitFor(60, [&] {
      return AllEdges([&](int i) {
               return site.EdgeCounter(i, "grade_core") > 0 &&
                      site.EdgeCounter(i, "mqtt_broker") == 1;
             }) &&
             site.CoreCounter("mqtt_broker") == 1;
    }));
    const Before before = Snapshot(site);
    REQUIRE_FALSE(before.acked.empty());

    site.broker().Kill(/*hard=*/true);

    // Every node moves to broker 2 and says so in its counters and its log.
    const bool moved = Site::WaitFor(60, [&] {
      return AllEdges([&](int i) {
               return site.EdgeCounter(i, "broker_failovers") >= 1 &&
                      site.EdgeCounter(i, "mqtt_broker") == 2;
             }) &&
             site.CoreCounter("broker_failovers") >= 1 && site.CoreCounter("mqtt_broker") == 2;
    });
    INFO("edge-0 log:\n"
         << site.LogTail("edge-0", 30) << "\ncore log:\n"
         << site.LogTail("core", 30));
    REQUIRE(moved);
    const std::string to = "moving to broker " + At(b2.port());
    CHECK(site.LogOf("edge-0").find(to) != std::string::npos);
    CHECK(site.LogOf("core").find(to) != std::string::npos);
    CheckGoesOn(site, before);
  }

  TEST_CASE(
      "a site broker bridged to the core broker - when it dies the edges move to the core broker") {
    // site.broker() is the core's broker; the site broker bridges tern/# to it.
    Site site(kEdges, EdgeArgs(), CoreArgs());
    REQUIRE(site.broker().ok());
    // The bridge's own certificate, in the core's broker's ACL with tern/# (role core).
    const Identity bridge_id = site.broker().mode() == BrokerMode::kPki
                                   ? site.broker().Issue("bridge-site1", crypto::Role::kCore)
                                   : Identity{"bridge-site1", "", "", ""};
    const std::vector<std::string> bridge = BridgeLines(site.broker().port(), bridge_id);
    INFO("bridge config: " << [&] {
      std::string all;
      for (const auto& l : bridge) all += "\n  " + l;
      return all;
    }());
    REQUIRE(bridge.size() >= 3);
    TempDir site_dir("site-broker");
    Broker site_gw(site_dir.path(), site.broker(), bridge);
    REQUIRE(site_gw.ok());
    const std::string core_gw = At(site.broker().port());
    site.UseBrokers(At(site_gw.port()) + "," + core_gw, core_gw + "," + At(site_gw.port()));
    REQUIRE(site.StartAll());

    // The edges on the site broker, the core on its own: only the bridge joins them.
    REQUIRE(Site::WaitFor(60, [&] {
      return AllEdges([&](int i) {
               return site.EdgeCounter(i, "grade_core") > 0 &&
                      site.EdgeCounter(i, "mqtt_broker") == 1;
             }) &&
             site.CoreCounter("mqtt_broker") == 1;
    }));
    const Before before = Snapshot(site);
    REQUIRE_FALSE(before.acked.empty());

    site_gw.Kill(/*hard=*/true);

    const bool moved = Site::WaitFor(60, [&] {
      return AllEdges([&](int i) {
        return site.EdgeCounter(i, "broker_failovers") >= 1 &&
               site.EdgeCounter(i, "mqtt_broker") == 2;
      });
    });
    INFO("edge-0 log:\n"
         << site.LogTail("edge-0", 30) << "\nsite broker log:\n"
         << site_gw.log().substr(0, 4000));
    REQUIRE(moved);
    CHECK(site.CoreCounter("broker_failovers") == 0);
    CHECK(site.CoreCounter("mqtt_broker") == 1);
    CheckGoesOn(site, before);
  }
}
}  // namespace tern::testing
