// Daemons that behave: a signal stops them within 2 s whatever they wait for, their error
// says what is really missing (the core or the broker), and one data directory has one
// process (the second one stops at once, naming the directory and the holder's pid).
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

#include "site.h"

namespace tern::testing {
namespace {
using Clock = std::chrono::steady_clock;
// The promise is 2 s; the test allows more for a loaded test machine (2 cores shared by
// the whole suite), and still fails on the old behaviour (never stopping).
constexpr double kStopBoundS = 5.0;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The holder's pid as the lock file names it ("" if unreadable).
std::string LockPid(const std::string& dir) {
  std::ifstream in(dir + "/tern.lock");
  std::string pid;
  std::getline(in, pid);
  return pid;
}
}  // namespace

TEST_SUITE("daemons") {
  TEST_CASE("an edge waiting for a core that does not answer stops on SIGTERM and names the core") {
    Site site(1, {});
    REQUIRE(site.broker().ok());
    REQUIRE(site.StartEdge(0));  // no core at all
    CHECK(Site::WaitFor(60, [&] {
      return site.LogOf("edge-0").find("the broker answers but the core does not") !=
             std::string::npos;
    }));
    const auto t0 = Clock::now();
    REQUIRE(site.SignalEdge(0, SIGTERM));
    CHECK(Site::WaitFor(kStopBoundS * 2, [&] { return !site.EdgeRunning(0); }));
    const double took = SecondsSince(t0);
    INFO(site.LogTail("edge-0"));
    CHECK(took < kStopBoundS);
    CHECK(site.LogOf("edge-0").find("the broker answered, the core did not") != std::string::npos);
  }

  TEST_CASE("an edge whose broker does not answer stops on SIGINT and names the broker") {
    Site site(1, {});
    REQUIRE(site.broker().ok());
    REQUIRE(site.StartEdgeWith(0, {"mqtt.port=" + std::to_string(FreePort())}));
    CHECK(Site::WaitFor(60, [&] {
      return site.LogOf("edge-0").find("the broker does not answer") != std::string::npos;
    }));
    const auto t0 = Clock::now();
    REQUIRE(site.SignalEdge(0, SIGINT));
    CHECK(Site::WaitFor(kStopBoundS * 2, [&] { return !site.EdgeRunning(0); }));
    INFO(site.LogTail("edge-0"));
    CHECK(SecondsSince(t0) < kStopBoundS);
    CHECK(site.LogOf("edge-0").find("the broker never answered") != std::string::npos);
  }

  TEST_CASE("a core without a broker stops within the bound on SIGTERM and names the broker") {
    const int port = FreePort();
    Site site(0, {}, {"mqtt.port=" + std::to_string(port)});
    REQUIRE(site.StartCore());
    // The MQTT client names the broker it cannot reach.
    const std::string where = "127.0.0.1:" + std::to_string(port);
    CHECK(Site::WaitFor(60, [&] {
      const std::string log = site.LogOf("core");
      return log.find("started") != std::string::npos && log.find(where) != std::string::npos;
    }));
    const auto t0 = Clock::now();
    site.KillCore(SIGTERM);  // waits for the exit
    INFO(site.LogTail("core"));
    CHECK_FALSE(site.CoreRunning());
    CHECK(SecondsSince(t0) < kStopBoundS);
    CHECK(site.LogOf("core").find("stopped") != std::string::npos);
  }

  TEST_CASE("a second daemon on a data directory in use stops at once naming it and the holder") {
    Site site(1, {});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeStatus(0).value("addr", 0) != 0; }));
    TempDir dir("lock");
    struct Case {
      std::string bin, data_dir, extra;
    };
    for (const Case& c : {Case{TERN_CORE_BIN, site.CoreDir(), "http.port=-1"},
                          Case{TERN_EDGE_BIN, site.EdgeDir(0), "node.name=intruder"}}) {
      const std::string holder = LockPid(c.data_dir);
      REQUIRE_FALSE(holder.empty());
      Process second;
      const std::string log = dir / "second.log";
      std::remove(log.c_str());
      REQUIRE(second.Start({c.bin, "--set", "node.data_dir=" + c.data_dir, "--set",
                            "security.mode=insecure", "--set", c.extra},
                           log));
      CHECK(second.Wait(std::chrono::seconds(20)) == 1);
      const std::string out = ReadFile(log);
      INFO(out);
      CHECK(out.find("data directory " + c.data_dir + " is in use by pid " + holder) !=
            std::string::npos);
      // The first one is untouched and keeps its lock.
      CHECK(LockPid(c.data_dir) == holder);
    }
    CHECK(site.CoreRunning());
    CHECK(site.EdgeRunning(0));
  }
}

}  // namespace tern::testing
