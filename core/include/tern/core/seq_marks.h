// Per-source sequence marks in core.db (`seq_marks` table): for each origin and source, the
// highest chunk sequence number the core has acked, and the numbers the origin must start
// above were it to lose its store (the highest chunk and record numbers it has uplinked).
//
// The acked mark is written in the transaction that marks the chunk acked; the uplink marks
// in the transaction that spools it. The core refuses a new chunk id whose (origin, source,
// seq) was acked before under another id (`AckedOther`, on the `chunks_by_seq` index), and
// tells a registering node the floors its sources must start above (`Floors`), so an edge
// restarted on an empty data directory does not begin again at 0.
// SeqMarks is one of the store classes Manifest owns (manifest.h).
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

// One source's marks for one origin.
struct SeqMark {
  std::string source;
  int64_t acked_seq = -1;    // highest acked chunk seq; -1: none acked
  uint64_t next_chunk = 0;   // above every chunk seq uplinked or acked
  uint64_t next_record = 0;  // above every record seq uplinked
};

class SeqMarks {
 public:
  // `db` outlives this; statements are prepared on first use (a read-only handle on a
  // database from before the table fails only the calls that need it).
  explicit SeqMarks(Database& db) : db_(db) {}

  // Writes; run them inside the caller's transaction. Marks only ever go up.
  // An uplinked chunk of `origin`'s `source` with chunk seq `seq` whose records end below
  // `next_record`.
  [[nodiscard]] Status Uplinked(uint32_t origin, const std::string& source, uint64_t seq,
                                uint64_t next_record);
  // The core acked chunk seq `seq` of `origin`'s `source`.
  [[nodiscard]] Status Acked(uint32_t origin, const std::string& source, uint64_t seq);

  // The id of an acked chunk of (origin, source, seq) other than `id`, if there is one.
  [[nodiscard]] Result<std::optional<ChunkId>> AckedOther(uint32_t origin,
                                                          const std::string& source, uint64_t seq,
                                                          const ChunkId& id);
  // Every source's marks for `origin`, by source name.
  [[nodiscard]] Result<std::vector<SeqMark>> Of(uint32_t origin);

  SeqMarks(const SeqMarks&) = delete;
  SeqMarks& operator=(const SeqMarks&) = delete;

 private:
  Database& db_;
  std::unique_ptr<Statement> uplinked_, acked_, acked_other_, of_;
};

}  // namespace tern::core
