// The disk-pressure ladder with real processes on a real small disk (issue 13, item 5): one
// store's data directory is a 32 MiB tmpfs, filled by a file beside its edge.db as another
// program would fill the disk. Each watermark step happens at its level (80, 90, 95 %), the
// core passes the level on and bulk copies go to other stores at 90 %, the store takes data
// again once the space returns, and at the end every acked chunk has its three copies.
// Mounting a tmpfs needs root: elsewhere the test prints "SKIPPED:" and CTest reports it as
// skipped, not passed.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"
#include "tern/common/disk_space.h"

namespace tern::testing {
namespace {

// A tmpfs mounted on `path` while this lives; unmounted lazily (the edge may still hold
// files open) before the Site that owns the directory removes it.
class Tmpfs {
 public:
  Tmpfs(const std::string& path, const std::string& size) : path_(path) {
    std::filesystem::create_directories(path);
    const std::string cmd = "mount -t tmpfs -o size=" + size + " tmpfs '" + path + "' 2>&1";
    mounted_ = geteuid() == 0 && std::system(cmd.c_str()) == 0;
  }
  ~Tmpfs() {
    if (mounted_) (void)std::system(("umount -l '" + path_ + "'").c_str());
  }
  bool mounted() const { return mounted_; }

 private:
  std::string path_;
  bool mounted_ = false;
};

// Grows or shrinks the filler file in `dir` so the filesystem is `share` used (df's Use%):
// appends to it or cuts it, so calling it again while the store's own files change keeps the
// disk near `share`.
bool FillTo(const std::string& dir, double share) {
  const std::string filler = dir + "/filler.bin";
  std::error_code ec;
  const uint64_t have =
      std::filesystem::exists(filler, ec) ? std::filesystem::file_size(filler, ec) : 0;
  auto d = DiskSpaceOf(dir);
  if (!d.ok()) return false;
  const uint64_t used = d->total_bytes - d->free_bytes;
  const uint64_t room = used + d->avail_bytes;
  const auto want_used = static_cast<uint64_t>(share * static_cast<double>(room));
  const uint64_t others = used > have ? used - have : 0;  // the store's files
  const uint64_t size = want_used > others ? want_used - others : 0;
  if (size <= have) {
    std::filesystem::resize_file(filler, size, ec);  // cutting frees the space at once
    return !ec;
  }
  std::ofstream out(filler, std::ios::binary | std::ios::app);  // real bytes, not a hole
  const std::string block(64 * 1024, 'x');
  for (uint64_t n = have; n < size; n += block.size()) {
    out.write(block.data(),
              static_cast<std::streamsize>(std::min<uint64_t>(block.size(), size - n)));
  }
  return out.good();
}

}  // namespace

TEST_SUITE("disk pressure") {
  TEST_CASE("the ladder steps at 80, 90 and 95 %, bulk goes elsewhere, and nothing is lost") {
    // The producers run until the end, when their settings stop them (kinds: none).
    Site site(4, {"source.synthetic.priority=bulk", "source.synthetic.rate=300",
                  "replication.timeout=2s"});
    Tmpfs disk(site.EdgeDir(3), "32m");
    if (!disk.mounted()) {
      MESSAGE("SKIPPED: cannot mount a tmpfs on " << site.EdgeDir(3) << " (needs root)");
      return;
    }
    // Edges 0..2 produce bulk data; edge 3 is only a store, on the small disk.
    REQUIRE(site.StartCore());
    for (int i = 0; i < 3; ++i) REQUIRE(site.StartEdge(i));
    REQUIRE(site.StartEdgeWith(3, {"source.synthetic.enabled=false"}));
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeCounter(3, "replicas_stored") > 20; }));
    REQUIRE(Site::WaitFor(30, [&] { return site.CoreStatus().value("http_port", -1) > 0; }));
    const int port = site.CoreStatus().value("http_port", -1);
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());
    auto edge_pressure = [&] { return site.EdgeStatus(3).value("pressure", std::string()); };
    // The core's view of edge-3, as /api/v1/nodes shows it.
    auto core_pressure = [&] {
      auto r = HttpCall(port, "GET", "/api/v1/nodes", token);
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      if (!j.is_object() || !j["nodes"].is_array()) return std::string();
      for (const auto& n : j["nodes"]) {
        if (n.value("name", "") == "edge-3" && n["pressure"].is_string()) {
          return n["pressure"].get<std::string>();
        }
      }
      return std::string();
    };
    // Holds the disk at `share` (the store's own files keep changing) until edge-3 and the
    // core both say `level`. Shares sit inside each level's band, away from its watermarks.
    auto hold = [&](double share, const std::string& level) {
      return Site::WaitFor(60, [&] {
        return FillTo(site.EdgeDir(3), share) && edge_pressure() == level &&
               core_pressure() == level;
      });
    };
    INFO("edge-3 status: " << site.EdgeStatus(3).dump().substr(0, 600) << "\nedge-3 log:\n"
                           << site.LogTail("edge-3", 10) << "\ncore log:\n"
                           << site.LogTail("core", 10));
    CHECK(edge_pressure() == "normal");

    // 85 %: demote. Everything is still taken.
    CHECK(hold(0.85, "demote"));
    const int64_t at_demote = site.EdgeCounter(3, "replicas_stored");
    CHECK(
        Site::WaitFor(30, [&] { return site.EdgeCounter(3, "replicas_stored") > at_demote + 20; }));

    // 92.5 %: no_bulk. The core tells the peers; bulk copies go to the other stores, and acks
    // go on while edge-3 stores no more of them.
    CHECK(hold(0.925, "no_bulk"));
    const int64_t stored_then = site.EdgeCounter(3, "replicas_stored");
    const int64_t acks_then = site.CoreCounter("acks");
    CHECK(Site::WaitFor(60, [&] { return site.CoreCounter("acks") > acks_then + 300; }));
    // A copy already accepted when the level changed may still commit: a small slack.
    CHECK(site.EdgeCounter(3, "replicas_stored") <= stored_then + 10);
    CHECK(site.LogOf("edge-3").find("disk pressure demote -> no_bulk") != std::string::npos);
    CHECK(site.LogOf("core").find("disk pressure demote -> no_bulk: bulk copies go elsewhere") !=
          std::string::npos);

    // 97.5 %: alarms only.
    CHECK(hold(0.975, "alarms_only"));
    CHECK(site.EdgeCounter(3, "pressure_steps") >= 3);

    // The space returns: back to normal, and bulk copies come to edge-3 again.
    CHECK(hold(0.0, "normal"));
    const int64_t back = site.EdgeCounter(3, "replicas_stored");
    CHECK(Site::WaitFor(60, [&] { return site.EdgeCounter(3, "replicas_stored") > back + 20; }));

    // The producers stop (restarted without their source: what they sealed but the core has
    // not acked yet goes out from their outbox), then every chunk is on three stores, the
    // manifest says so, none lost.
    for (int i = 0; i < 3; ++i) {
      const int64_t boot = site.EdgeStatus(i).value("boot", int64_t{0});
      site.KillEdge(i, SIGTERM);
      REQUIRE(site.StartEdgeWith(i, {"source.synthetic.enabled=false"}));
      REQUIRE(
          Site::WaitFor(60, [&] { return site.EdgeStatus(i).value("boot", int64_t{0}) > boot; }));
    }
    const bool settled = Site::WaitFor(180, [&] { return site.Settled(0); });
    auto r = DrainStopAndCheck(site, 0, 0);
    CHECK(settled);
    INFO(r.check.Report());
    CHECK(r.drained);
    CHECK(r.check.problems.empty());
  }
}

}  // namespace tern::testing
