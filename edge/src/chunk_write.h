// The store write that keeps a chunk (own or a peer's replica) with its header's fields
// beside it, shared by the Shipper (own chunks) and the StoreService (replicas).
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "tern/common/chunk.h"
#include "tern/edge/local_store.h"

namespace tern::edge {

// A kOwnChunk or kReplica write of `wire` (whose id is `id` and header `h`).
inline StoreWrite ChunkWrite(StoreWrite::Kind kind, const ChunkId& id, const ChunkHeader& h,
                             std::string wire) {
  StoreWrite w{kind};
  w.info = StoredChunkInfo{id,
                           h.origin,
                           h.source,
                           h.seq,
                           static_cast<int>(h.kind),
                           static_cast<int>(h.priority),
                           h.t_first,
                           h.t_last,
                           h.record_count,
                           wire.size(),
                           kind == StoreWrite::Kind::kOwnChunk};
  w.wire = std::move(wire);
  return w;
}

}  // namespace tern::edge
