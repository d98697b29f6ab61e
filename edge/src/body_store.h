// Dedup of chunk bodies in edge.db: a file dropped twice (or a repeated camera frame) costs
// one stored body, however many chunks carry it.
//
// A chunk's id covers its whole wire form (header, record stamps, the file's name), so two
// chunks carrying the same file never have equal wire bytes or equal bodies. What repeats is
// the file's content: the data of each blob part (BlobPart) inside a blob chunk's body. That
// is the dedup unit, the "shared body": the store cuts every blob part's data of at least
// kMinSharedBody bytes out of the wire bytes and keeps it once in table `bodies` (keyed by its
// SHA-256, with a reference count), leaving in `chunks.data` the rest of the wire (the
// "skeleton") and in `chunks.parts` where each body goes back (BodyRef). Reads splice the
// bodies back in, so callers get the exact wire bytes and the id still verifies.
//
// Only raw-codec chunks are split: a zstd body is one compressed stream, and recompressing it
// is not guaranteed to give the same bytes again (so its id could no longer verify). Bodies
// are shared only after a byte-for-byte comparison with the stored one: a stored body that no
// longer hashes to its key is corrupt and is replaced by the new (verified) bytes, which
// repairs every chunk referencing it; a genuine SHA-256 collision keeps the new data inline.
// A body goes only when its reference count reaches 0.
// Thread-safety: BodyStore belongs to the store's writer thread (its statements are on the
// writer's connection), except Totals(), which any thread may call; the free functions are
// pure.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::edge {

// Blob-part data shorter than this stays inline: a body row costs more than it could save.
inline constexpr size_t kMinSharedBody = 256;

// Where a shareable body sits in a chunk's wire bytes.
struct BodySpan {
  size_t offset = 0;
  size_t size = 0;
};

// The shareable bodies of `wire` in order: the data of every blob part of at least
// kMinSharedBody bytes, if `wire` is a raw-codec blob chunk; none for anything else
// (including bytes that do not decode).
std::vector<BodySpan> ShareableSpans(std::string_view wire);

// One shared body a chunk row references: where it goes back in the wire bytes, how long it
// was, and its key (32 raw bytes of SHA-256).
struct BodyRef {
  uint64_t offset = 0;
  uint64_t size = 0;
  std::string hash;
};
std::string EncodeBodyRefs(const std::vector<BodyRef>& refs);
Result<std::vector<BodyRef>> DecodeBodyRefs(std::string_view blob);

// Looks a body up by key; nullopt when there is none.
using BodyLookup = std::function<Result<std::optional<std::string>>(std::string_view hash)>;

// The wire bytes of a split row: `skeleton` with each body of `refs` put back. A missing body
// leaves its span empty (the result then fails its id check, so scrub and every read treat
// the chunk as corrupt and it is repaired from another holder).
Result<std::string> Reassemble(std::string_view skeleton, std::string_view refs,
                               const BodyLookup& lookup);

// The writer's side of table `bodies`, inside the writer's transaction.
class BodyStore {
 public:
  static Result<std::unique_ptr<BodyStore>> Prepare(Database& db);

  struct Split {
    std::string skeleton;  // the row's data
    std::string refs;      // the row's parts (empty: nothing shared, `skeleton` is the wire)
  };
  // Takes a reference on (or stores) every shareable body of `wire`.
  [[nodiscard]] Result<Split> Share(std::string_view wire);
  // Drops one reference per entry of `refs` (a row's parts); a body goes at 0.
  [[nodiscard]] Status Release(std::string_view refs);
  // A body by key (for Reassemble on the writer's connection).
  [[nodiscard]] Result<std::optional<std::string>> Get(std::string_view hash);
  // The writer's transaction committed (Share/Release since then count) or rolled back.
  void Committed();
  void RolledBack();
  // The counts as of the last commit (read from the table at Prepare, then kept current).
  struct Counts {
    int64_t bodies = 0, body_bytes = 0, saved_bytes = 0;
  };
  Counts Totals() const { return {bodies_.load(), body_bytes_.load(), saved_.load()}; }

 private:
  BodyStore() = default;
  std::unique_ptr<Statement> get_, insert_, ref_, replace_, unref_, drop_;
  Counts pending_;  // changes of the open transaction
  std::atomic<int64_t> bodies_{0}, body_bytes_{0}, saved_{0};
};

}  // namespace tern::edge
