// Test helpers: start a real process with its output in a file, signal it, wait for it.
// Thread-safety: one owner thread per Process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tern::testing {

class Process {
 public:
  Process() = default;
  ~Process();  // kills (SIGKILL) and reaps a process still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  Process(Process&& o) noexcept;
  Process& operator=(Process&& o) noexcept;

  // Starts argv[0] (searched in PATH) with stdout and stderr appended to `log_path`.
  bool Start(const std::vector<std::string>& argv, const std::string& log_path);
  // Sends `sig`; returns false if not running.
  bool Signal(int sig);
  // Waits up to `timeout` for exit; returns the exit status (128+sig if killed), or -1.
  int Wait(std::chrono::milliseconds timeout);
  // SIGTERM, wait up to `grace`, then SIGKILL.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A free TCP port on 127.0.0.1 (bound and released; small race accepted in tests).
int FreePort();

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor unless KEEP is set
// in the environment (TERN_KEEP_TEST_DIRS=1) for debugging.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "tern");
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Reads a whole file ("" if missing).
std::string ReadFile(const std::string& path);

}  // namespace tern::testing
