// The store service: this edge's store as other nodes see it. It keeps the replicas peers
// (and the core, for results) put here, verified and durable, then says so twice: `stored`
// to the core (the manifest takes only holders' own statements) and put_ack to the sender
// (put_nack with the reason if the commit failed or different bytes already sit under the
// id). It answers `restate` (state again whether a copy is here: stored + put_ack, or
// restate_nack) and `delete` (drop an excess replica, then `dropped`), and after each start
// restates its most recent replicas, in case a crash came between a commit and its notice.
//
// The transport's network thread only decodes (envelope, chunk, records: CPU work); every
// read of SQLite runs on the event loop's thread and every write on the store's writer.
// Counters: rejected_put, replicas_stored, replicas_duplicate, replica_id_collisions,
// replica_store_errors, restated, replicas_dropped, replica_drop_errors, replicas_restated.
// Thread-safety: OnPut, OnRestate and OnDelete from any thread (they post to the loop);
// AnnounceRecentReplicas on the loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "event_loop.h"
#include "reliable_publisher.h"
#include "statements.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/edge/local_store.h"

namespace tern::edge {

class StoreService {
 public:
  // None of the pointers is owned; all outlive the service.
  // `statements` (may be null in tests: no signature check) verifies each put's origin
  // signature.
  StoreService(uint32_t self, std::string name, Topics topics, LocalStore* store, EventLoop* loop,
               ReliablePublisher* publisher, Metrics* m, std::string who,
               Statements* statements = nullptr)
      : self_(self),
        name_(std::move(name)),
        topics_(std::move(topics)),
        store_(store),
        loop_(loop),
        publisher_(publisher),
        m_(m),
        who_(std::move(who)),
        statements_(statements) {}

  // A binary put envelope from node `from` (put/<from>/<self>). A malformed one is counted as
  // rejected_put and logged ("rejected put message") with the sender. The answers go to
  // `from` (peer/<self>/<from>), whatever the envelope says.
  void OnPut(const std::string& from, std::string_view payload);
  // A restate request from node `from` (a peer on peer/<from>/<self>, or the core on down).
  void OnRestate(const msg::Restate& m, const std::string& from);
  void OnDelete(const msg::Delete& m);
  // Restates the `limit` most recent replicas to the core.
  void AnnounceRecentReplicas(int limit = 500);

 private:
  struct Put;
  void Keep(const std::shared_ptr<const Put>& put);
  void Answer(const std::shared_ptr<const Put>& put, const Status& s);
  void Restate(const msg::Restate& m, const std::string& from);

  const uint32_t self_;
  const std::string name_;
  const Topics topics_;
  LocalStore* store_;
  EventLoop* loop_;
  ReliablePublisher* publisher_;
  Metrics* m_;
  const std::string who_;
  Statements* statements_;
};

}  // namespace tern::edge
