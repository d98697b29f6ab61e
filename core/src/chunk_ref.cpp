// ResolveChunkRef: see chunk_ref.h. A prefix is looked up as the id range it covers (the
// prefix padded with 0s to the lowest id, with fs to the highest), one bounded index read.
#include "tern/core/chunk_ref.h"

#include <cctype>

#include "tern/common/bytes.h"

namespace tern::core {

Result<ChunkId> ResolveChunkRef(HolderIndex& index, std::string_view text) {
  std::string hex(text);
  bool ok = hex.size() >= kMinIdPrefix && hex.size() <= 64;
  for (char& c : hex) {
    ok = ok && std::isxdigit(static_cast<unsigned char>(c));
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!ok) {
    return Status::InvalidArgument("id: '" + std::string(text) + "' is not 8 to 64 hex digits " +
                                   "(a SHA-256 chunk id or a unique prefix of one)");
  }
  if (hex.size() == 64) return FromHex(hex);
  auto lo = FromHex(hex + std::string(64 - hex.size(), '0'));
  auto hi = FromHex(hex + std::string(64 - hex.size(), 'f'));
  if (!lo.ok() || !hi.ok()) return Status::InvalidArgument("id: '" + hex + "' is not hex");
  TERN_ASSIGN_OR_RETURN(auto ids, index.IdsBetween(*lo, *hi, kMaxPrefixCandidates + 1));
  if (ids.empty()) {
    return Status::NotFound("no chunk in the manifest has an id starting with '" + hex + "'");
  }
  if (ids.size() == 1) return ids.front();
  std::string list;
  for (size_t i = 0; i < ids.size() && i < kMaxPrefixCandidates; ++i) {
    list += (list.empty() ? "" : ", ") + ToHex(ids[i]);
  }
  if (ids.size() > kMaxPrefixCandidates) list += ", and more";
  return Status::InvalidArgument("id: prefix '" + hex + "' is ambiguous: it matches " + list +
                                 "; give more digits");
}

}  // namespace tern::core
