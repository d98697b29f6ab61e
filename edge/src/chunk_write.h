// The store write that keeps a chunk (own or a peer's replica) with its header's fields
// beside it, shared by the Shipper (own chunks) and the StoreService (replicas); and the
// `stored` notice made back from those fields.
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "tern/common/chunk.h"
#include "tern/common/protocol.h"
#include "tern/edge/local_store.h"

namespace tern::edge {

// A kOwnChunk or kReplica write of `wire` (whose id is `id` and header `h`), with the
// origin's signature of the id `sig` (empty: none).
inline StoreWrite ChunkWrite(StoreWrite::Kind kind, const ChunkId& id, const ChunkHeader& h,
                             std::string wire, std::string sig = {}) {
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
                           kind == StoreWrite::Kind::kOwnChunk,
                           std::move(sig)};
  w.wire = std::move(wire);
  return w;
}

// The `stored` statement for a chunk kept here, from its stored metadata (the inverse of
// ChunkWrite's header-to-info mapping, for chunks whose header is not at hand).
inline StoredNotice NoticeOf(const StoredChunkInfo& i, uint32_t holder) {
  StoredNotice n;
  n.id = i.id;
  n.holder = holder;
  n.origin = i.origin;
  n.source = i.source;
  n.seq = i.seq;
  n.t_first = i.t_first;
  n.t_last = i.t_last;
  n.records = i.records;
  n.bytes = i.bytes;
  n.priority = i.priority;
  n.kind = i.kind;
  return n;
}

}  // namespace tern::edge
