// One process per data directory: an exclusive flock on <dir>/tern.lock, held for the
// process's life. The file holds the holder's pid and program, so a second process on the
// same directory can say who has it. The lock goes with the process (also on kill -9), the
// file stays; a stale file without a lock is simply taken over.
// Thread-safety: a DirLock is owned by one thread; distinct locks are independent.
#pragma once

#include <string>

#include "tern/common/status.h"

namespace tern {

class DirLock {
 public:
  // Creates `dir` if needed and locks it for `program`. FailedPrecondition naming the
  // directory and the holder's pid if another process holds it; IoError naming the path if
  // the file cannot be made.
  [[nodiscard]] static Result<DirLock> Acquire(const std::string& dir, const std::string& program);

  DirLock(DirLock&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  DirLock& operator=(DirLock&& o) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock();

  const std::string& path() const { return path_; }

 private:
  DirLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace tern
