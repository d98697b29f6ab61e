// StartGate: see start_gate.h.
#include "start_gate.h"

namespace tern::edge {

Result<uint32_t> StartGate::Obtain(Registrar* r) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (cancelled_) return Status::Unavailable("stopped before the start asked for an address");
    waiting_ = r;
  }
  Result<uint32_t> addr = r->Obtain();
  std::lock_guard<std::mutex> lk(mu_);
  waiting_ = nullptr;
  return addr;
}

void StartGate::Cancel() {
  std::lock_guard<std::mutex> lk(mu_);
  cancelled_ = true;
  // Registrar::Cancel also holds when it comes before the registrar starts waiting.
  if (waiting_) waiting_->Cancel();
}

}  // namespace tern::edge
