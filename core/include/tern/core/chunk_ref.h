// A chunk as an operator names it: the full id (64 hex digits) or a unique prefix of at
// least 8 hex digits, resolved against the manifest. The HTTP API resolves every {id} in a
// path this way (GET /api/v1/chunks/{id} and /bytes), so ternctl's `locate ID` and `get ID`
// take prefixes too. An ambiguous prefix is an error listing (a bounded number of) the ids
// it matches; a prefix no chunk has is NotFound naming it.
// Thread-safety: a free function over the caller's HolderIndex (one thread at a time).
#pragma once

#include <string_view>

#include "tern/common/chunk.h"
#include "tern/common/status.h"
#include "tern/core/holder_index.h"

namespace tern::core {

inline constexpr size_t kMinIdPrefix = 8;           // hex digits
inline constexpr size_t kMaxPrefixCandidates = 10;  // ids listed for an ambiguous prefix

// The chunk id `text` names: a full id as it is (whether or not the manifest has it), a
// prefix as the one chunk in `index` whose id starts with it. InvalidArgument for text that
// is not 8..64 hex digits or for an ambiguous prefix (the message lists up to
// kMaxPrefixCandidates ids and says whether there are more); NotFound for a prefix no
// chunk has.
[[nodiscard]] Result<ChunkId> ResolveChunkRef(HolderIndex& index, std::string_view text);

}  // namespace tern::core
