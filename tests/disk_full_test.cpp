// A store's data disk full, with real processes: edge-0's data directory is a small tmpfs
// that fills up while the site ingests. The edge keeps running, its error lines stay few
// (rate-limited with counts), the core shows `disk_full` for it from its heartbeats (its
// status.json sits on the full disk), and when space returns the flag clears. Needs root
// (mount); skipped with a message otherwise.
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <filesystem>
#include <string>

#include "site.h"

namespace tern::testing {
namespace {
// The core's view of node `addr` ({} if absent).
nlohmann::json CoreNode(const Site& site, uint32_t addr) {
  for (const auto& n : site.CoreStatus().value("nodes", nlohmann::json::array())) {
    if (n.value("addr", 0u) == addr) return n;
  }
  return nlohmann::json::object();  // not listed yet: an object, so value() gives the default
}
size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
// Unmounts (lazily: processes may still hold files) whatever happens to the test.
struct Unmount {
  std::string dir;
  ~Unmount() {
    if (!dir.empty()) ::umount2(dir.c_str(), MNT_DETACH);
  }
};
}  // namespace

TEST_SUITE("disk_full") {
  TEST_CASE("a full data disk: few error lines, disk_full shown by the core, cleared after") {
    Site site(4, {"source.synthetic.rate=5000", "replication.timeout=1s", "uplink.timeout=2s"});
    const std::string dir = site.EdgeDir(0);
    std::filesystem::create_directories(dir);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=3m") != 0) {
      MESSAGE("skipped: cannot mount a tmpfs here (needs root)");
      return;
    }
    Unmount guard{dir};
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.EdgeAddr(0) != 0; }));
    const uint32_t addr = site.EdgeAddr(0);
    // The disk fills; the core learns it from edge-0's heartbeats.
    REQUIRE(Site::WaitFor(180, [&] { return CoreNode(site, addr).value("disk_full", false); }));
    const auto full_at = std::chrono::steady_clock::now();
    // Let the fault last 20 s: the store fails every retry meanwhile.
    Site::WaitFor(
        30, [&] { return std::chrono::steady_clock::now() - full_at > std::chrono::seconds(20); });
    CHECK(site.EdgeRunning(0));
    CHECK(CoreNode(site, addr).value("disk_full", false));
    const nlohmann::json counters =
        CoreNode(site, addr).value("counters", nlohmann::json::object());
    CHECK(counters.value("disk_full", 0) == 1);
    CHECK(counters.value("local_store_errors", 0) > 10);
    // Error lines: three, then about one per 10 s, however many failures.
    const std::string log = site.LogOf("edge-0");
    const size_t lines = Count(log, "writes failed");
    INFO("edge-0 log (end):\n" << log.substr(log.size() > 8000 ? log.size() - 8000 : 0));
    CHECK(lines >= 1);
    CHECK(lines <= 3 + 30);
    CHECK(static_cast<int64_t>(lines) < counters.value("local_store_errors", 0));
    // Space returns: the flag clears.
    REQUIRE(::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT, "size=256m") == 0);
    CHECK(Site::WaitFor(60, [&] { return !CoreNode(site, addr).value("disk_full", true); }));
    CHECK(Site::WaitFor(30, [&] { return site.EdgeStatus(0).value("disk_full", true) == false; }));
    site.StopAll();
  }
}

}  // namespace tern::testing
