// Quarantine: corrupt copies out of service, logged and reported to the core.
#include "quarantine.h"

#include <spdlog/spdlog.h>

#include "tern/common/bytes.h"
#include "tern/common/store_messages.h"

namespace tern::edge {

void Quarantine::Condemn(const ChunkId& id, const std::string& found_by) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!pending_.insert(id).second) return;
  }
  m_->Add("corrupt_found");
  spdlog::error(
      "{}: chunk {} in store {} is corrupt (found by {}): its bytes do not hash to its id; "
      "moved to quarantine and reported to the core",
      who_, ToHex(id), store_->path(), found_by);
  StoreWrite w{StoreWrite::Kind::kQuarantine};
  w.id = id;
  w.value = found_by;
  store_->Submit(std::move(w), [this, id, found_by](const Status& s) {
    if (!s.ok()) {
      // The row stays, but nothing serves it unverified: every get and copy hashes first.
      m_->Add("quarantine_errors");
      spdlog::error("{}: moving corrupt chunk {} to quarantine in {} failed: {}", who_,
                    ToHex(id).substr(0, 16), store_->path(), s.ToString());
    }
    loop_->Post([this, id, found_by] {
      publisher_->Deliver(topics_.Stored(name_), msg::Corrupt{id, self_, found_by}.Encode());
      m_->Add("corrupt_reported");
      std::lock_guard<std::mutex> lk(mu_);
      pending_.erase(id);
    });
  });
}

}  // namespace tern::edge
