// ternctl top: see top_cmd.h.
#include "top_cmd.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "cli_util.h"
#include "tern/tui/terminal.h"
#include "top_model.h"
#include "top_panel.h"

namespace tern::tools {
namespace {

using json = nlohmann::json;

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

// Ctrl-C and SIGTERM end the view (exit 0) instead of the process, so the terminal is
// restored and, under run-site.sh, the runner goes on to stop the site and print the summary.
void CatchStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Asks the core for everything one poll shows. A core that does not answer at all (or a
// --site whose core is not up yet) is the poll's error; a document it does not serve (no
// scheduler, no board) stays null.
class Poller {
 public:
  explicit Poller(CoreFlags flags) : flags_(std::move(flags)) {
    // Short timeouts: the view must stay responsive to q and Ctrl-C.
    if (flags_.timeout_s > 5) flags_.timeout_s = 5;
  }

  // POSTs `body` to `path` (an operator action on the board); the line to show about it.
  std::string Post(const std::string& path, const json& body) {
    if (!client_) return "not connected to the core";
    auto a = client_->Call("POST", path, body.dump());
    if (!a.ok()) return a.status().message();
    if (a->status == 401 || a->status == 403) {
      return "read-only token: board inputs need an operator token";
    }
    if (a->status / 100 != 2) return client_->ErrorFor("POST", path, *a).message();
    return "POST " + path + ": ok";
  }

  TopPoll Poll() {
    TopPoll p;
    p.t_ms = NowMs();
    if (!client_) {
      auto e = ResolveEndpoint(flags_);
      if (!e.ok()) {
        p.error = "waiting for the core: " + e.status().message();
        return p;
      }
      client_ = std::make_unique<CoreClient>(*e);
    }
    auto nodes = client_->Get("/api/v1/nodes");
    if (!nodes.ok()) {
      p.error = nodes.status().message();
      // With --site, the core's port may change (a restarted site): resolve it again.
      if (!flags_.site.empty()) client_.reset();
      return p;
    }
    p.nodes = std::move(*nodes);
    if (auto r = client_->Get("/api/v1/status"); r.ok()) p.status = std::move(*r);
    if (auto r = client_->Get("/api/v1/report"); r.ok()) p.report = std::move(*r);
    if (auto r = client_->Get("/api/v1/scheduler"); r.ok()) p.scheduler = std::move(*r);
    if (auto r = client_->Get("/api/v1/results?anomalies=1&limit=1"); r.ok()) {
      const json& rows = Field(*r, "results");
      if (rows.is_array() && !rows.empty()) p.alarm = rows[0];
    }
    if (auto r = client_->Get("/api/v1/board"); r.ok() && r->is_object() && r->contains("frame")) {
      p.board = (*r)["frame"];
    }
    return p;
  }

 private:
  CoreFlags flags_;
  std::unique_ptr<CoreClient> client_;
};

// Polls `interval` apart and hands each figure set to `show` until stopped (g_stop, the
// duration, or `show` returning false). `wait` waits up to the given ms and returns false
// to stop.
template <typename Show, typename Wait>
void Loop(Poller& poller, const TopCmdArgs& a, Show show, Wait wait) {
  StateTracker tracker;
  std::optional<TopPoll> prev;
  const int64_t start = NowMs();
  const auto interval_ms = static_cast<int64_t>(a.interval_s * 1000);
  while (!g_stop.load()) {
    TopPoll cur = poller.Poll();
    if (cur.nodes.is_object()) {
      for (const auto& n : Field(cur.nodes, "nodes")) {
        tracker.Observe(Str(n, "name"), Str(n, "state"), cur.t_ms);
      }
    }
    const bool usable = cur.error.empty();
    const json doc = TopDocument(prev && usable ? &*prev : nullptr, cur, tracker);
    if (!show(doc)) return;
    if (usable) prev = std::move(cur);
    if (a.duration_s > 0 && NowMs() - start >= static_cast<int64_t>(a.duration_s * 1000)) return;
    const int64_t next = NowMs() + interval_ms;
    while (!g_stop.load() && NowMs() < next) {
      if (!wait(std::min<int64_t>(200, next - NowMs()))) return;
    }
  }
}

std::vector<std::string> Lines(const json& doc) {
  auto lines = RenderTop(doc);
  if (doc["board"].is_object()) {
    lines.emplace_back("");
    for (auto& l : PanelLines(doc["board"])) lines.push_back(std::move(l));
  }
  return lines;
}

int Plain(Poller& poller, const TopCmdArgs& a) {
  Loop(
      poller, a,
      [&](const json& doc) {
        if (a.json) {
          std::cout << Dump(doc) << std::endl;
        } else {
          for (const auto& l : Lines(doc)) std::cout << l << "\n";
          std::cout << std::endl;
        }
        return true;
      },
      [](int64_t ms) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return true;
      });
  return kExitOk;
}

int Once(Poller& poller, const TopCmdArgs& a) {
  TopPoll first = poller.Poll();
  if (!first.error.empty()) return Fail(Status::Unavailable(first.error));
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(a.interval_s * 1000)));
  TopPoll second = poller.Poll();
  if (!second.error.empty()) return Fail(Status::Unavailable(second.error));
  StateTracker tracker;
  for (const TopPoll* p : {&first, &second}) {
    for (const auto& n : Field(p->nodes, "nodes")) {
      tracker.Observe(Str(n, "name"), Str(n, "state"), p->t_ms);
    }
  }
  const json doc = TopDocument(&first, second, tracker);
  if (a.json) {
    std::cout << Dump(doc) << "\n";
  } else {
    for (const auto& l : Lines(doc)) std::cout << l << "\n";
  }
  return kExitOk;
}

