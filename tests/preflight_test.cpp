// `tern-edge --check` and `tern-core --check` as an operator runs them (docs/preflight.md):
// real processes against a real site (the PKI broker, TLS), read through `--json` and the
// exit code. A healthy site, a missing broker, a broker without a core, a name another box
// holds, a locked data directory, a full disk.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "site.h"
#include "tern/common/dir_lock.h"

namespace tern::testing {
namespace {
struct CheckRun {
  int code = -1;
  nlohmann::json report;  // the array, or null if the output held none
  std::string out;        // stdout and stderr, for failure messages
  // The line of check `name` (an empty object if absent).
  nlohmann::json Line(const std::string& name) const {
    if (report.is_array()) {
      for (const auto& l : report) {
        if (l.value("check", "") == name) return l;
      }
    }
    return nlohmann::json::object();
  }
  std::string Result(const std::string& name) const { return Line(name).value("result", "absent"); }
  std::string Detail(const std::string& name) const { return Line(name).value("detail", ""); }
  bool AnyFail() const {
    for (const auto& l : report) {
      if (l.value("result", "") == "fail") return true;
    }
    return false;
  }
};

int g_run = 0;

// Runs `bin --check --json` with `sets` (--set each) and returns what it printed.
CheckRun RunCheck(const Site& site, const std::string& bin, const std::vector<std::string>& sets) {
  std::vector<std::string> argv = {bin, "--check", "--json"};
  for (const auto& s : sets) {
    argv.push_back("--set");
    argv.push_back(s);
  }
  const std::string log = site.dir() + "/check-" + std::to_string(++g_run) + ".out";
  Process p;
  CheckRun r;
  REQUIRE(p.Start(argv, log));
  r.code = p.Wait(std::chrono::seconds(90));
  r.out = ReadFile(log);
  const size_t at = r.out.find('[');
  if (at != std::string::npos) {
    r.report = nlohmann::json::parse(r.out.substr(at), nullptr, /*allow_exceptions=*/false);
  }
  return r;
}

// The --set arguments a site's edge `name` runs with (mqtt port, data dir, its identity).
std::vector<std::string> EdgeSets(Site& site, const std::string& name, const std::string& dir,
                                  const Identity& id) {
  std::vector<std::string> s = {"mqtt.port=" + std::to_string(site.broker().port()),
                                "node.name=" + name, "node.data_dir=" + dir};
  auto sec = site.broker().DaemonSecurityArgs(id, /*core=*/false);
  for (size_t i = 1; i < sec.size(); i += 2) s.push_back(sec[i]);  // drop the "--set"s
  return s;
}

std::vector<std::string> CoreSets(Site& site) {
  std::vector<std::string> s = {"mqtt.port=" + std::to_string(site.broker().port()),
                                "node.data_dir=" + site.CoreDir(), "http.port=0"};
  auto sec = site.broker().DaemonSecurityArgs(site.CoreIdentity(), /*core=*/true);
  for (size_t i = 1; i < sec.size(); i += 2) s.push_back(sec[i]);
  return s;
}

// A tmpfs of 1 MiB at `dir`, unmounted by the destructor; ok() false if mount is not allowed.
class TinyFs {
 public:
  explicit TinyFs(const std::string& dir) : dir_(dir) {
    ::mkdir(dir.c_str(), 0755);
    ok_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=1M") == 0;
    if (!ok_) why_ = std::strerror(errno);
  }
  ~TinyFs() {
    if (ok_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }

 private:
  std::string dir_, why_;
  bool ok_ = false;
};
}  // namespace

TEST_SUITE("preflight") {
  TEST_CASE(
      "a healthy site: every check of edge and core passes, exit 0, a running node is not "
      "disturbed") {
    Site site(2, {"source.synthetic.rate=500"}, {"membership.publish_interval=1s"});
    REQUIRE(site.broker().ok());
    REQUIRE(site.StartCore());
    REQUIRE(site.StartEdge(0));
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeAddr(0) != 0; }));
    // The running edge's own config: it is this box's node, running here.
    CheckRun e = RunCheck(site, TERN_EDGE_BIN,
                          EdgeSets(site, "edge-0", site.EdgeDir(0), site.EdgeIdentity(0)));
    INFO(e.out);
    CHECK(e.code == 0);
    CHECK_FALSE(e.AnyFail());
    CHECK(e.Result("config valid") == "ok");
    CHECK(e.Result("broker MQTT") == "ok");
    CHECK(e.Result("certificate") == "ok");
    CHECK(e.Result("core answering") == "ok");
    CHECK(e.Result("clock offset") == "ok");  // one machine: the same clock, ms of transit
    CHECK(e.Detail("clock offset").find(" ms ") != std::string::npos);
    CHECK(e.Result("name unique") == "ok");
    CHECK(e.Detail("name unique").find("running here (pid") != std::string::npos);
    CHECK(e.Result("data directory lock") == "warn");  // the running edge holds it
    // The check used a client id of its own: the running edge was never taken over.
    CHECK(site.EdgeCounter(0, "mqtt_identity_conflicts") == 0);
    CHECK(site.EdgeRunning(0));
    // A new box with a name of its own, not started yet.
    CheckRun fresh = RunCheck(site, TERN_EDGE_BIN,
                              EdgeSets(site, "edge-1", site.EdgeDir(1), site.EdgeIdentity(1)));
    INFO(fresh.out);
    CHECK(fresh.code == 0);
    CHECK_FALSE(fresh.AnyFail());
    CHECK(fresh.Result("name unique") == "ok");
    CHECK(fresh.Result("data directory") == "ok");
    CHECK(fresh.Result("data directory lock") == "ok");
    CheckRun c = RunCheck(site, TERN_CORE_BIN, CoreSets(site));
    INFO(c.out);
    CHECK(c.code == 0);
    CHECK_FALSE(c.AnyFail());
    CHECK(c.Result("HTTP port") == "ok");
    CHECK(c.Result("broker MQTT") == "ok");
    CHECK(c.Result("certificate") == "ok");
    CHECK(site.CoreRunning());
  }

  TEST_CASE("no broker: both checks fail naming the broker's host:port, exit 1") {
    Site site(1, {});
    REQUIRE(site.broker().ok());
    const int port = FreePort();
    auto sets = EdgeSets(site, "edge-0", site.EdgeDir(0), site.EdgeIdentity(0));
    sets.push_back("mqtt.port=" + std::to_string(port));
    CheckRun e = RunCheck(site, TERN_EDGE_BIN, sets);
    INFO(e.out);
    CHECK(e.code == 1);
    CHECK(e.Result("broker TCP") == "fail");
    CHECK(e.Detail("broker TCP").find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(e.Result("core answering") == "fail");
    auto core_sets = CoreSets(site);
    core_sets.push_back("mqtt.port=" + std::to_string(port));
    CheckRun c = RunCheck(site, TERN_CORE_BIN, core_sets);
    INFO(c.out);
    CHECK(c.code == 1);
    CHECK(c.Result("broker TCP") == "fail");
    CHECK(c.Detail("broker TCP").find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  }

  TEST_CASE("a broker without a core: broker ok, the core check fails naming the topic, exit 1") {
    Site site(1, {}, {"membership.publish_interval=1s"});
    REQUIRE(site.broker().ok());
    CheckRun e = RunCheck(site, TERN_EDGE_BIN,
                          EdgeSets(site, "edge-0", site.EdgeDir(0), site.EdgeIdentity(0)));
    INFO(e.out);
    CHECK(e.code == 1);
    CHECK(e.Result("broker TCP") == "ok");
    CHECK(e.Result("broker MQTT") == "ok");
    CHECK(e.Result("core answering") == "fail");
    CHECK(e.Detail("core answering").find("no core answered on tern/members within") !=
          std::string::npos);
    // A core that ran and is gone leaves its retained list: that is not an answer either.
    REQUIRE(site.StartCore());
    REQUIRE(site.StartEdge(0));
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeAddr(0) != 0; }));
    site.KillCore(9);
    CheckRun gone = RunCheck(site, TERN_EDGE_BIN,
                             EdgeSets(site, "edge-0", site.EdgeDir(0), site.EdgeIdentity(0)));
    INFO(gone.out);
    CHECK(gone.code == 1);
    CHECK(gone.Result("core answering") == "fail");
    CHECK(gone.Detail("core answering").find("published none within") != std::string::npos);
  }

  TEST_CASE("a name another box holds: name unique fails, exit 1") {
    Site site(1, {"source.synthetic.rate=500"}, {"membership.publish_interval=1s"});
    REQUIRE(site.broker().ok());
    REQUIRE(site.StartCore());
    REQUIRE(site.StartEdge(0));
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeAddr(0) != 0; }));
    // A second box configured as edge-0 (with a copy of its certificate) and its own store.
    CheckRun e = RunCheck(site, TERN_EDGE_BIN,
                          EdgeSets(site, "edge-0", site.dir() + "/box-b", site.EdgeIdentity(0)));
    INFO(e.out);
    CHECK(e.code == 1);
    CHECK(e.Result("name unique") == "fail");
    CHECK(e.Detail("name unique").find("edge-0") != std::string::npos);
  }

  TEST_CASE("a locked data directory: fail naming the holder's pid, exit 1") {
    Site site(1, {});
    REQUIRE(site.broker().ok());
    auto lock = DirLock::Acquire(site.EdgeDir(0), "backup-tool");
    REQUIRE(lock.ok());
    CheckRun e = RunCheck(site, TERN_EDGE_BIN,
                          EdgeSets(site, "edge-0", site.EdgeDir(0), site.EdgeIdentity(0)));
    INFO(e.out);
    CHECK(e.code == 1);
    CHECK(e.Result("data directory lock") == "fail");
    CHECK(e.Detail("data directory lock").find("locked by pid " + std::to_string(getpid())) !=
          std::string::npos);
    CHECK(e.Detail("data directory lock").find("backup-tool") != std::string::npos);
    CheckRun c = RunCheck(site, TERN_CORE_BIN, [&] {
      auto s = CoreSets(site);
      s.push_back("node.data_dir=" + site.EdgeDir(0));
      return s;
    }());
    CHECK(c.code == 1);
    CHECK(c.Result("data directory lock") == "fail");
  }

  TEST_CASE("a full disk: free disk fails, exit 1") {
    Site site(1, {});
    REQUIRE(site.broker().ok());
    const std::string dir = site.dir() + "/tiny";
    TinyFs fs(dir);
    if (!fs.ok()) {
      MESSAGE("skipped: cannot mount a tmpfs here (" << fs.why() << "); needs root");
      return;
    }
    {
      std::ofstream fill(dir + "/fill", std::ios::binary);
      const std::string block(4096, 'x');
      for (int i = 0; i < 1024 && fill; ++i)
        fill.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    CheckRun e = RunCheck(site, TERN_EDGE_BIN,
                          EdgeSets(site, "edge-0", dir + "/data", site.EdgeIdentity(0)));
    INFO(e.out);
    CHECK(e.code == 1);
    CHECK(e.Result("free disk") == "fail");
    CHECK(e.Detail("free disk").find("% free") != std::string::npos);
  }

  TEST_CASE("a config error: every error reported, exit 2") {
    Site site(1, {});
    CheckRun e = RunCheck(site, TERN_EDGE_BIN, {"mqtt.prot=1", "node.nmae=x"});
    INFO(e.out);
    CHECK(e.code == 2);
    CHECK(e.Result("config valid") == "fail");
    CHECK(e.Detail("config valid").find("mqtt.prot") != std::string::npos);
    CHECK(e.Detail("config valid").find("node.nmae") != std::string::npos);
  }
}

}  // namespace tern::testing
