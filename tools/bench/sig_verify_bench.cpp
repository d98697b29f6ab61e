// Ed25519 verification rate on one thread (see sig_verify_bench.h).
#include "sig_verify_bench.h"

#include <time.h>

#include <chrono>
#include <random>
#include <vector>

#include "tern/common/crypto.h"

namespace tern::bench {
namespace {
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

SigVerifyResult MeasureSigVerify(double seconds, size_t message_bytes) {
  SigVerifyResult r;
  r.message_bytes = message_bytes;
  auto key = crypto::PrivateKey::Generate();
  if (!key.ok()) {
    r.error = "cannot generate an Ed25519 key: " + key.status().ToString();
    return r;
  }
  const crypto::PublicKey pub = key->Public();
  std::mt19937_64 rng(1);
  std::vector<std::string> messages(64), sigs(64);
  for (size_t i = 0; i < messages.size(); ++i) {
    messages[i].resize(message_bytes);
    for (auto& c : messages[i]) c = static_cast<char>(rng());
    sigs[i] = key->Sign(messages[i]);
  }
  std::string forged = sigs[0];
  forged[0] = static_cast<char>(forged[0] ^ 1);
  if (pub.Verify(messages[0], forged)) {
    r.error = "a forged signature verified";
    return r;
  }
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = ThreadCpuSeconds();
  double cpu = 0;
  while (cpu < seconds) {
    for (size_t i = 0; i < messages.size(); ++i) {
      if (!pub.Verify(messages[i], sigs[i])) {
        r.error = "a valid signature did not verify";
        return r;
      }
    }
    r.verifications += static_cast<int64_t>(messages.size());
    cpu = ThreadCpuSeconds() - cpu0;
  }
  r.cpu_s = cpu;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  r.ok = r.verifications > 0;
  return r;
}

}  // namespace tern::bench
