// What the core currently permits this edge: its per-edge settings (`ternctl edge set`),
// which arrive in every registration reply and as `settings` messages on down/<name>.
// The edge applies the permitted kinds at the source (Outbox::Admit refuses records of a
// kind the core would refuse) and shows the settings in status.json; the priority, weight
// and byte rate are the core's business and only displayed here.
// Thread-safety: thread-safe (handlers run on the network thread, admission on collectors').
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tern/common/chunk.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/status.h"

namespace tern::edge {

class SettingsState {
 public:
  // `node` is this node's name, for log lines and refusals.
  SettingsState(Metrics* m, std::string node) : m_(m), node_(std::move(node)) {}

  // Takes `s` if it differs from what is held: counts `settings_received` and logs the new
  // settings. Returns true if anything changed (a repeated message changes nothing).
  bool Apply(const msg::SettingsBody& s);
  void OnSettings(const msg::Settings& m) { Apply(m.settings); }

  // OK if records of `kind` may be collected; FailedPrecondition naming the kinds allowed
  // otherwise (collectors count that as a refusal for good, not back-pressure).
  [[nodiscard]] Status Permits(RecordKind kind) const;

  // The settings last received, as the core sent them; {} before any arrived.
  nlohmann::json ToJson() const;

 private:
  Metrics* m_;
  const std::string node_;
  mutable std::mutex mu_;
  std::optional<msg::SettingsBody> settings_;
};

}  // namespace tern::edge
