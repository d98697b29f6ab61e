// The edge's start can wait a long time (for the core to assign its address, or for the
// broker to answer at all); the StartGate lets a signal end that wait from another thread.
// Obtain() runs the registrar's wait unless a Cancel() came first; a Cancel() during the
// wait makes the registrar give up (its error says what was missing: broker or core).
// Thread-safety: thread-safe: Obtain from the starting thread, Cancel from any.
#pragma once

#include <cstdint>
#include <mutex>

#include "registrar.h"
#include "tern/common/status.h"

namespace tern::edge {

// The start of the error Obtain returns when the core refused this node's registration (its
// name is enrolled to another store or certificate).
inline constexpr const char kRegistrationRefused[] = "core refused registration";
// tern-edge's exit status then (README, docs/preflight.md): not a crash, so a service manager
// must not restart it in a loop (systemd: RestartPreventExitStatus=3).
inline constexpr int kExitIdentityRefused = 3;
// True if `s` is that refusal.
inline bool IsRegistrationRefused(const Status& s) {
  return s.code() == Status::Code::kFailedPrecondition &&
         s.message().rfind(kRegistrationRefused, 0) == 0;
}

class StartGate {
 public:
  // `r->Obtain()`, or Unavailable if Cancel() came first. `r` outlives the call.
  [[nodiscard]] Result<uint32_t> Obtain(Registrar* r);
  // Ends a wait in Obtain (now or later).
  void Cancel();

 private:
  std::mutex mu_;
  Registrar* waiting_ = nullptr;  // under mu_: the registrar Obtain waits in
  bool cancelled_ = false;        // under mu_
};

}  // namespace tern::edge
