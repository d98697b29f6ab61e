// Two boxes under one node name (issue 10, docs/preflight.md "One name, one box"): real
// broker (plain and PKI), real core and edges, a second real tern-edge under an enrolled name.
#include <doctest/doctest.h>

#include "site.h"

namespace tern::testing {
namespace {
// Two boxes, one name (issue 10): a second tern-edge configured as the enrolled edge-0, with a
// store of its own (and, with PKI, a copy of edge-0's certificate), is refused by the core.
// It must say so in one line naming both store ids, exit 3 (not restart-looped by systemd)
// and never connect under the name: the enrolled edge keeps its acks, is never taken over
// or marked offline, and the site loses nothing.
void SecondBoxUnderOneName(BrokerMode mode) {
  Site site(3, {"source.synthetic.rate=2000", "source.synthetic.max_records=20000"}, {}, mode);
  REQUIRE(site.broker().ok());
  REQUIRE(site.StartAll());
  REQUIRE(Site::WaitFor(90, [&] { return site.EdgeCounter(0, "grade_core") > 0; }));
  const std::string box_b = site.dir() + "/box-b";
  std::vector<std::string> argv = {TERN_EDGE_BIN,
                                   "--set",
                                   "mqtt.port=" + std::to_string(site.broker().port()),
                                   "--set",
                                   "node.name=edge-0",
                                   "--set",
                                   "node.data_dir=" + box_b,
                                   "--set",
                                   "source.synthetic.rate=2000"};
  for (auto& a : site.broker().DaemonSecurityArgs(site.EdgeIdentity(0), false)) argv.push_back(a);
  Process b;
  REQUIRE(b.Start(argv, box_b + ".log"));
  const int code = b.Wait(std::chrono::seconds(90));
  const std::string log = ReadFile(box_b + ".log");
  INFO("box b:\n" << log << "\ncore:\n" << site.LogTail("core", 30));
  CHECK(code == 3);
  CHECK(log.find("the core refused the name 'edge-0'") != std::string::npos);
  CHECK(log.find("is enrolled to another node") != std::string::npos);
  CHECK(log.find("Exiting with status 3") != std::string::npos);
  CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("refused_duplicate_name") >= 1; }));
  // The enrolled edge-0 goes on as before: acks continue, no takeover, never offline.
  const int64_t acked = site.EdgeCounter(0, "grade_core");
  CHECK(Site::WaitFor(60, [&] { return site.EdgeCounter(0, "grade_core") > acked; }));
  CHECK(site.EdgeCounter(0, "mqtt_identity_conflicts") == 0);
  CHECK(site.CoreCounter("nodes_offline") == 0);
  CHECK(site.CoreCounter("nodes_suspect") == 0);
  DrainResult r = DrainStopAndCheck(site, 60000, 120);
  CHECK(r.drained);
  INFO("problems:" << r.check.Report());
  CHECK(r.check.problems.empty());
}

}  // namespace

TEST_SUITE("identity") {
  TEST_CASE(
      "a second box under an enrolled name (plain MQTT) is refused, exits 3, the first loses "
      "nothing") {
    SecondBoxUnderOneName(BrokerMode::kPlain);
  }

  TEST_CASE(
      "a second box with a copy of the enrolled certificate is refused, exits 3, the first loses "
      "nothing") {
    SecondBoxUnderOneName(BrokerMode::kPki);
  }
}

}  // namespace tern::testing
