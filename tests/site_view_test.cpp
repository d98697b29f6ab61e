// The main job's live view as an operator sees it: tools/scripts/run-site.sh (what `./tern
// site` runs) in a real terminal (tmux: keys in, screen out). The view (`ternctl top`)
// redraws in place; the test reads the screen until it shows per-edge rates above zero, the
// four edges live and the board's panel, then presses Ctrl-C and checks that the terminal
// is given back, the summary appears and the exit status is 0 on a healthy site.
#include <doctest/doctest.h>

#include <regex>
#include <sstream>
#include <string>

#include "process.h"
#include "tmux_screen.h"

namespace {

using tern::testing::HaveTmux;
using tern::testing::ReadFile;
using tern::testing::TempDir;
using tern::testing::TmuxScreen;
using tern::testing::WaitUntil;

// The edges' lines of the view ("edge-N  <state> ... records/s chunks/s ...") whose
// records/s and chunks/s are both above zero.
int EdgesWithRates(const std::string& screen) {
  static const std::regex row(R"(^(edge-\d)\s+live\b.*?\s(\d+\.\d)\s+(\d+\.\d)\s)");
  std::istringstream in(screen);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row) && std::stod(m[2]) > 0 && std::stod(m[3]) > 0) ++n;
  }
  return n;
}

TEST_CASE("the site view redraws rates, nodes and the panel and Ctrl-C ends with the summary") {
  if (!HaveTmux()) {
    MESSAGE("tmux is not installed (tools/scripts/install-deps.sh installs it): skipped");
    return;
  }
  TempDir dir("site-view");
  const std::string marker = dir / "exited";
  // 170x70: the view's widest lines and the whole panel fit.
  TmuxScreen t("view",
               "TERN_SITE_DIR=" + (dir / "base") + " " + TERN_SOURCE_DIR +
                   "/tools/scripts/run-site.sh " + TERN_BUILD_DIR + " 400; echo exit=$? > " +
                   marker,
               170, 70);
  REQUIRE(t.started());

  // The view, redrawn in place: the four edges live with rates above zero, the core's line,
  // the panel's digit and LED labels.
  const bool live = WaitUntil(300, [&] {
    const std::string s = t.Screen();
    return s.find("core: 4/4 nodes live") != std::string::npos && EdgesWithRates(s) == 4 &&
           s.find("digit 3") != std::string::npos && s.find("LED 0") != std::string::npos;
  });
  const std::string view = t.Screen();
  INFO(view);
  CHECK(live);
  CHECK(view.find("ternctl top: rates and ack percentiles over the last") != std::string::npos);
  CHECK(view.find("scheduler queues:") != std::string::npos);
  // Redrawn in place, not scrolled: the header appears once on the screen.
  CHECK(view.find("EDGE ") == view.rfind("EDGE "));

  t.Keys("C-c");
  const bool exited = WaitUntil(240, [&] { return !ReadFile(marker).empty(); });
  const std::string after = t.Screen(true);
  INFO(after);
  REQUIRE(exited);
  CHECK(ReadFile(marker) == "exit=0\n");  // a healthy site: no real problem
  CHECK(after.find("== summary") != std::string::npos);
  CHECK(after.find("RESULT: no real problem found") != std::string::npos);
  CHECK(after.find("stopped by a signal") != std::string::npos);
  // The terminal was given back: the summary is on the normal screen, not under the view.
  CHECK(after.find("EDGE ") == std::string::npos);
}

}  // namespace