int Live(Poller& poller, const TopCmdArgs& a, tui::Terminal& term) {
  std::vector<std::string> shown;
  std::string said;  // the answer to the last key
  bool sw = false;   // the switch as the last frame showed it
  auto draw = [&] {
    auto all = shown;
    all.emplace_back("");
    all.emplace_back(
        "keys: q quit, 1-4 press board button 0-3, s flip the switch (operator token)" +
        (said.empty() ? "" : "  | " + said));
    term.Draw(all);
  };
  Loop(
      poller, a,
      [&](const json& doc) {
        shown = Lines(doc);
        if (doc["board"].is_object()) sw = Field(doc["board"], "switch") == true;
        draw();
        return true;
      },
      [&](int64_t ms) {
        const auto key = term.ReadKey(static_cast<int>(ms));
        if (!key) return true;
        if (*key == 'q' || *key == 'Q') return false;
        if (*key >= '1' && *key <= '4') {
          said = poller.Post("/api/v1/board/press", {{"button", *key - '1'}});
        } else if (*key == 's') {
          said = poller.Post("/api/v1/board/switch", {{"on", !sw}});
        } else {
          return true;
        }
        draw();
        return true;
      });
  return kExitOk;
}

}  // namespace

void AddTopCommand(CLI::App& app, TopCmdArgs* a) {
  a->top = app.add_subcommand(
      "top", "live view of the site: per-edge rates, outbox, ack latency, the core, the board");
  a->top->add_option("--interval", a->interval_s, "seconds between polls (default 2)")
      ->check(CLI::Range(0.2, 3600.0));
  a->top->add_option("--duration", a->duration_s, "stop after S seconds (default: until q)")
      ->check(CLI::Range(0.0, 1e9));
  a->top->add_flag("--once", a->once, "print one block after one interval and exit");
  a->top->add_flag("--plain", a->plain, "plain lines per interval even on a terminal");
  a->top->add_flag("--json", a->json, "one JSON document per interval (implies --plain)");
}

int RunTopCommand(const CoreFlags& flags, const TopCmdArgs& a) {
  if (a.top == nullptr || !*a.top) return -1;
  CatchStopSignals();
  Poller poller(flags);
  if (a.once) return Once(poller, a);
  if (a.json || a.plain || isatty(STDOUT_FILENO) == 0 || isatty(STDIN_FILENO) == 0) {
    return Plain(poller, a);
  }
  auto term = tui::Terminal::Open();
  if (!term.ok()) return Plain(poller, a);  // e.g. TERM unset: plain lines still work
  return Live(poller, a, **term);
}

}  // namespace tern::tools
