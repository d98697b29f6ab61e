// StatementStore: the `senders` and `statement_meta` tables of core.db.
#include "tern/core/statement_store.h"

#include "store_util.h"

namespace tern::core {

Result<uint64_t> StatementStore::LoadReservation() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, get_res_, "SELECT value FROM statement_meta WHERE key = 'seq_reserved'"));
  ResetGuard g(q);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? static_cast<uint64_t>(q->Int(0)) : uint64_t{0};
}

Status StatementStore::SaveReservation(uint64_t reserved) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, put_res_,
                                    "INSERT OR REPLACE INTO statement_meta(key, value)"
                                    " VALUES('seq_reserved', ?)"));
  return q->Bind(1, store::Int(reserved)).Run();
}

Result<std::vector<StatementStore::Sender>> StatementStore::Senders() {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, all_, "SELECT name, window, will_seq FROM senders"));
  ResetGuard g(q);
  std::vector<Sender> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(
        {std::string(q->Text(0)), std::string(q->Blob(1)), static_cast<uint64_t>(q->Int(2))});
  }
  return out;
}

Status StatementStore::PutSender(const Sender& s) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, put_,
                                    "INSERT OR REPLACE INTO senders(name, window, will_seq)"
                                    " VALUES(?, ?, ?)"));
  return q->BindText(1, s.name).BindBlob(2, s.window).Bind(3, store::Int(s.will_seq)).Run();
}

}  // namespace tern::core
