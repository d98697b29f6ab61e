// The core's statement bookkeeping in core.db: its own sequence-number reservation (the
// SeqStore behind the SeqCounter that numbers everything the core publishes) and, per sender,
// the replay window and the number its Last Will was sealed with (`senders` and
// `statement_meta` tables). One of the store classes Manifest owns (see manifest.h); it runs
// every statement on those two tables and nothing else does.
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tern/common/sqlite.h"
#include "tern/common/statements.h"
#include "tern/common/status.h"

namespace tern::core {

class StatementStore : public SeqStore {
 public:
  // Prepares nothing yet (statements on first use); `db` outlives the store and has the
  // tables (Manifest::Schema()).
  explicit StatementStore(Database& db) : db_(db) {}

  // SeqStore: the core's reservation. SaveReservation runs in the caller's transaction if one
  // is open, else commits at once.
  [[nodiscard]] Result<uint64_t> LoadReservation() override;
  [[nodiscard]] Status SaveReservation(uint64_t reserved) override;

  struct Sender {
    std::string name;
    std::string window;  // ReplayWindow::Save()
    uint64_t will_seq = 0;
  };
  // Every sender's persisted state.
  [[nodiscard]] Result<std::vector<Sender>> Senders();
  // Writes (replaces) one sender's state; inside the caller's transaction.
  [[nodiscard]] Status PutSender(const Sender& s);

  StatementStore(const StatementStore&) = delete;
  StatementStore& operator=(const StatementStore&) = delete;

 private:
  Database& db_;
  std::unique_ptr<Statement> get_res_, put_res_, all_, put_;
};

}  // namespace tern::core
