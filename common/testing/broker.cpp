// Mosquitto fixture.
#include "broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace tern::testing {

bool PortOpen(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

Broker::Broker(const std::string& dir) : dir_(dir) {
  for (int attempt = 0; attempt < 5 && !ok_; ++attempt) {
    port_ = FreePort();
    ok_ = Launch();
  }
}

Broker::~Broker() { Kill(false); }

bool Broker::Launch() {
  std::string conf = dir_ + "/mosquitto.conf";
  std::ofstream(conf) << "listener " << port_ << " 127.0.0.1\n"
                      << "allow_anonymous true\n"
                      << "set_tcp_nodelay true\n"
                      << "max_inflight_messages 100\n"
                      << "max_queued_messages 100000\n"
                      << "persistence false\n"
                      << "log_type error\nlog_type warning\nlog_type notice\n"
                      << "log_dest stderr\n";
  if (!proc_.Start({"mosquitto", "-c", conf}, dir_ + "/mosquitto.log")) return false;
  for (int i = 0; i < 300; ++i) {
    if (PortOpen(port_)) return true;
    if (!proc_.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  proc_.Stop();
  return false;
}

void Broker::Kill(bool hard) {
  if (hard) {
    proc_.Signal(9);
    proc_.Wait(std::chrono::milliseconds(5000));
  } else {
    proc_.Stop();
  }
}

bool Broker::Restart() {
  Kill(true);
  for (int i = 0; i < 50; ++i) {
    if (Launch()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string Broker::log() const { return ReadFile(dir_ + "/mosquitto.log"); }

}  // namespace tern::testing
