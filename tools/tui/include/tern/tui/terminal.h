// Terminal: the screen and keyboard of the tools' live views (`tern-board --panel`,
// `ternctl top`), through ncurses (Debian's libncurses: it knows every terminal's escape
// codes and restores the terminal on exit, which hand-written escape sequences would not).
// terminal.cpp is the only file that includes <curses.h>.
// Thread-safety: none; one Terminal per process, used from one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/status.h"

namespace tern::tui {

class Terminal {
 public:
  // Takes over the terminal (no echo, keys unbuffered; Ctrl-C still raises SIGINT, so a
  // caller that handles it stops cleanly). Fails when stdin or stdout is not a terminal.
  [[nodiscard]] static Result<std::unique_ptr<Terminal>> Open();
  ~Terminal();  // gives the terminal back as it was
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Redraws the whole screen with `lines` (cut to the screen's size).
  void Draw(const std::vector<std::string>& lines);
  // The next key pressed within `timeout_ms`, or nullopt.
  std::optional<int> ReadKey(int timeout_ms);
  // Reads a line typed after `prompt` on the bottom row (echoed, Enter ends it); nullopt if
  // Escape or an empty line.
  std::optional<std::string> ReadLine(const std::string& prompt);

 private:
  Terminal() = default;
};

}  // namespace tern::tui
