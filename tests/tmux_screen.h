// TmuxScreen: a real terminal for tests of the tools' live views (tern-board --panel,
// ternctl top under run-site.sh): a tmux server of the test's own (its socket named after
// the test process) with one window running a command; keys go in with send-keys, the
// screen comes out with capture-pane. Plus the waiting and shell helpers those tests share.
// Thread-safety: one test thread.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

namespace tern::testing {

// Polls `pred` every 100 ms until it holds or `seconds` have passed; its last answer.
inline bool WaitUntil(double seconds, const std::function<bool()>& pred) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

// Runs a shell command, returns its stdout.
inline std::string Sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

inline bool HaveTmux() { return !Sh("command -v tmux").empty(); }

// One tmux window of `cols` x `rows` running `command` (then a long sleep, so the screen
// stays readable after it ends). The server is killed with the object.
class TmuxScreen {
 public:
  TmuxScreen(const std::string& tag, const std::string& command, int cols, int rows)
      : sock_("tern-" + tag + "-test-" + std::to_string(getpid())) {
    started_ = std::system(("tmux -L " + sock_ + " new-session -d -x " + std::to_string(cols) +
                            " -y " + std::to_string(rows) + " '" + command + "; sleep 900'")
                               .c_str()) == 0;
  }
  ~TmuxScreen() { (void)std::system(("tmux -L " + sock_ + " kill-server 2>/dev/null").c_str()); }
  TmuxScreen(const TmuxScreen&) = delete;
  TmuxScreen& operator=(const TmuxScreen&) = delete;

  bool started() const { return started_; }
  // The visible screen; with `history`, also up to 300 lines that scrolled off it.
  std::string Screen(bool history = false) {
    return Sh("tmux -L " + sock_ + " capture-pane -p -t 0" + (history ? " -S -300" : ""));
  }
  // tmux send-keys syntax: "q", "C-c", ": bringup Enter".
  void Keys(const std::string& keys) {
    (void)std::system(("tmux -L " + sock_ + " send-keys -t 0 " + keys).c_str());
  }
  bool Shows(const std::string& text, double seconds = 60) {
    return WaitUntil(seconds, [&] { return Screen().find(text) != std::string::npos; });
  }

 private:
  std::string sock_;
  bool started_ = false;
};

}  // namespace tern::testing
