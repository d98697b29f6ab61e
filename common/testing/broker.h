// A real Mosquitto broker for tests, on a loopback port the test picks, always torn down.
// Modelled on eclipse/mosquitto's test/broker: each test starts its own broker.
// Thread-safety: one owner thread.
#pragma once

#include <string>

#include "process.h"

namespace tern::testing {

class Broker {
 public:
  // Writes a config into `dir` (TCP_NODELAY, large queues, no persistence) and starts
  // mosquitto on a free port; waits until the port accepts connections.
  explicit Broker(const std::string& dir);
  ~Broker();

  bool ok() const { return ok_; }
  int port() const { return port_; }
  // Stops the broker (SIGKILL when `hard`), e.g. to simulate a gateway failure.
  void Kill(bool hard = true);
  // Starts it again on the same port.
  bool Restart();
  std::string log() const;

 private:
  bool Launch();
  std::string dir_;
  int port_ = 0;
  bool ok_ = false;
  Process proc_;
};

// True once something accepts TCP connections on 127.0.0.1:port.
bool PortOpen(int port);

}  // namespace tern::testing
