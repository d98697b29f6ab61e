// SeqMarks: the `seq_marks` table of core.db (each origin's per-source sequence marks).
#include "tern/core/seq_marks.h"

#include <algorithm>
#include <cstdint>

#include "store_util.h"

namespace tern::core {

namespace {
constexpr const char* kUplinked =
    "INSERT INTO seq_marks(origin, source, next_chunk, next_record)"
    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(origin, source) DO UPDATE SET"
    " next_chunk = max(next_chunk, excluded.next_chunk),"
    " next_record = max(next_record, excluded.next_record)";
constexpr const char* kAcked =
    "INSERT INTO seq_marks(origin, source, acked_seq, next_chunk)"
    " VALUES(?1, ?2, ?3, ?3 + 1) ON CONFLICT(origin, source) DO UPDATE SET"
    " acked_seq = max(acked_seq, excluded.acked_seq),"
    " next_chunk = max(next_chunk, excluded.next_chunk)";
constexpr const char* kAckedOther =
    "SELECT id FROM chunks WHERE origin = ? AND source = ? AND seq = ? AND acked = 1"
    " AND id != ? LIMIT 1";
constexpr const char* kOf =
    "SELECT source, acked_seq, next_chunk, next_record FROM seq_marks WHERE origin = ?"
    " ORDER BY source";
}  // namespace

Status SeqMarks::Uplinked(uint32_t origin, const std::string& source, uint64_t seq,
                          uint64_t next_record) {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, uplinked_, kUplinked));
  return q->Bind(1, int64_t{origin})
      .BindText(2, source)
      .Bind(3, store::Int(std::min<uint64_t>(seq, INT64_MAX - 1) + 1))
      .Bind(4, store::Int(next_record))
      .Run();
}

Status SeqMarks::Acked(uint32_t origin, const std::string& source, uint64_t seq) {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, acked_, kAcked));
  return q->Bind(1, int64_t{origin})
      .BindText(2, source)
      .Bind(3, store::Int(std::min<uint64_t>(seq, INT64_MAX - 1)))
      .Run();
}

Result<std::optional<ChunkId>> SeqMarks::AckedOther(uint32_t origin, const std::string& source,
                                                    uint64_t seq, const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, acked_other_, kAckedOther));
  ResetGuard g(q);
  q->Bind(1, int64_t{origin}).BindText(2, source).Bind(3, store::Int(seq)).BindBlob(4, id);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<ChunkId>();
  return std::optional<ChunkId>(ChunkId(q->Blob(0)));
}

Result<std::vector<SeqMark>> SeqMarks::Of(uint32_t origin) {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, of_, kOf));
  ResetGuard g(q);
  q->Bind(1, int64_t{origin});
  std::vector<SeqMark> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({std::string(q->Text(0)), q->Int(1), static_cast<uint64_t>(q->Int(2)),
                   static_cast<uint64_t>(q->Int(3))});
  }
  return out;
}

}  // namespace tern::core
