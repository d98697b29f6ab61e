// `ternctl board`: the running core's control board over its HTTP API (docs/http-api.md, "The
// control board"). `board` prints the panel as a compact text summary (each lit LED,
// energised relay and held button with its meaning from hw::legend, the display, fans,
// meters, cabinet and backup power); `--json` prints GET /api/v1/board as it came. `board
// press N [--hold MS]`, `board switch on|off`, `board pot V` are the operator's hand on the
// panel (POST, operator token): a press goes through the board's debounce filter and event
// FIFO, so the core handles it exactly as one at the cabinet. `board sim --temp C|model
// --power fail|ok` drives the simulated board's cabinet inputs (409 on a real board).
// The drawn panel (big digits) is `ternctl top`'s and tern-board's.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core_client.h"

namespace tern::tools {

struct BoardCmdArgs {
  CLI::App* cmd = nullptr;
  CLI::App* press = nullptr;
  CLI::App* sw = nullptr;
  CLI::App* pot = nullptr;
  CLI::App* sim = nullptr;
  bool json = false;
  int button = -1;
  int hold_ms = 0;
  std::string on;           // switch: on|off
  int value = -1;           // pot
  std::string temp, power;  // sim
};

// Adds the `board` subcommand (with press, switch, pot, sim) to `app`.
void AddBoardCommands(CLI::App& app, BoardCmdArgs* args);
bool BoardCommandSelected(const BoardCmdArgs& a);
// Runs it: the exit code (0 ok; 1 no board (board.mode off) or refused for the board's
// state (409); 2 bad value, connection, authentication or I/O).
int RunBoardCommand(CoreClient& core, const BoardCmdArgs& args);

// The summary `ternctl board` prints for a GET /api/v1/board document.
std::string BoardSummary(const nlohmann::json& board);

}  // namespace tern::tools
