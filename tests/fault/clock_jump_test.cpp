// A clock jump of ±1 h on one edge (issue 9, fault battery), with libfaketime (Debian
// package faketime) preloaded into edge-2 only, its offset read from a file the test
// rewrites (monotonic clocks stay true: a real NTP step moves only the wall clock). As
// docs/architecture.md says: the core flags the node (`clock_skew_warnings`, gauge
// `clock_skew_nodes`) while it is off by more than `clock.max_skew` and clears the flag when
// it is back; acks go on through both jumps; a restart with the clock an hour behind its
// last stamp counts `clock_behind_last_stamp` and its HLC stamps still go up; per source,
// records are stored once each with stamps that rise with their sequence numbers.
// The site runs plain MQTT here: with its clock an hour behind, a restarted edge would find
// the freshly issued test certificates not yet valid (5 min allowance), which says nothing
// about the clock handling under test. Skipped with a message if libfaketime is missing.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "fault_util.h"
#include "invariants.h"
#include "site.h"

namespace tern::testing {
namespace {
constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

void SetOffset(const std::string& file, const std::string& offset) {
  const std::string tmp = file + ".new";
  std::ofstream(tmp) << offset << "\n";
  std::filesystem::rename(tmp, file);
}
}  // namespace

TEST_SUITE("fault_clock") {
  TEST_CASE(
      "fault: a clock jump of +1 h then -1 h on one edge: flagged, acks and order unaffected") {
    if (!std::filesystem::exists(kFaketime)) {
      MESSAGE("skipped: " << kFaketime << " missing (Debian package faketime)");
      return;
    }
    const int64_t kPerEdge = 1000 * 60;
    Site site(
        4,
        {"source.synthetic.rate=1000", "source.synthetic.max_records=" + std::to_string(kPerEdge),
         "replication.timeout=1s", "uplink.timeout=2s"},
        {"clock.max_skew=5s"}, BrokerMode::kPlain);
    const std::string offset_file = site.dir() + "/edge-2.faketime";
    SetOffset(offset_file, "+0");
    site.SetEdgeEnv(
        2, {std::string("LD_PRELOAD=") + kFaketime, "FAKETIME_TIMESTAMP_FILE=" + offset_file,
            "FAKETIME_CACHE_DURATION=1", "FAKETIME_DONT_FAKE_MONOTONIC=1"});
    REQUIRE(site.StartAll());
    auto acks = [&] { return site.EdgeCounter(2, "grade_core"); };
    REQUIRE(Site::WaitFor(60, [&] { return acks() > 20; }));
    CHECK(site.CoreCounter("clock_skew_nodes") == 0);

    // +1 h: flagged, acks go on.
    SetOffset(offset_file, "+1h");
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("clock_skew_nodes") == 1; }));
    CHECK(site.CoreCounter("clock_skew_warnings") >= 1);
    int64_t before = acks();
    CHECK(Site::WaitFor(30, [&] { return acks() > before + 20; }));

    // -1 h: two hours back at once; still flagged, acks go on.
    SetOffset(offset_file, "-1h");
    before = acks();
    CHECK(Site::WaitFor(30, [&] { return acks() > before + 20; }));
    CHECK(site.CoreCounter("clock_skew_nodes") == 1);

    // A restart an hour behind its last stamp: counted, and it keeps acking.
    site.KillEdge(2, 9);
    std::filesystem::remove(site.EdgeDir(2) + "/status.json");
    REQUIRE(site.StartEdge(2));
    CHECK(Site::WaitFor(30, [&] { return site.EdgeCounter(2, "clock_behind_last_stamp") >= 1; }));
    CHECK(Site::WaitFor(60, [&] { return acks() > 20; }));

    // Back on time: the flag clears.
    SetOffset(offset_file, "+0");
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("clock_skew_nodes") == 0; }));

    const uint32_t addr = site.EdgeAddr(2);
    const bool settled = Site::WaitFor(180, [&] { return site.Settled(4 * kPerEdge); });
    site.StopAll();
    INFO("core log: " << site.LogTail("core", 30));
    INFO("edge-2 log: " << site.LogTail("edge-2", 30));
    REQUIRE(settled);
    InvariantResult inv = CheckInvariants(site);
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());

    // Stamps rise with sequence numbers in edge-2's own chunks, across both jumps.
    std::map<std::string, std::map<uint64_t, uint64_t>> ts_by_seq;  // source -> seq -> ts
    for (const auto& sc : site.ReadStore(2)) {
      if (!sc.own) continue;
      auto v = DecodeChunk(sc.wire);
      if (!v.ok() || v->header.origin != addr) continue;
      auto recs = DecodeRecords(*v);
      if (!recs.ok()) continue;
      for (const auto& r : *recs) ts_by_seq[v->header.source][r.seq] = r.ts;
    }
    CHECK_FALSE(ts_by_seq.empty());
    for (const auto& [source, m] : ts_by_seq) {
      uint64_t last_ts = 0, last_seq = 0;
      int64_t backwards = 0;
      for (const auto& [seq, ts] : m) {
        if (last_ts != 0 && ts <= last_ts) {
          if (++backwards <= 5) {
            MESSAGE(source << ": record " << seq << " stamped " << ts << " <= record " << last_seq
                           << "'s " << last_ts);
          }
        }
        last_ts = ts;
        last_seq = seq;
      }
      INFO("source " << source << " of edge-2");
      CHECK(backwards == 0);
    }
  }
}

}  // namespace tern::testing
