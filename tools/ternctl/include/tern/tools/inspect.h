// Read-only inspection of a running or stopped site, for ternctl and integration tests.
//
// Everything here opens the core's database READ-ONLY through core::Manifest (its store
// classes own every statement on core.db) and the edges' stores READ-ONLY through
// edge::LocalStore::OpenReadOnly (no writer thread, no SQL of its own), so it is safe while
// the daemons run: WAL lets readers proceed beside the writer. The manifest says which node holds
// which chunk; the stores say what is really there. VerifySite compares the two; Locate answers
// "where is it"; GetChunk fetches and checks one chunk from whichever holder has a good copy. Every
// error names the path, chunk or holder involved. Thread-safety: free functions; each call opens
// its own connections.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/status.h"
#include "tern/core/manifest.h"

namespace tern::tools {

// The number of copies every chunk should have (the origin's plus two peers').
inline constexpr int kCopiesExpected = 3;

// ---------------------------------------------------------------------------------------
// Nodes

struct NodeInfo {
  core::NodeRecord node;
  bool store_readable = false;  // the store file exists and its chunks table could be read
  std::string store_error;      // why not, when !store_readable
  int64_t chunks = -1;          // rows in the store's chunks table; -1 if unreadable
  int64_t bytes = -1;           // sum of their wire bytes; -1 if unreadable
};

// Every registered node, in address order, with what its store holds (if readable).
// Fails only if the core database cannot be opened or read.
[[nodiscard]] Result<std::vector<NodeInfo>> Nodes(const std::string& core_db);

// ---------------------------------------------------------------------------------------
// Locate

struct HolderInfo {
  uint32_t addr = 0;
  std::string name;   // "" if the address is not in the registry
  std::string state;  // registry state (live, suspect, dead, offline, unknown)
  std::string store_path;
  bool registered = false;
};

struct LocatedChunk {
  core::ChunkRecord chunk;
  std::vector<HolderInfo> holders;  // in the manifest's order (oldest statement first)
  // Analysis links (single-chunk lookups only): what a result was computed from, and the
  // results computed from this chunk.
  std::vector<ChunkId> sources, results;
};

// The one manifest chunk whose hex id is `id_hex_or_prefix` or starts with it (case
// ignored, at least 1 hex digit). NotFound if none; InvalidArgument if the text is not hex
// or the prefix matches more than one chunk (the message says how to disambiguate).
[[nodiscard]] Result<LocatedChunk> Locate(const std::string& core_db,
                                          std::string_view id_hex_or_prefix);

// Chunks of `source` (any origin if origin == 0) overlapping [from, to], both HLC stamps
// (see ParseTime). Ordered by origin, then sequence. Empty if none.
[[nodiscard]] Result<std::vector<LocatedChunk>> Locate(const std::string& core_db,
                                                       const std::string& source, uint32_t origin,
                                                       uint64_t from, uint64_t to);

// Parses a time argument into an HLC stamp. Accepts:
//   - an HLC stamp (a decimal integer >= 2^48),
//   - wall-clock milliseconds since the epoch (a decimal integer < 2^48), shifted << 16,
//   - ISO-8601 UTC "2026-11-21T10:00:00" (optionally ".mmm", a trailing "Z", a space
//     instead of "T", or just the date).
// With `upper` set (an inclusive upper bound), a wall-clock or ISO time covers its whole
// millisecond (logical bits all ones); an HLC stamp is taken as is.
[[nodiscard]] Result<uint64_t> ParseTime(std::string_view text, bool upper = false);

// ---------------------------------------------------------------------------------------
// Verify

struct CopyProblem {  // one (chunk, holder) pair
  ChunkId id;
  uint32_t holder = 0;
  std::string holder_name;
  std::string detail;  // e.g. "store unreachable: ...", "sha256 mismatch"
};

struct ReplicationProblem {  // one chunk with too few or too many real copies
  ChunkId id;
  int real_copies = 0;
  std::vector<uint32_t> real_holders;      // nodes whose store holds a good copy
  std::vector<uint32_t> manifest_holders;  // nodes the manifest names
};

struct NodeVerify {
  uint32_t addr = 0;
  std::string name;
  std::string state;
  std::string store_path;
  bool reachable = false;
  std::string error;   // why unreachable
  int64_t stored = 0;  // rows in its store
  int64_t listed = 0;  // manifest entries naming it
  int64_t missing = 0;
  int64_t extra = 0;
  int64_t corrupt = 0;
};

struct VerifyReport {
  int64_t chunks = 0;  // chunks in the manifest
  int copies_expected = kCopiesExpected;
  bool hashes_checked = true;
  // The manifest says holder H has chunk C, but H's store lacks it (or H is unreachable or
  // not registered).
  std::vector<CopyProblem> missing;
  // Manifest chunks with fewer than copies_expected good copies among all readable stores.
  // Includes the lost ones.
  std::vector<ReplicationProblem> under_replicated;
  // Manifest chunks with no good copy anywhere (a subset of under_replicated).
  std::vector<ReplicationProblem> lost;
  // Manifest chunks with more than copies_expected distinct good copies.
  std::vector<ReplicationProblem> over_replicated;
  // A store holds a chunk the manifest does not list for that store.
  std::vector<CopyProblem> extra;
  // A store's row whose data does not hash to its id (only with hashes checked).
  std::vector<CopyProblem> corrupt;
  // Nodes whose store could not be opened or read.
  std::vector<NodeVerify> unreachable_stores;
  std::vector<NodeVerify> nodes;  // every registered node, address order

