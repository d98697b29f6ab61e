// The store service: this edge's store as other nodes see it. It keeps the replicas peers
// (and the core, for results) put here, verified and durable, then says so twice: `stored`
// to the core (the manifest takes only holders' own statements) and put_ack to the sender
// (put_nack with the reason if the commit failed or different bytes already sit under the
// id). It answers `restate` (state again whether a copy is here: stored + put_ack, or
// restate_nack) and `delete` (drop an excess replica, then `dropped`; while the member list
// says this node is draining, its own chunks too, but never one still in the outbox, i.e.
// not acked: that one stays, nothing is said, and the core asks again), and after each start
// restates its most recent replicas, in case a crash came between a commit and its notice.
// Each copy is kept with its origin's signature of the id (LocalStore's `sig`).
//
// The store protocol (store_messages.h), from the core only (down/<self>):
// - `digest`: a full block report (BlockReporter); the agent also starts one after the
//   first registration reply of each run;
// - `copy`: the chunk goes to store `to` as an ordinary put envelope (put/<self>/<to>) with
//   the origin's kept signature (an own chunk without one is signed again and the signature
//   kept; a replica without one is refused: "no origin signature kept"); the target verifies
//   and stores it like any put and tells the core `stored`. Its put_ack / put_nack comes
//   back here (OnCopyAnswer), not to the Shipper; a put_nack becomes a copy_nack;
// - `get`: the chunk in an EnvelopeType::kGot envelope (request = req, the kept signature)
//   on peer/<self>/<core>, or get_nack.
// Bytes go out only after their SHA-256 was checked against the id; a mismatch is a corrupt
// copy (Quarantine) and the answer a nack. Refusals go to the core on peer/<self>/<core>.
//
// The transport's network thread only decodes (envelope, chunk, records: CPU work); every
// read of SQLite runs on the event loop's thread and every write on the store's writer.
// Counters: rejected_put, replicas_stored, replicas_duplicate, replica_id_collisions,
// replica_store_errors, restated, replicas_dropped (every copy dropped on request, own ones
// of a draining node too), drain_drops (of those, while draining), drops_deferred,
// replica_drop_errors, replicas_restated,
// copies_sent, copy_nacks, copy_acks, gets_served, get_nacks (and BlockReporter's and
// Quarantine's).
// Thread-safety: OnPut, OnRestate, OnDelete, OnDigest, OnCopy, OnGet, OnCopyAnswer, Condemn
// and StartBlockReport from any thread (they post to the loop or lock); AnnounceRecentReplicas
// on the loop thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "block_reporter.h"
#include "event_loop.h"
#include "pressure_ladder.h"
#include "quarantine.h"
#include "reliable_publisher.h"
#include "statements.h"
#include "tern/common/log_throttle.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/common/store_messages.h"
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
        statements_(statements),
        quarantine_(self, name_, topics_, store, loop, publisher, m, who_),
        reporter_(self, name_, topics_, store, loop, publisher, &quarantine_, m, who_) {}

  // The store's disk-pressure ladder (not owned; null: every copy is taken). Before the
  // loop runs.
  void SetPressure(const PressureLadder* p) { pressure_ = p; }
  // A binary put envelope from node `from` (put/<from>/<self>). A malformed one is counted as
  // rejected_put and logged ("rejected put message") with the sender. The answers go to
  // `from` (peer/<self>/<from>), whatever the envelope says.
  void OnPut(const std::string& from, std::string_view payload);
  // A restate request from node `from` (a peer on peer/<from>/<self>, or the core on down).
  void OnRestate(const msg::Restate& m, const std::string& from);
  void OnDelete(const msg::Delete& m);
  // The core's member list: whether this node is draining (then `delete` drops own chunks).
  void OnMembers(const msg::Members& m);
  bool draining() const { return draining_.load(); }
  // Restates the `limit` most recent replicas to the core.
  void AnnounceRecentReplicas(int limit = 500);

  // The core's requests (down/<self>); `core` is the core's name (peers' latest member list),
  // where refusals and the kGot answer go (nothing is answered while it is unknown).
  void OnDigest(const msg::DigestRequest& m) { reporter_.Start(m.report, m.rehash); }
  void OnCopy(const msg::Copy& m, const std::string& core);
  void OnGet(const msg::Get& m, const std::string& core);
  // A put_ack (`nack` empty) or put_nack (`nack` its reason) from store `from`: true if it
  // answers a copy this store sent (then it is handled here and goes nowhere else).
  bool OnCopyAnswer(const ChunkId& id, const std::string& from, const std::string* nack);
  // A full block report with a store-chosen id (the agent's, after registration).
  void StartBlockReport(uint64_t report) { reporter_.Start(report, false); }
  // Chunk `id` failed its hash (found by `found_by`): out of service, reported.
  void Condemn(const ChunkId& id, const std::string& found_by) {
    quarantine_.Condemn(id, found_by);
  }

  // Loop thread: the chunk, hash-checked (a mismatch is condemned, `found_by` saying which
  // read found it): the copy, or why there is none (NotFound "not held", Corruption).
  [[nodiscard]] Result<StoredCopy> Verified(const ChunkId& id, const std::string& found_by);
  // The ids of a series run (msg::TaskSeries) in seq order, or FailedPrecondition naming the
  // run when this store does not hold every chunk of it (once each).
  [[nodiscard]] Result<std::vector<ChunkId>> RunIds(const msg::TaskSeries& r);

 private:
  struct Put;
  void Keep(const std::shared_ptr<const Put>& put);
  void Answer(const std::shared_ptr<const Put>& put, const Status& s);
  void Restate(const msg::Restate& m, const std::string& from);
  void Copy(const msg::Copy& m, const std::string& core);
  void Get(const msg::Get& m, const std::string& core);
  void CopyNack(const msg::Copy& m, const std::string& core, const std::string& reason);
  // Copies sent and not yet answered: (id, target name) -> (request, core's name).
  struct CopyInFlight {
    uint64_t req = 0;
    std::string core;
  };

  const uint32_t self_;
  const std::string name_;
  const Topics topics_;
  LocalStore* store_;
  const PressureLadder* pressure_ = nullptr;
  LogThrottle pressure_log_;  // loop thread: refused copies, a few lines then 1 per 10 s
  EventLoop* loop_;
  ReliablePublisher* publisher_;
  Metrics* m_;
  const std::string who_;
  Statements* statements_;
  Quarantine quarantine_;
  BlockReporter reporter_;
  std::atomic<bool> draining_{false};
  std::mutex copies_mu_;
  std::map<std::pair<ChunkId, std::string>, CopyInFlight> copies_;  // under copies_mu_
};

}  // namespace tern::edge
