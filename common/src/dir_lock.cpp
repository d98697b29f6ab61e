// DirLock: see dir_lock.h.
#include "tern/common/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tern {
namespace {
// What the lock file says about its holder ("pid 123 (tern-core)"), or "an unknown process".
std::string Holder(int fd) {
  char buf[256] = {};
  const ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "an unknown process";
  std::string text(buf, static_cast<size_t>(n));
  const size_t nl = text.find('\n');
  const std::string pid = text.substr(0, nl);
  std::string program = nl == std::string::npos ? "" : text.substr(nl + 1);
  if (!program.empty() && program.back() == '\n') program.pop_back();
  return "pid " + pid + (program.empty() ? "" : " (" + program + ")");
}
}  // namespace

Result<DirLock> DirLock::Acquire(const std::string& dir, const std::string& program) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("data directory " + dir + ": " + ec.message());
  const std::string path = dir + "/tern.lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("lock file " + path + ": " + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::string holder = Holder(fd);
    close(fd);
    if (err == EWOULDBLOCK) {
      return Status::FailedPrecondition("data directory " + dir + " is in use by " + holder +
                                        " (lock " + path + "); one process per data directory");
    }
    return Status::IoError("locking " + path + ": " + std::strerror(err));
  }
  // Ours now: say who holds it. A failed write only makes a rival's message vaguer.
  const std::string text = std::to_string(getpid()) + "\n" + program + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) < 0) {
    // Nothing to do: the lock itself holds.
  }
  return DirLock(fd, path);
}

DirLock& DirLock::operator=(DirLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

DirLock::~DirLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

}  // namespace tern
