// Local store schema and group committer; reads forward to LocalStoreReader
// (local_store_reader.cpp) under the read lock.
#include "tern/edge/local_store.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "body_store.h"
#include "tern/common/bytes.h"
#include "tern/common/hlc.h"

namespace tern::edge {

const std::vector<std::string>& LocalStore::Schema() {
  static const std::vector<std::string> kSteps = {
      // v1
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE chunks(id BLOB PRIMARY KEY, origin INTEGER NOT NULL, source TEXT NOT NULL,"
      " seq INTEGER NOT NULL, kind INTEGER NOT NULL, priority INTEGER NOT NULL,"
      " t_first INTEGER NOT NULL, t_last INTEGER NOT NULL, records INTEGER NOT NULL,"
      " bytes INTEGER NOT NULL, own INTEGER NOT NULL, data BLOB NOT NULL);"
      "CREATE INDEX chunks_by_source ON chunks(origin, source, t_first);"
      "CREATE TABLE outbox(id BLOB PRIMARY KEY, priority INTEGER NOT NULL,"
      " bytes INTEGER NOT NULL, created_ms INTEGER NOT NULL);",
      // v2: the origin's signature kept with each chunk (copies go out as puts with it), and
      // the quarantine of corrupt copies found by scrub or a read (never served, kept for
      // forensics; docs/architecture.md, "Scrub").
      "ALTER TABLE chunks ADD COLUMN sig BLOB;"
      "CREATE TABLE quarantine(id BLOB NOT NULL, origin INTEGER NOT NULL, own INTEGER NOT NULL,"
      " bytes INTEGER NOT NULL, data BLOB NOT NULL, found_ms INTEGER NOT NULL,"
      " reason TEXT NOT NULL);",
      // v3: dedup (body_store.h). Shared bodies once each with a reference count; a chunk row
      // whose `parts` is set keeps in `data` only the wire bytes around them.
      "CREATE TABLE bodies(hash BLOB PRIMARY KEY, refs INTEGER NOT NULL, bytes INTEGER NOT NULL,"
      " data BLOB NOT NULL);"
      "ALTER TABLE chunks ADD COLUMN parts BLOB;",
  };
  return kSteps;
}

Result<std::unique_ptr<LocalStore>> LocalStore::Open(const std::string& path, int tick_ms,
                                                     bool dedup) {
  std::unique_ptr<LocalStore> s(new LocalStore());
  s->path_ = path;
  s->tick_ms_ = tick_ms;
  s->dedup_ = dedup;
  TERN_ASSIGN_OR_RETURN(s->wdb_, Database::Open(path));
  TERN_RETURN_IF_ERROR(s->wdb_->Migrate(Schema()));
  TERN_ASSIGN_OR_RETURN(auto rdb, Database::Open(path));
  TERN_ASSIGN_OR_RETURN(s->reader_, LocalStoreReader::Attach(std::move(rdb), path));
  auto& w = *s->wdb_;
  TERN_ASSIGN_OR_RETURN(s->bodies_, BodyStore::Prepare(w));
  TERN_ASSIGN_OR_RETURN(s->has_chunk_, w.Prepare("SELECT 1 FROM chunks WHERE id = ?"));
  TERN_ASSIGN_OR_RETURN(s->get_row_, w.Prepare("SELECT data, parts FROM chunks WHERE id = ?"));
  TERN_ASSIGN_OR_RETURN(s->ins_chunk_,
                        w.Prepare("INSERT OR IGNORE INTO chunks(id, origin, source, seq, kind,"
                                  " priority, t_first, t_last, records, bytes, own, data, sig,"
                                  " parts) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  TERN_ASSIGN_OR_RETURN(s->ins_outbox_,
                        w.Prepare("INSERT OR IGNORE INTO outbox(id, priority, bytes, created_ms)"
                                  " VALUES(?,?,?,?)"));
  TERN_ASSIGN_OR_RETURN(s->del_outbox_, w.Prepare("DELETE FROM outbox WHERE id = ?"));
  // Every delete returns the row's shared bodies, whose references it then drops.
  TERN_ASSIGN_OR_RETURN(s->del_chunk_,
                        w.Prepare("DELETE FROM chunks WHERE id = ? AND own = 0 RETURNING parts"));
  // A draining node empties itself, own chunks too, but never one the core has not acked.
  TERN_ASSIGN_OR_RETURN(s->del_copy_, w.Prepare("DELETE FROM chunks WHERE id = ?1 AND NOT EXISTS"
                                                " (SELECT 1 FROM outbox WHERE id = ?1)"
                                                " RETURNING parts"));
  // Quarantine keeps the whole (reassembled) bad bytes: ?4.
  TERN_ASSIGN_OR_RETURN(
      s->quarantine_,
      w.Prepare("INSERT INTO quarantine(id, origin, own, bytes, data, found_ms, reason)"
                " SELECT id, origin, own, bytes, ?4, ?2, ?3 FROM chunks WHERE id = ?1"));
  TERN_ASSIGN_OR_RETURN(s->unserve_, w.Prepare("DELETE FROM chunks WHERE id = ? RETURNING parts"));
  TERN_ASSIGN_OR_RETURN(s->set_sig_, w.Prepare("UPDATE chunks SET sig = ?2 WHERE id = ?1"));
  TERN_ASSIGN_OR_RETURN(s->put_meta_,
                        w.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
  // The next-sequence meta of a source never goes back: a chunk retried after a failed
  // transaction (disk full) carries older numbers than chunks committed since.
  TERN_ASSIGN_OR_RETURN(
      s->raise_seq_,
      w.Prepare("INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE"
                " SET value = excluded.value WHERE"
                " (CAST(substr(excluded.value, instr(excluded.value, ' ') + 1) AS INTEGER),"
                "  CAST(excluded.value AS INTEGER)) >"
                " (CAST(substr(meta.value, instr(meta.value, ' ') + 1) AS INTEGER),"
                "  CAST(meta.value AS INTEGER))"));
  // The highest HLC stamp of the own chunks committed (the clock restores it at start).
  TERN_ASSIGN_OR_RETURN(
      s->raise_hlc_,
      w.Prepare("INSERT INTO meta(key, value) VALUES('hlc', ?1) ON CONFLICT(key) DO UPDATE"
                " SET value = excluded.value"
                " WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)"));
  s->writer_ = std::thread([p = s.get()] { p->WriterLoop(); });
  return s;
}

LocalStore::~LocalStore() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void LocalStore::Submit(StoreWrite w, Done done) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.emplace_back(std::move(w), std::move(done));
  }
  cv_.notify_one();
}

size_t LocalStore::queued() const {
  std::lock_guard<std::mutex> lk(mu_);
  return queue_.size();
}

Status LocalStore::Apply(const StoreWrite& w) {
  switch (w.kind) {
    case StoreWrite::Kind::kOwnChunk:
    case StoreWrite::Kind::kReplica: {
      const StoredChunkInfo& i = w.info;
      bool own = w.kind == StoreWrite::Kind::kOwnChunk;
      // A chunk already here takes no second reference on its bodies.
      BodyStore::Split split;
      TERN_ASSIGN_OR_RETURN(bool have, Exists(i.id));
      if (dedup_ && !have) {
        TERN_ASSIGN_OR_RETURN(split, bodies_->Share(w.wire));
      }
      const bool shared = !split.refs.empty();
      TERN_RETURN_IF_ERROR(
          ins_chunk_->BindBlob(1, i.id)
              .Bind(2, int64_t{i.origin})
              .BindText(3, i.source)
              .Bind(4, static_cast<int64_t>(i.seq))
              .Bind(5, int64_t{i.kind})
              .Bind(6, int64_t{i.priority})
              .Bind(7, static_cast<int64_t>(i.t_first))
              .Bind(8, static_cast<int64_t>(i.t_last))
              .Bind(9, int64_t{i.records})
              .Bind(10, static_cast<int64_t>(w.wire.size()))
              .Bind(11, int64_t{own})
              .BindBlob(12, shared ? std::string_view(split.skeleton) : std::string_view(w.wire))
              .BindBlob(13, i.sig)
              .BindBlob(14, split.refs)
              .Run());
      if (own) {
        auto now = static_cast<int64_t>(WallMs());
        TERN_RETURN_IF_ERROR(ins_outbox_->BindBlob(1, i.id)
                                 .Bind(2, int64_t{i.priority})
                                 .Bind(3, static_cast<int64_t>(w.wire.size()))
                                 .Bind(4, static_cast<int64_t>(now))
                                 .Run());
        TERN_RETURN_IF_ERROR(raise_hlc_->BindText(1, std::to_string(i.t_last)).Run());
      }
      if (!w.key.empty()) {  // durable state that must commit with the chunk (sequence numbers)
        Statement& q = w.seq_meta ? *raise_seq_ : *put_meta_;
        TERN_RETURN_IF_ERROR(q.BindText(1, w.key).BindText(2, w.value).Run());
      }
      return Status::Ok();
    }
    case StoreWrite::Kind::kOutboxDone:
      return del_outbox_->BindBlob(1, w.id).Run();
    case StoreWrite::Kind::kDropReplica:
      return Delete(*del_chunk_, w.id);
    case StoreWrite::Kind::kDropCopy:
      return Delete(*del_copy_, w.id);
    case StoreWrite::Kind::kQuarantine: {
      TERN_ASSIGN_OR_RETURN(std::string bad, WireOf(w.id));
      TERN_RETURN_IF_ERROR(quarantine_->BindBlob(1, w.id)
                               .Bind(2, static_cast<int64_t>(WallMs()))
                               .BindText(3, w.value)
                               .BindBlob(4, bad)
                               .Run());
      return Delete(*unserve_, w.id);
    }
    case StoreWrite::Kind::kSig:
      return set_sig_->BindBlob(1, w.id).BindBlob(2, w.value).Run();
    case StoreWrite::Kind::kMeta:
      return (w.seq_meta ? *raise_seq_ : *put_meta_).BindText(1, w.key).BindText(2, w.value).Run();
  }
  return Status::InvalidArgument("unknown store write");
}

Result<bool> LocalStore::Exists(const ChunkId& id) {
  ResetGuard g(has_chunk_.get());
  has_chunk_->BindBlob(1, id);
  return has_chunk_->Step();
}

Result<std::string> LocalStore::WireOf(const ChunkId& id) {
  ResetGuard g(get_row_.get());
  get_row_->BindBlob(1, id);
  TERN_ASSIGN_OR_RETURN(bool row, get_row_->Step());
  if (!row) return std::string();
  if (get_row_->IsNull(1) || get_row_->Blob(1).empty()) return std::string(get_row_->Blob(0));
  auto wire = Reassemble(get_row_->Blob(0), get_row_->Blob(1),
                         [this](std::string_view h) { return bodies_->Get(h); });
  // Unreadable parts: the row's own bytes are still worth keeping for forensics.
  return wire.ok() ? std::move(wire).value() : std::string(get_row_->Blob(0));
}

Status LocalStore::Delete(Statement& q, const ChunkId& id) {
  std::vector<std::string> parts;
  {
    ResetGuard g(&q);
    q.BindBlob(1, id);
    while (true) {
      TERN_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      if (!q.IsNull(0)) parts.emplace_back(q.Blob(0));
    }
  }
  for (const std::string& p : parts) TERN_RETURN_IF_ERROR(bodies_->Release(p));
  return Status::Ok();
}

void LocalStore::WriterLoop() {
  std::vector<std::pair<StoreWrite, Done>> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      // Let companions arrive for a moment: one fsync then covers all of them.
      if (!stop_ && tick_ms_ > 0 && queue_.size() < 64) {
        cv_.wait_for(lk, std::chrono::milliseconds(tick_ms_),
                     [this] { return stop_ || queue_.size() >= 64; });
      }
      size_t n = std::min<size_t>(queue_.size(), 4096);
      batch.clear();
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Status s = wdb_->Begin();
    for (auto& [w, done] : batch) {
      if (!s.ok()) break;
      s = Apply(w);
    }
    if (s.ok()) s = wdb_->Commit();
    if (s.ok()) {
      bodies_->Committed();
    } else {
      (void)wdb_->Rollback();
      bodies_->RolledBack();
      if (auto more = error_log_.Pass()) {
        spdlog::error("local store {}: transaction of {} writes failed: {}{}", path_, batch.size(),
                      s.ToString(), LogThrottle::MoreSince(*more));
      }
    }
    for (auto& [w, done] : batch) {
      if (done) done(s);
    }
  }
}

Status LocalStore::PutMeta(const std::string& key, const std::string& value) {
  StoreWrite w{StoreWrite::Kind::kMeta};
  w.key = key;
  w.value = value;
  return Wait(std::move(w));
}

Status LocalStore::RaiseSeq(const std::string& source, uint64_t next_record, uint64_t next_chunk) {
  StoreWrite w{StoreWrite::Kind::kMeta};
  w.key = "seq/" + source;
  w.value = std::to_string(next_record) + " " + std::to_string(next_chunk);
  w.seq_meta = true;
  return Wait(std::move(w));
}

Status LocalStore::Wait(StoreWrite w) {
  std::mutex m;
  std::condition_variable cv;
  bool fin = false;
  Status out;
  Submit(std::move(w), [&](const Status& s) {
    std::lock_guard<std::mutex> lk(m);
    out = s;
    fin = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lk(m);
  cv.wait(lk, [&] { return fin; });
  return out;
}

Result<std::string> LocalStore::NodeId() {
  TERN_ASSIGN_OR_RETURN(auto have, GetMeta("node_id"));
  if (have && !have->empty()) return *have;
  std::random_device rd;
  std::string raw;
  for (int i = 0; i < 16; ++i) raw.push_back(static_cast<char>(rd() & 0xff));
  const std::string id = ToHex(raw);
  TERN_RETURN_IF_ERROR(PutMeta("node_id", id).WithContext("store " + path_));
  return id;
}

Result<uint64_t> LocalStore::LoadReservation() {
  TERN_ASSIGN_OR_RETURN(auto v, GetMeta("seq_reserved"));
  if (!v) return uint64_t{0};
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0') {
    return Status::Corruption("meta seq_reserved '" + *v + "' in " + path_);
  }
  return static_cast<uint64_t>(n);
}

Status LocalStore::SaveReservation(uint64_t reserved) {
  return PutMeta("seq_reserved", std::to_string(reserved));
}

Result<std::optional<std::string>> LocalStore::GetMeta(const std::string& key) {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->GetMeta(key);
}

Result<std::optional<std::string>> LocalStore::GetChunk(const ChunkId& id) {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->GetChunk(id);
}

Result<bool> LocalStore::HasChunk(const ChunkId& id) {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->HasChunk(id);
}

Result<std::vector<OutboxEntry>> LocalStore::LoadOutbox() {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->LoadOutbox();
}

Result<std::vector<StoredChunkInfo>> LocalStore::RecentReplicas(int limit) {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->RecentReplicas(limit);
}

Result<std::pair<int64_t, int64_t>> LocalStore::Totals() {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->Totals();
}

Result<std::optional<StoredCopy>> LocalStore::GetCopy(const ChunkId& id) {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->GetCopy(id);
}

Result<std::vector<ChunkSize>> LocalStore::ListChunks(const std::string& after, int limit) {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->ListChunks(after, limit);
}

Result<std::vector<std::pair<uint64_t, ChunkId>>> LocalStore::SeriesRun(
    uint32_t origin, const std::string& source, uint64_t seq_first, uint64_t seq_last,
    uint64_t t_lo, uint64_t t_hi) {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->SeriesRun(origin, source, seq_first, seq_last, t_lo, t_hi);
}

DedupStats LocalStore::Dedup() const {
  const auto c = bodies_->Totals();
  return DedupStats{c.bodies, c.body_bytes, c.saved_bytes};
}

Result<int64_t> LocalStore::QuarantineCount() {
  std::lock_guard<std::mutex> lk(rmu_);
  return reader_->QuarantineCount();
}

}  // namespace tern::edge
