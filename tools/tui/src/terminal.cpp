// Terminal: see terminal.h.
#include "tern/tui/terminal.h"

#include <curses.h>
#include <unistd.h>

namespace tern::tui {

Result<std::unique_ptr<Terminal>> Terminal::Open() {
  if (isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0) {
    return Status::FailedPrecondition("a live view needs a terminal (stdin and stdout)");
  }
  if (initscr() == nullptr)
    return Status::Unavailable("cannot initialise the terminal (is TERM set?)");
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  return std::unique_ptr<Terminal>(new Terminal());
}

Terminal::~Terminal() { endwin(); }

void Terminal::Draw(const std::vector<std::string>& lines) {
  erase();
  const int rows = getmaxy(stdscr), cols = getmaxx(stdscr);
  for (int r = 0; r < rows && r < static_cast<int>(lines.size()); ++r) {
    mvaddnstr(r, 0, lines[static_cast<size_t>(r)].c_str(), cols);
  }
  refresh();
}

std::optional<int> Terminal::ReadKey(int timeout_ms) {
  timeout(timeout_ms);
  const int c = getch();
  if (c == ERR) return std::nullopt;
  return c;
}

std::optional<std::string> Terminal::ReadLine(const std::string& prompt) {
  const int row = getmaxy(stdscr) - 1;
  move(row, 0);
  clrtoeol();
  addstr(prompt.c_str());
  echo();
  curs_set(1);
  timeout(-1);
  char buf[256] = {0};
  const int rc = getnstr(buf, sizeof buf - 1);
  noecho();
  curs_set(0);
  if (rc == ERR || buf[0] == '\0') return std::nullopt;
  return std::string(buf);
}

}  // namespace tern::tui
