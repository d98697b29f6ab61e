// tern-edge --check's "name unique" rule on member lists: free, this box's own, another
// store's or certificate's, and a live node under our name with no daemon here.
#include "preflight.h"

#include <doctest/doctest.h>

namespace tern::edge {
namespace {
msg::Members With(const std::string& name, uint32_t addr, const std::string& state,
                  const std::string& key = "") {
  msg::Members m;
  m.core = "core";
  m.nodes.push_back({1, "edge-9", "live", 0.5, "", false});
  m.nodes.push_back({addr, name, state, 0.5, key, false});
  return m;
}
}  // namespace

TEST_SUITE("edge preflight") {
  TEST_CASE("clock offset: within the core's default skew is ok, beyond it warns, unknown warns") {
    auto ok = ClockOffsetVerdict(true, int64_t{-120});
    CHECK(ok.check == "clock offset");
    CHECK(ok.result == CheckResult::kOk);
    CHECK(ok.detail.find("120 ms behind the core's") != std::string::npos);
    auto ahead = ClockOffsetVerdict(true, kClockOffsetWarnMs + 1);
    CHECK(ahead.result == CheckResult::kWarn);
    CHECK(ahead.detail.find(std::to_string(kClockOffsetWarnMs + 1) + " ms ahead of") !=
          std::string::npos);
    CHECK(ClockOffsetVerdict(true, -kClockOffsetWarnMs).result == CheckResult::kOk);
    CHECK(ClockOffsetVerdict(true, std::nullopt).result == CheckResult::kWarn);
    CHECK(ClockOffsetVerdict(false, std::nullopt).detail.find("no core answered") !=
          std::string::npos);
  }

  TEST_CASE("a name nobody holds is ok, no member list is a fail") {
    OwnIdentity own{"edge-1", std::nullopt, "", std::nullopt};
    auto m = With("edge-2", 3, "live");
    CHECK(NameVerdict(own, &m).result == CheckResult::kOk);
    CHECK(NameVerdict(own, nullptr).result == CheckResult::kFail);
  }

  TEST_CASE("insecure: a new store under an enrolled name fails, naming address and exit 3") {
    OwnIdentity own{"edge-1", std::nullopt, "", std::nullopt};
    auto m = With("edge-1", 3, "live");
    auto l = NameVerdict(own, &m);
    CHECK(l.result == CheckResult::kFail);
    CHECK(l.detail.find("address 3, live") != std::string::npos);
    CHECK(l.detail.find("exits 3") != std::string::npos);
    own.stored_addr = 4;
    CHECK(NameVerdict(own, &m).result == CheckResult::kFail);
  }

  TEST_CASE("this box's own store: running here is ok, live without a daemon here warns") {
    OwnIdentity own{"edge-1", 3u, "", 4242};
    auto m = With("edge-1", 3, "live");
    auto l = NameVerdict(own, &m);
    CHECK(l.result == CheckResult::kOk);
    CHECK(l.detail.find("running here (pid 4242)") != std::string::npos);
    own.running_pid.reset();
    CHECK(NameVerdict(own, &m).result == CheckResult::kWarn);
    auto off = With("edge-1", 3, "offline");
    CHECK(NameVerdict(own, &off).result == CheckResult::kOk);
  }

  TEST_CASE("pki: another certificate under the name fails, the same one is ours") {
    const std::string ours(64, 'a'), theirs(64, 'b');
    OwnIdentity own{"edge-1", std::nullopt, ours, std::nullopt};
    auto m = With("edge-1", 3, "live", theirs);
    auto l = NameVerdict(own, &m);
    CHECK(l.result == CheckResult::kFail);
    CHECK(l.detail.find("another certificate") != std::string::npos);
    // The same certificate: a second store while the node is live is a second box; when it
    // is not live, this box replaces it (warned).
    auto live = With("edge-1", 3, "live", ours);
    CHECK(NameVerdict(own, &live).result == CheckResult::kFail);
    auto off = With("edge-1", 3, "offline", ours);
    CHECK(NameVerdict(own, &off).result == CheckResult::kWarn);
    own.stored_addr = 3;
    CHECK(NameVerdict(own, &off).result == CheckResult::kOk);
  }
}

}  // namespace tern::edge
