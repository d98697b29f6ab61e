// ternctl top: a live view of a site, polled from its core's HTTP API every --interval
// seconds (default 2). On a terminal it redraws in place (tools/tui's ncurses wrapper; q or
// Ctrl-C quits with exit 0); without one, or with --plain, it prints one block of plain
// lines per interval; --once prints one block after one interval (rates need two polls) and
// exits; --json prints the same figures as one JSON document per line (top_model.h). What
// it shows is in top_model.h and tools/ternctl/README.md: per edge state changes and
// flapping, records/s and chunks/s, outbox, chunks not yet safe, ack p50/p99 for the core
// and peer2 grades over the interval; the core's nodes, manifest, under-replicated chunks,
// repair backlog, scheduler queues, results and alarms; the board's front panel.
// Works against any core (--core, --site, tokens as every command); with --site it waits
// for a core that is not up yet instead of failing.
// Thread-safety: runs on the calling thread; SIGINT/SIGTERM only set a flag it polls.
#pragma once

#include <CLI/CLI.hpp>

#include "core_client.h"

namespace tern::tools {

struct TopCmdArgs {
  CLI::App* top = nullptr;
  double interval_s = 2;
  double duration_s = 0;  // 0: until q or Ctrl-C
  bool once = false, json = false, plain = false;
};

void AddTopCommand(CLI::App& app, TopCmdArgs* a);

// -1 if `top` was not selected; otherwise its exit code: 0 (quit, Ctrl-C, --duration over,
// or --once answered), 2 (bad flags, --once without an answer from the core).
int RunTopCommand(const CoreFlags& flags, const TopCmdArgs& a);

}  // namespace tern::tools
