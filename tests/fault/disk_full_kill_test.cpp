// A disk-full episode freed in small steps with a kill -9 in between (issue 9, fault
// battery; the sequence-reuse case: retried chunks committing older "next seq" meta after
// newer chunks, then a crash). edge-0's data directory is a small tmpfs that fills while the
// site ingests; space then returns 512 KiB at a time, edge-0 is killed (-9) and restarted
// after each step, and finally the disk is made large. Once the bounded sources drain: no
// (origin, source, seq) acked twice, no record seq stored twice, nothing seen acked lost.
// Needs root (mount); skipped with a message otherwise.
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <filesystem>
#include <string>

#include "fault_util.h"
#include "invariants.h"
#include "site.h"

namespace tern::testing {
namespace {
// The core's view of node `addr` ({} if absent): edge-0's own status.json sits on the full
// disk, so its counters are read from its heartbeats.
nlohmann::json CoreNode(const Site& site, uint32_t addr) {
  for (const auto& n : site.CoreStatus().value("nodes", nlohmann::json::array())) {
    if (n.value("addr", 0u) == addr) return n;
  }
  return nlohmann::json::object();
}
int64_t NodeCounter(const Site& site, uint32_t addr, const std::string& name) {
  return CoreNode(site, addr).value("counters", nlohmann::json::object()).value(name, int64_t{0});
}
// Unmounts (lazily: processes may still hold files) whatever happens to the test.
struct Unmount {
  std::string dir;
  ~Unmount() {
    if (!dir.empty()) ::umount2(dir.c_str(), MNT_DETACH);
  }
};
}  // namespace

TEST_SUITE("fault_disk_full") {
  TEST_CASE(
      "fault: disk full freed in small steps with kill -9 between: no (source, seq) acked twice") {
    const int64_t kPerEdge = 5000 * 40;
    Site site(4, {"source.synthetic.rate=5000",
                  "source.synthetic.max_records=" + std::to_string(kPerEdge),
                  "replication.timeout=1s", "uplink.timeout=2s"});
    const std::string dir = site.EdgeDir(0);
    std::filesystem::create_directories(dir);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=3m") != 0) {
      MESSAGE("skipped: cannot mount a tmpfs here (needs root)");
      return;
    }
    Unmount guard{dir};
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeAddr(0) != 0; }));
    const uint32_t addr = site.EdgeAddr(0);
    std::set<ChunkId> seen_acked;
    // Full: the store's writes fail (the core learns it from edge-0's heartbeats).
    REQUIRE(Site::WaitFor(180, [&] { return CoreNode(site, addr).value("disk_full", false); }));
    REQUIRE(Site::WaitFor(30, [&] { return NodeCounter(site, addr, "local_store_errors") > 5; }));
    site.ReadManifest(&seen_acked);
    int size_kib = 3 * 1024;
    std::string self_exits;  // when edge-0 was found stopped on its own
    for (int step = 0; step < 4; ++step) {
      size_kib += 512;
      const std::string opts = "size=" + std::to_string(size_kib) + "k";
      REQUIRE(::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0);
      // Retried chunks commit into the new space (and fill it again) ...
      const int64_t local = NodeCounter(site, addr, "records_local");
      Site::WaitFor(10, [&] { return NodeCounter(site, addr, "records_local") > local; });
      // ... then the crash, and a restart on whatever space is left. An edge that stopped
      // by itself on the full disk is a finding (it must keep running); a supervisor would
      // restart it, and so does the test, so the sequence checks still run.
      if (!site.EdgeRunning(0)) self_exits += "\n  before kill " + std::to_string(step);
      site.KillEdge(0, 9);
      REQUIRE(site.StartEdge(0));
      site.ReadManifest(&seen_acked);
    }
    REQUIRE(::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT, "size=512m") == 0);
    if (!site.EdgeRunning(0)) {
      self_exits += "\n  after the last step";
      REQUIRE(site.StartEdge(0));
    }
    // edge-0's source restarted with each kill: at least the others' records in total.
    const bool settled = Site::WaitFor(240, [&] { return site.Settled(4 * kPerEdge); });
    site.StopAll();
    INFO("edge-0 log: " << site.LogTail("edge-0", 30));
    INFO("edge-0 had stopped by itself on the full disk:" << self_exits);
    CHECK(self_exits.empty());
    INFO("core log: " << site.LogTail("core", 30));
    REQUIRE(settled);
    // Records edge-0 had collected but not yet made durable when it was killed are lost (they
    // were never acked, not even locally), and on a nearly full disk a later, smaller chunk can
    // commit while an earlier, larger one is still being retried: so edge-0 may show gaps in
    // its record numbers, never a duplicate, and nothing acked may be missing.
    InvariantOptions opt;
    opt.gaps_allowed.insert(site.EdgeAddr(0));
    InvariantResult inv = CheckInvariants(site, opt);
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());  // among others: no (origin, source, seq) acked twice, no record twice
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());
    std::set<ChunkId> acked_now;
    site.ReadManifest(&acked_now);
    int64_t lost = 0;
    for (const auto& id : seen_acked) lost += acked_now.count(id) ? 0 : 1;
    CHECK(lost == 0);
  }
}

}  // namespace tern::testing
