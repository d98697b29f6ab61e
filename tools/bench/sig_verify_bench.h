// How many Ed25519 signatures one thread verifies per CPU-second (crypto::PublicKey::Verify,
// the check a receiver makes on a signed statement): a short in-process microbenchmark,
// reported by tern-bench ingest --compare-security as sig_verify_per_s_per_cpu.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tern::bench {

struct SigVerifyResult {
  bool ok = false;
  std::string error;         // a key could not be made, or a verification failed
  size_t message_bytes = 0;  // each message's length
  int64_t verifications = 0;
  double cpu_s = 0;   // CPU time of the measuring thread
  double wall_s = 0;  // wall time of the loop
  double per_cpu_s() const { return cpu_s > 0 ? static_cast<double>(verifications) / cpu_s : 0; }
  double per_wall_s() const { return wall_s > 0 ? static_cast<double>(verifications) / wall_s : 0; }
};

// Verifies signatures of 64 distinct `message_bytes`-byte messages (seeded random bytes, one
// key) in turn on the calling thread for about `seconds` of its CPU time; every one must
// verify.
SigVerifyResult MeasureSigVerify(double seconds, size_t message_bytes);

}  // namespace tern::bench
