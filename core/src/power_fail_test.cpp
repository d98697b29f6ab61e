// PowerFailPolicy: a failure holds the uplinks and checkpoints, the checkpoint is timed and
// recorded (and found again by the next policy, as after a restart), an overrun of the
// hold-up budget is counted, and the return of power releases the uplinks.
#include "power_fail.h"

#include <doctest/doctest.h>

#include <vector>

#include "process.h"
#include "tern/common/files.h"

namespace tern::core {
namespace {

struct Rig {
  testing::TempDir dir;
  Metrics m;
  uint64_t now = 1000;
  std::vector<bool> holds;
  std::function<void()> committed;  // the checkpoint's commit, run by the test
  std::string marker() const { return dir.path() + "/power-checkpoint.json"; }
  PowerFailPolicy Make(uint64_t holdup_ms) {
    PowerFailActions a;
    a.hold_uplinks = [this](bool hold, std::function<void()> done) {
      holds.push_back(hold);
      committed = std::move(done);
    };
    return PowerFailPolicy(holdup_ms, marker(), &m, std::move(a), [this] { return now; });
  }
};

TEST_SUITE("power fail policy") {
  TEST_CASE("a failure holds the uplinks and the commit completes a timed, recorded checkpoint") {
    Rig r;
    PowerFailPolicy p = r.Make(2000);
    CHECK(p.Json()["checkpoint"] == "none");
    CHECK(p.Json()["last_checkpoint"].is_null());
    p.OnPower(true);
    REQUIRE(r.holds == std::vector<bool>{true});
    REQUIRE(r.committed);
    CHECK(p.Json()["on_backup"] == true);
    CHECK(p.Json()["checkpoint"] == "running");
    p.OnPower(true);  // a repeat of the level does nothing
    CHECK(r.holds.size() == 1);
    r.now += 40;
    r.committed();
    CHECK(p.Json()["checkpoint"] == "done");
    CHECK(p.Json()["checkpoint_ms"] == 40);
    CHECK(r.m.Get("board_checkpoint_ms") == 40);
    CHECK(r.m.Get("board_checkpoints") == 1);
    CHECK(r.m.Get("board_checkpoint_overruns") == 0);
    auto marker = PowerFailPolicy::ReadMarker(r.marker());
    REQUIRE(marker.ok());
    CHECK((*marker)["event"] == "power_fail_checkpoint");
    CHECK((*marker)["within_budget"] == true);
    CHECK((*marker)["holdup_ms"] == 2000);
    // Power back: the uplinks are released, no new checkpoint.
    p.OnPower(false);
    CHECK(r.holds == std::vector<bool>{true, false});
    CHECK_FALSE(r.committed);
    CHECK(p.Json()["on_backup"] == false);
    // The next start (a new policy on the same directory) finds the checkpoint.
    PowerFailPolicy again = r.Make(2000);
    CHECK(again.Json()["last_checkpoint"]["event"] == "power_fail_checkpoint");
    CHECK(again.Json()["checkpoint"] == "none");
  }

  TEST_CASE("a checkpoint not done within the budget is an overrun, counted once") {
    Rig r;
    PowerFailPolicy p = r.Make(500);
    p.OnPower(true);
    r.now += 400;
    p.Tick();
    CHECK(r.m.Get("board_checkpoint_overruns") == 0);
    r.now += 200;
    p.Tick();
    p.Tick();
    CHECK(r.m.Get("board_checkpoint_overruns") == 1);
    CHECK(p.Json()["checkpoint"] == "overrun");
    r.committed();
    CHECK(r.m.Get("board_checkpoint_overruns") == 1);
    CHECK(r.m.Get("board_checkpoint_ms") == 600);
    CHECK(PowerFailPolicy::ReadMarker(r.marker()).value()["within_budget"] == false);
  }

  TEST_CASE("an unreadable marker is reported, not fatal") {
    Rig r;
    REQUIRE(WriteFileAtomic(r.marker(), "{not json").ok());
    CHECK(PowerFailPolicy::ReadMarker(r.marker()).status().code() == Status::Code::kCorruption);
    PowerFailPolicy p = r.Make(2000);
    CHECK(p.Json()["last_checkpoint"].is_null());
    CHECK(PowerFailPolicy::ReadMarker(r.dir.path() + "/none.json").status().code() ==
          Status::Code::kNotFound);
  }
}

}  // namespace
}  // namespace tern::core
