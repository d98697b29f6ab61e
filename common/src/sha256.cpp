// The one file that includes OpenSSL. EVP picks the fastest SHA-256 the CPU offers.
#include "tern/common/sha256.h"

#include <openssl/evp.h>

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

}  // namespace tern
