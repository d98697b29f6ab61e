// The one file that includes zstd.
#include "tern/common/compress.h"

#include <zstd.h>

namespace tern {

std::string ZstdCompress(std::string_view in, int level) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level);
  out.resize(ZSTD_isError(n) ? 0 : n);  // cannot fail with a bound-sized buffer
  return out;
}

Result<std::string> ZstdDecompress(std::string_view in, size_t expected_len) {
  unsigned long long claimed = ZSTD_getFrameContentSize(in.data(), in.size());
  if (claimed == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("zstd: not a zstd frame");
  if (claimed != ZSTD_CONTENTSIZE_UNKNOWN && claimed != expected_len) {
    return Status::Corruption("zstd: frame claims " + std::to_string(claimed) +
                              " bytes, header says " + std::to_string(expected_len));
  }
  std::string out(expected_len, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != expected_len) {
    return Status::Corruption("zstd: expanded to " + std::to_string(n) + " bytes, expected " +
                              std::to_string(expected_len));
  }
  return out;
}

}  // namespace tern