  // Under-replicated chunks by their number of good copies (0 = lost, 1, 2, ...): the ones
  // with fewest copies are the ones at risk.
  std::map<int, int64_t> UnderByCopies() const {
    std::map<int, int64_t> by;
    for (const auto& p : under_replicated) ++by[p.real_copies];
    return by;
  }
  // True iff nothing is missing, under-replicated, extra or corrupt.
  bool ok() const {
    return missing.empty() && under_replicated.empty() && extra.empty() && corrupt.empty();
  }
};

// Compares the manifest in `core_db` with every registered node's store (nodes.store_path).
// A store that is missing or unreadable makes its node unreachable: reported, and each of
// its manifest entries counts as a missing copy. With check_hashes, every row's data is
// hashed and compared with its id (cost: one SHA-256 pass over every stored byte).
// "Real" copies are counted over all readable stores, listed or not, and exclude corrupt
// rows. Fails only if the core database cannot be read; store problems are findings.
[[nodiscard]] Result<VerifyReport> VerifySite(const std::string& core_db, bool check_hashes = true);

// One JSON object: ok, chunks, copies_expected, hashes_checked, the counts missing,
// under_replicated, lost, over_replicated, extra, corrupt, unreachable_stores (numbers),
// under_replicated_by_copies (an object: good copies as a decimal string -> chunks),
// nodes (array), and details {missing: [...], ...} with at most `max_details` entries per
// list (details_truncated says whether any list was cut). Ids are lower-case hex.
nlohmann::json ToJson(const VerifyReport& report, size_t max_details = 100);

// ---------------------------------------------------------------------------------------
// Get

struct FetchedChunk {
  ChunkId id;
  std::string wire;  // the verified wire bytes (SHA-256 == id)
  ChunkHeader header;
  std::vector<Record> records;
  uint32_t served_by = 0;  // the holder whose copy was used
  std::string served_by_name;
  std::string store_path;
  std::vector<std::string> notes;  // holders tried before and why they were skipped
};

// Fetches the chunk (full hex id or unique prefix) from one of its manifest holders whose
// store is readable, live holders first. A copy is used only if SHA-256(data) == id and it
// decodes (DecodeChunk + DecodeRecords); otherwise the holder is skipped with a note.
// NotFound if the manifest lacks the chunk; Corruption if some copy exists but none is good;
// Unavailable if no holder's store could be read or held it. Messages list every holder tried.
[[nodiscard]] Result<FetchedChunk> GetChunk(const std::string& core_db,
                                            std::string_view id_hex_or_prefix);

// JSON for one node / located chunk (used by ternctl --json).
nlohmann::json ToJson(const NodeInfo& n);
nlohmann::json ToJson(const LocatedChunk& c);

}  // namespace tern::tools
