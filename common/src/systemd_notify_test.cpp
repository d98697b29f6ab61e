// sd_notify through the wrapper: what a service manager listening on NOTIFY_SOCKET receives,
// and nothing (no error) without one.
#include "tern/common/systemd_notify.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "process.h"

namespace tern::systemd {
namespace {
// A datagram socket standing in for systemd's notify socket, set as NOTIFY_SOCKET while it
// lives.
class FakeManager {
 public:
  explicit FakeManager(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    path.copy(a.sun_path, sizeof a.sun_path - 1);
    ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  ~FakeManager() {
    ::unsetenv("NOTIFY_SOCKET");
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  FakeManager(const FakeManager&) = delete;
  FakeManager& operator=(const FakeManager&) = delete;
  bool ok() const { return ok_; }
  // The next datagram ("" after 5 s without one).
  std::string Receive() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};
}  // namespace

TEST_CASE("systemd notify sends READY, STOPPING and one-line STATUS to NOTIFY_SOCKET") {
  tern::testing::TempDir dir("notify");
  FakeManager m(dir / "notify.sock");
  REQUIRE(m.ok());
  CHECK(UnderNotify());
  NotifyStatus("starting");
  CHECK(m.Receive() == "STATUS=starting");
  NotifyReady("running: tern-edge 0.1.0\nsecond line");
  CHECK(m.Receive() == "READY=1\nSTATUS=running: tern-edge 0.1.0 second line");
  NotifyStopping("stopping on signal 15");
  CHECK(m.Receive() == "STOPPING=1\nSTATUS=stopping on signal 15");
}

TEST_CASE("systemd notify is a no-op without NOTIFY_SOCKET") {
  ::unsetenv("NOTIFY_SOCKET");
  CHECK_FALSE(UnderNotify());
  NotifyReady("running");  // nothing to send to, nothing to fail
  NotifyStopping("stopping");
}

}  // namespace tern::systemd
