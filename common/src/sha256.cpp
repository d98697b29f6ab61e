// The one file that includes OpenSSL. EVP picks the fastest SHA-256 the CPU offers; RAND_bytes
// gives the random bytes secrets are made of.
#include "tern/common/sha256.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdlib>

namespace tern {

Digest Sha256(std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL; there is no way to go on.
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size()) {
    std::abort();
  }
  return out;
}

Result<std::string> RandomBytes(size_t n) {
  if (n > static_cast<size_t>(INT_MAX)) return Status::InvalidArgument("random bytes: too many");
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Status::IoError("random bytes: OpenSSL RAND_bytes failed");
  }
  return out;
}

}  // namespace tern
