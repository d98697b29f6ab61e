// Corrupt copies: what this store does with a chunk whose bytes no longer hash to its id,
// however it was found (the scrubber, a `get` or `copy` about to send it, a rehashing block
// report). It logs an ERROR naming the chunk and the store's path, moves the row out of
// `chunks` into the `quarantine` table of edge.db (never served again, kept for forensics),
// and tells the core with `corrupt` on stored/<self> (msg::Corrupt, reason = who found it),
// so the core can count the copy lost and repair it from a good one. A chunk already being
// condemned is not condemned twice.
// Counters: corrupt_found (by any finder), corrupt_reported, quarantine_errors (the move
// failed, e.g. a full disk; the core is told anyway and every read re-verifies).
// Thread-safety: Condemn from any thread; the notice goes out from the loop's thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "event_loop.h"
#include "reliable_publisher.h"
#include "tern/common/chunk.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/edge/local_store.h"

namespace tern::edge {

class Quarantine {
 public:
  // None of the pointers is owned; all outlive it.
  Quarantine(uint32_t self, std::string name, Topics topics, LocalStore* store, EventLoop* loop,
             ReliablePublisher* publisher, Metrics* m, std::string who)
      : self_(self),
        name_(std::move(name)),
        topics_(std::move(topics)),
        store_(store),
        loop_(loop),
        publisher_(publisher),
        m_(m),
        who_(std::move(who)) {}

  // Chunk `id` failed its hash here; `found_by` ("scrub", "get", "copy", "rehash") goes into
  // the log line, the quarantine row and the notice's reason.
  void Condemn(const ChunkId& id, const std::string& found_by);

 private:
  const uint32_t self_;
  const std::string name_;
  const Topics topics_;
  LocalStore* store_;
  EventLoop* loop_;
  ReliablePublisher* publisher_;
  Metrics* m_;
  const std::string who_;
  std::mutex mu_;
  std::set<ChunkId> pending_;  // under mu_: being moved and reported
};

}  // namespace tern::edge
