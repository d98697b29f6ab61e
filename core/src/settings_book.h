// The per-edge settings the operator sets with `ternctl edge set` (priority, weight,
// permitted kinds, byte rate): cached from core.db, re-read whenever the settings version in
// core.db moves, and announced to each edge whose settings changed (`down/<name>` type
// `settings`). Returns what changed; the caller applies weights to the scheduler and
// publishes the announcements after the commit.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "batch.h"
#include "membership.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/core/manifest.h"

namespace tern::core {

// The wire form of an edge's settings (the same JSON as EdgeSettings::ToJson()).
msg::SettingsBody ToSettingsBody(const EdgeSettings& e);

class SettingsBook {
 public:
  // `db` and `m` outlive the book; `m` counts settings_sent.
  SettingsBook(Manifest* db, Topics topics, Metrics* m)
      : db_(db), topics_(std::move(topics)), m_(m) {}

  // The settings of node `name` as last read (defaults if never read or never set).
  const EdgeSettings& Of(const std::string& name);
  // Reads node `name`'s settings from core.db into the cache.
  [[nodiscard]] Result<EdgeSettings> Load(const std::string& name);

  struct Update {
    std::vector<std::pair<uint32_t, int>> weights;  // every member read: addr -> weight
    std::vector<Outgoing> announcements;            // `settings` to each edge that changed
  };
  // If the settings version in core.db differs from the last one seen (always on the first
  // call), re-reads every member's settings. With `announce`, an edge whose settings changed
  // gets them in an announcement.
  Update Reload(const Membership& members, bool announce);

 private:
  Manifest* db_;
  Topics topics_;
  Metrics* m_;
  int64_t version_ = -1;
  std::map<std::string, EdgeSettings> by_name_;
};

}  // namespace tern::core
