// SearchIndex: see search_index.h.
#include "tern/core/search_index.h"

#include "store_util.h"
#include "tern/common/tags.h"

namespace tern::core {
namespace {

// The FTS5 columns, in core.db (Manifest::Schema v10) and in the probe table alike.
#define TERN_SEARCH_COLS "source, origin, kind, priority, tags, notes"
constexpr const char* kProbeSchema =
    "CREATE VIRTUAL TABLE probe USING fts5(" TERN_SEARCH_COLS ", tokenize = 'unicode61')";
constexpr const char* kProbeSql = "SELECT 1 FROM probe WHERE probe MATCH ?";

}  // namespace

SearchIndex::~SearchIndex() = default;

Status SearchIndex::CheckSyntax(const std::string& match) {
  if (!probe_db_) {
    Database::Options o;
    o.durable = false;
    o.cache_kib = 64;
    TERN_ASSIGN_OR_RETURN(probe_db_, Database::Open(":memory:", o));
    TERN_RETURN_IF_ERROR(probe_db_->Exec(kProbeSchema));
  }
  TERN_ASSIGN_OR_RETURN(Statement * p, PrepareOnce(*probe_db_, probe_, kProbeSql));
  ResetGuard g(p);
  p->BindText(1, match);
  auto r = p->Step();
  if (r.ok()) return Status::Ok();
  // The wrapper's message is "sqlite <path>: <sql>: <SQLite's message>"; keep the last part.
  std::string why = r.status().message();
  const size_t at = why.rfind(kProbeSql);
  if (at != std::string::npos) why = why.substr(at + std::string_view(kProbeSql).size() + 2);
  return Status::InvalidArgument("q: " + why);
}

Status SearchIndex::Add(const SearchDoc& d) {
  TERN_ASSIGN_OR_RETURN(
      Statement * row,
      PrepareOnce(db_, ins_row_,
                  "INSERT OR IGNORE INTO search_rows(id, t_first, t_last) VALUES(?, ?, ?)"));
  TERN_RETURN_IF_ERROR(
      row->BindBlob(1, d.id).Bind(2, store::Int(d.t_first)).Bind(3, store::Int(d.t_last)).Run());
  if (db_.Changes() == 0) return Status::Ok();  // indexed before
  const int64_t doc = db_.LastInsertRowid();
  TERN_ASSIGN_OR_RETURN(
      Statement * fts,
      PrepareOnce(db_, ins_fts_,
                  "INSERT INTO search_fts(rowid, " TERN_SEARCH_COLS ") VALUES(?,?,?,?,?,?,?)"));
  return fts->Bind(1, doc)
      .BindText(2, d.source)
      .BindText(3, d.origin)
      .BindText(4, d.kind)
      .BindText(5, d.priority)
      .BindText(6, d.tags)
      .BindText(7, d.notes)
      .Run();
}

Result<std::vector<SearchDoc>> SearchIndex::Find(const SearchQuery& q) {
  if (q.match.empty()) return Status::InvalidArgument("q: is empty (give words to search for)");
  TERN_RETURN_IF_ERROR(CheckSyntax(q.match));
  TERN_ASSIGN_OR_RETURN(
      Statement * f,
      PrepareOnce(db_, find_,
                  "SELECT r.id, " TERN_SEARCH_COLS ", r.t_first, r.t_last FROM search_fts"
                  " JOIN search_rows r ON r.doc = search_fts.rowid"
                  " WHERE search_fts MATCH ?1 AND r.t_last >= ?2 AND r.t_first <= ?3"
                  " ORDER BY r.t_last DESC, r.doc DESC LIMIT ?4"));
  ResetGuard g(f);
  f->BindText(1, q.match).Bind(2, store::Int(q.from)).Bind(3, store::Int(q.to)).Bind(4, q.limit);
  std::vector<SearchDoc> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, f->Step());
    if (!row) break;
    SearchDoc d;
    d.id = std::string(f->Blob(0));
    d.source = std::string(f->Text(1));
    d.origin = std::string(f->Text(2));
    d.kind = std::string(f->Text(3));
    d.priority = std::string(f->Text(4));
    d.tags = std::string(f->Text(5));
    d.notes = std::string(f->Text(6));
    d.t_first = static_cast<uint64_t>(f->Int(7));
    d.t_last = static_cast<uint64_t>(f->Int(8));
    out.push_back(std::move(d));
  }
  return out;
}

SearchDoc SearchIndex::ForChunk(const ChunkId& id, const ChunkHeader& h,
                                const std::string& origin_name) {
  SearchDoc d;
  d.id = id;
  d.source = h.source;
  d.origin = origin_name;
  d.kind = KindName(h.kind);
  d.priority = PriorityName(h.priority);
  d.tags = JoinTags(h.tags);
  d.t_first = h.t_first;
  d.t_last = h.t_last;
  return d;
}

std::string SearchIndex::ResultNotes(const std::string& processor, int64_t anomalies) {
  std::string n = "processor " + processor + " anomalies " + std::to_string(anomalies);
  if (anomalies > 0) n += " alarm";
  return n;
}

}  // namespace tern::core
