// Per-edge settings in core.db (`edge_settings` table) and the settings version the running
// core polls (`settings_meta`), so `ternctl edge set` takes effect without a restart.
//
// SettingsStore is one of the store classes Manifest owns (see manifest.h); it runs every
// statement on those two tables. Statements are prepared on first use, so a read-only handle
// on a core.db from before settings (schema v1) works until a settings method is called.
// EdgeSettings is still declared in manifest.h, hence the include.
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tern/common/sqlite.h"
#include "tern/common/status.h"
#include "tern/core/manifest.h"

namespace tern::core {

// An edge's stored settings row.
struct StoredEdgeSettings {
  EdgeSettings settings;
  int64_t updated_ms = 0;  // wall clock of the last PutSettings
};

class SettingsStore {
 public:
  // A store over `db`, which must outlive it. `now_ms` stamps updated_ms. Prepares nothing
  // yet (see above), so it cannot fail.
  SettingsStore(Database& db, std::function<int64_t()> now_ms)
      : db_(db), now_ms_(std::move(now_ms)) {}

  // The settings of edge `name`: its row, or the defaults (EdgeSettings{} named `name`).
  [[nodiscard]] Result<EdgeSettings> Get(const std::string& name);
  // Every stored row (edges never configured have none), by name.
  [[nodiscard]] Result<std::vector<StoredEdgeSettings>> List();
  // Validates `e` (InvalidArgument naming the edge and the setting), stores it and bumps the
  // settings version. Writes; run it inside the caller's transaction if it must be atomic
  // with other writes.
  [[nodiscard]] Status Put(const EdgeSettings& e);
  // The settings version: how many Puts there have been.
  [[nodiscard]] Result<int64_t> Version();

  SettingsStore(const SettingsStore&) = delete;
  SettingsStore& operator=(const SettingsStore&) = delete;

 private:
  Database& db_;
  std::function<int64_t()> now_ms_;
  std::unique_ptr<Statement> get_, list_, put_, bump_, version_;
};

}  // namespace tern::core
