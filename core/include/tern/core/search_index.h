// SearchIndex: the full-text index of core.db (SQLite FTS5) over what the core knows about
// each chunk and result: its source, origin name, kind, priority class, tags (carried in the
// chunk, chunk format version 2) and notes (results: "processor <name> anomalies <n>", plus
// "alarm" when n > 0). Serves GET /api/v1/search and `ternctl search`.
//
// Two tables, both created by Manifest::Schema() (v10): `search_rows` (one row per indexed id:
// the id, its time range; a UNIQUE id makes Add idempotent, an index on t_last serves the
// time window) and the FTS5 table `search` whose rowid is search_rows.doc. A chunk's row is
// written in the transaction that spools it at the core (the first time the core sees its
// tags), a result's in the transaction that records it, so the index never lacks a chunk
// the manifest has recorded, nor holds one it does not.
//
// A query is FTS5 query syntax (words, "phrases", AND/OR/NOT, prefix*, column:word), passed
// to SQLite as a bound parameter, never spliced into SQL. Find first runs it against an
// empty in-memory FTS5 table of the same columns, so a syntax error is InvalidArgument naming
// the problem (HTTP 400), and only a failure on core.db itself is an I/O error. The HTTP API
// bounds the text before it gets here (query.h, CheckSearchText).
// Thread-safety: like every store class of core.db, one thread at a time (the Database's).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

// One indexed chunk or result, as stored and as found.
struct SearchDoc {
  ChunkId id;
  std::string source;    // the chunk's source (results: r/<origin>/<source>/<processor>)
  std::string origin;    // the origin's node name ("" if unknown)
  std::string kind;      // samples, blob, event, result
  std::string priority;  // alarm, high, normal, bulk
  std::string tags;      // space separated
  std::string notes;     // results: "processor <p> anomalies <n>[ alarm]"; chunks: ""
  uint64_t t_first = 0, t_last = 0;
};

struct SearchQuery {
  std::string match;  // FTS5 query text
  uint64_t from = 0;  // HLC stamps; a doc matches if [t_first, t_last] overlaps [from, to]
  uint64_t to = std::numeric_limits<int64_t>::max();
  int64_t limit = 1000;  // >= 1
};

class SearchIndex {
 public:
  explicit SearchIndex(Database& db) : db_(db) {}
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // Indexes `d` unless its id is indexed already (then nothing changes). Inside the caller's
  // transaction.
  [[nodiscard]] Status Add(const SearchDoc& d);

  // Matching docs overlapping [from, to], newest t_last first, at most limit. A bad (or
  // empty) query is InvalidArgument starting with "q: ".
  [[nodiscard]] Result<std::vector<SearchDoc>> Find(const SearchQuery& q);

  // The doc of a chunk the core spools (`origin_name`: its origin's node name).
  static SearchDoc ForChunk(const ChunkId& id, const ChunkHeader& h,
                            const std::string& origin_name);
  // The notes of a result: "processor <p> anomalies <n>", plus " alarm" when n > 0.
  static std::string ResultNotes(const std::string& processor, int64_t anomalies);

 private:
  Status CheckSyntax(const std::string& match);

  Database& db_;
  std::unique_ptr<Statement> ins_row_, ins_fts_, find_;
  std::unique_ptr<Database> probe_db_;  // the empty FTS5 table queries are tried on first
  std::unique_ptr<Statement> probe_;
};

}  // namespace tern::core
