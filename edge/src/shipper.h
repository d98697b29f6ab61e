// The shipper carries this edge's own chunks from the chunker to the core's ack: it commits
// each sealed chunk to the local store with its outbox row ("local" grade; retried every
// 200 ms while the commit fails, e.g. on a full disk), feeds the Outbox's window, carries out
// the Replicator's plans (puts to peers, uplinks to the core, restate requests), and handles
// what peers and the core say about own chunks: put_ack ("1 peer", "2 peers"), put_nack and
// restate_nack (place the copy elsewhere; a restate_nack that answers a probe says only that
// the peer has no copy), the core's ack ("core": the outbox row goes), throttle and refused.
// A refusal for sequence reuse (the core acked another chunk under this (source, seq):
// "seq_reuse") keeps the chunk in the local store, reports it (`core_refusals_seq_reuse`, an
// ERROR line naming source and seq) and raises the source's next numbers above the core's
// marks in the store and the chunker, so what follows is accepted; the refused chunk is not
// renumbered.
//
// Counters: chunks_sealed, local_store_errors, grade_local, records_local, grade_peer1,
// grade_peer2, grade_core, core_acks_short, replica_refusals, uplinks_throttled,
// core_refusals, core_refusals_seq_reuse, outbox_missing_chunks (and the Replicator's); the
// gauge disk_full (1 while the last local commit failed on a full disk), the gauge
// outbox_max_bytes (outbox.max_bytes, for the core's outbox-fill alert); latency per grade in
// GradeLatencies and as histograms (AckHistograms).
// Why copies cannot be placed: after each pump the gauge replication_blocked is 1 while
// fewer live peers exist than `replication.copies`, while the peers there are refused a
// chunk (every candidate refused it or was asked), or while the edge is not connected; the
// reason ("1 live peer, need 2") is blocked_reason() (status.json's
// replication_blocked_reason). While blocked with chunks waiting, a WARN line says so at
// most every 30 s; the outbox keeps collecting, within its bound, as always.
// Thread-safety: OnSealed on the chunker's thread (under its lock); the On<Message> handlers
// from any thread (they post to the loop); Restore before the loop starts; Pump on the loop
// thread; the accessors from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "event_loop.h"
#include "outbox.h"
#include "replicator.h"
#include "tern/common/histogram.h"
#include "tern/common/log_throttle.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/common/statements.h"
#include "tern/common/transport.h"
#include "tern/edge/chunker.h"
#include "tern/edge/local_store.h"
#include "tern/edge/options.h"
#include "tern/edge/peers.h"

namespace tern::edge {

// Latency per ack grade: a chunk's first record collected -> the ack.
struct GradeLatencies {
  LatencyRecorder local, peer1, peer2, core;
  // {"local"|"peer1"|"peer2"|"core": {count, p50_ms, p99_ms}}, for status.json.
  nlohmann::json ToJson() const;
};

// The same latencies as cumulative histograms in the edge's counters (so the heartbeat
// carries them): ack_ms_<grade>_le_<bound>, _le_inf, _sum, _count for grade local, peer1,
// peer2 and core, bounds Histogram::AckMsBounds(); the core renders them as
// tern_edge_ack_latency_seconds.
struct AckHistograms {
  explicit AckHistograms(Metrics& m)
      : local(m, "ack_ms_local", Histogram::AckMsBounds()),
        peer1(m, "ack_ms_peer1", Histogram::AckMsBounds()),
        peer2(m, "ack_ms_peer2", Histogram::AckMsBounds()),
        core(m, "ack_ms_core", Histogram::AckMsBounds()) {}
  Histogram local, peer1, peer2, core;
};

class Shipper {
 public:
  // Everything it works with; none of it is owned and all of it outlives the Shipper.
  struct Deps {
    uint32_t self = 0;
    std::string name;  // this node's name: the topics it publishes on carry it
    Topics topics;
    LocalStore* store = nullptr;
    Transport* transport = nullptr;
    EventLoop* loop = nullptr;
    const PeerTable* peers = nullptr;
    const SettingsState* settings = nullptr;
    Metrics* m = nullptr;
    GradeLatencies* grades = nullptr;
    std::string who;           // "edge <name>", for log lines
    Sealer* sealer = nullptr;  // seals the restate requests; null: unsealed (tests)
    // Raises a source's next numbers in the chunker (a seq_reuse refusal); null: none.
    std::function<void(const std::string& source, uint64_t next_record, uint64_t next_chunk)>
        raise_seq;
    // The store's disk-pressure ladder: admission refuses what its level refuses; null: none.
    const PressureLadder* pressure = nullptr;
  };
  Shipper(const EdgeOptions& o, Deps d);

  // Admission for the chunker (see Outbox::Admit).
  [[nodiscard]] Status Admit(const SourceSpec& spec, size_t bytes) const {
    return outbox_.Admit(spec, bytes);
  }
  // A chunk sealed by the chunker: commit it, then take it into the outbox.
  void OnSealed(SealedChunk c);
  // Takes the durable outbox left by the previous run as backlog (resent first thing; its
  // copies are looked for before new ones go out: Replicator::Recover).
  [[nodiscard]] Status Restore();
  // Fills the window and sends what the Replicator plans. Loop thread.
  void Pump();

  void OnPutAck(const msg::PutAck& m);
  void OnPutNack(const msg::PutNack& m);
  void OnRestateNack(const msg::RestateNack& m);
  void OnAck(const msg::Ack& m);
  void OnThrottle(const msg::Throttle& m);
  void OnRefused(const msg::Refused& m);

  int64_t outbox_chunks() const { return outbox_.chunks(); }
  int64_t outbox_bytes() const { return outbox_.bytes(); }
  bool disk_full() const { return outbox_.disk_full(); }
  // Empty while copies can be placed; otherwise why not.
  std::string blocked_reason() const {
    std::lock_guard<std::mutex> lk(blocked_mu_);
    return blocked_reason_;
  }

 private:
  void Committed(const std::shared_ptr<SealedChunk>& c, const Status& s);
  // A put_nack, or a restate_nack (`restate`), which may just answer a probe.
  void Refusal(const ChunkId& id, uint32_t holder, const std::string& reason, bool restate);
  void Finish(const ChunkId& id, const std::vector<uint32_t>& holders);
  void Drop(const ChunkId& id);
  void SeqReused(const ChunkId& id, const msg::Refused& m);
  std::optional<std::string> Load(const ChunkId& id);
  // The chunk's placement key: its source's group (or name) and its first stamp's window.
  placement::Key PlacementKey(std::string_view wire) const;
  // Loop thread: the reason after a pump ("" = not blocked), gauge and log line.
  std::string WhyBlocked();
  void SetBlocked(std::string reason);

  const EdgeOptions& o_;
  const Deps d_;
  Outbox outbox_;            // loop thread, but for the parts Outbox says are thread-safe
  LogThrottle refusal_log_;  // peers refusing copies (a full disk): a few lines, then 1 per 10 s
  Replicator replicator_;    // loop thread
  // Source -> placement group (PlacementGroups of the options); immutable.
  const std::map<std::string, std::string> groups_;
  AckHistograms ack_hist_;  // thread-safe (atomic counters)
  uint64_t next_request_ = 1;
  LogThrottle blocked_log_{30000, 1};
  mutable std::mutex blocked_mu_;
  std::string blocked_reason_;  // under blocked_mu_
};

}  // namespace tern::edge
