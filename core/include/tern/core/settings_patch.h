// A change to one edge's settings as an operator states it: from `ternctl edge set` flags or
// from the body of the HTTP API's `PUT /api/v1/edges/{name}/settings`. Both go through
// ApplySettingsPatch, so a value is read and checked the same way whichever way it came.
//
// The settings (as `ternctl edge set` names them):
//   priority  keep | alarm | high | normal | bulk   class override for the scheduler
//   weight    1..1000                               share within its class
//   kinds     e.g. "samples,event", or "none"       permitted data kinds
//   rate      byte-rate limit, e.g. "2M"; 0 = none  (JSON: a string or a number of bytes/s)
//   protocol  protocol version
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tern/common/status.h"
#include "tern/core/manifest.h"

namespace tern::core {

struct SettingsPatch {
  std::optional<std::string> priority;
  std::optional<int64_t> weight;
  std::optional<std::string> kinds;
  std::optional<std::string> rate;
  std::optional<int64_t> protocol;
};

// `base` with the patch applied, validated (EdgeSettings::Validate). InvalidArgument names
// the setting: "setting 'priority': 'urgent' is not keep, alarm, high, normal or bulk".
[[nodiscard]] Result<EdgeSettings> ApplySettingsPatch(EdgeSettings base, const SettingsPatch& p);

// A patch from a JSON object with (some of) the keys above: priority and kinds as strings
// (kinds also as an array of strings), weight and protocol as integers, rate as a string or
// an integer. Anything else (not an object, an unknown key, a wrong type) is InvalidArgument
// naming the key.
[[nodiscard]] Result<SettingsPatch> SettingsPatchFromJson(const nlohmann::json& body);
// The same from JSON text (an HTTP request body); empty or not JSON: InvalidArgument
// naming "body".
[[nodiscard]] Result<SettingsPatch> SettingsPatchFromText(std::string_view text);

}  // namespace tern::core
