// ApplySettingsPatch and SettingsPatchFromJson: see tern/core/settings_patch.h. Used by
// `ternctl edge set` and by the HTTP API's settings PUT, so both accept the same values.
#include "tern/core/settings_patch.h"

#include <limits>

#include "tern/common/config.h"

namespace tern::core {
namespace {

Status Bad(const std::string& key, const std::string& why) {
  return Status::InvalidArgument("setting '" + key + "': " + why);
}

// An int setting: int64 from the caller, range-checked before it is narrowed.
Result<int> NarrowInt(const std::string& key, int64_t v) {
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return Bad(key, std::to_string(v) + " is out of range");
  }
  return static_cast<int>(v);
}

}  // namespace

Result<EdgeSettings> ApplySettingsPatch(EdgeSettings e, const SettingsPatch& p) {
  if (p.priority) {
    static const char* kNames[] = {"alarm", "high", "normal", "bulk"};
    int prio = -2;
    if (*p.priority == "keep") prio = -1;
    for (int i = 0; i < 4; ++i) {
      if (*p.priority == kNames[i]) prio = i;
    }
    if (prio == -2) {
      return Bad("priority", "'" + *p.priority + "' is not keep, alarm, high, normal or bulk");
    }
    e.priority = prio;
  }
  if (p.weight) {
    TERN_ASSIGN_OR_RETURN(e.weight, NarrowInt("weight", *p.weight));
  }
  if (p.kinds) e.kinds = *p.kinds == "none" ? "" : *p.kinds;
  if (p.rate) {
    auto r = ParseBytes(*p.rate);
    if (!r.ok()) return Bad("rate", r.status().message());
    e.max_bytes_per_s = *r;
  }
  if (p.protocol) {
    TERN_ASSIGN_OR_RETURN(e.protocol, NarrowInt("protocol", *p.protocol));
  }
  TERN_RETURN_IF_ERROR(e.Validate());
  return e;
}

Result<SettingsPatch> SettingsPatchFromJson(const nlohmann::json& body) {
  if (!body.is_object()) {
    return Status::InvalidArgument(
        "body: not a JSON object of settings (priority, weight, kinds, rate, protocol)");
  }
  SettingsPatch p;
  for (const auto& [key, v] : body.items()) {
    if (key == "priority") {
      if (!v.is_string()) return Bad(key, "must be a string");
      p.priority = v.get<std::string>();
    } else if (key == "weight" || key == "protocol") {
      if (!v.is_number_integer()) return Bad(key, "must be an integer");
      if (v.is_number_unsigned() && v.get<uint64_t>() > std::numeric_limits<int64_t>::max()) {
        return Bad(key, "is out of range");
      }
      (key == "weight" ? p.weight : p.protocol) = v.get<int64_t>();
    } else if (key == "kinds") {
      if (v.is_string()) {
        p.kinds = v.get<std::string>();
      } else if (v.is_array()) {
        std::string joined;
        for (const auto& k : v) {
          if (!k.is_string()) return Bad(key, "must be a string or an array of strings");
          std::string s = k.get<std::string>();
          // A comma inside an element would smuggle in a second kind past the array's shape.
          if (s.empty() || s.find(',') != std::string::npos) {
            return Bad(key, "'" + s + "' is not a kind");
          }
          joined += (joined.empty() ? "" : ",") + s;
        }
        p.kinds = joined.empty() ? "none" : joined;
      } else {
        return Bad(key, "must be a string or an array of strings");
      }
    } else if (key == "rate") {
      if (v.is_string()) {
        p.rate = v.get<std::string>();
      } else if (v.is_number_integer()) {
        p.rate = v.dump();  // "-5" is refused by ParseBytes or Validate, naming rate
      } else {
        return Bad(key, "must be a string such as \"2M\" or an integer (bytes/s)");
      }
    } else {
      return Status::InvalidArgument("setting '" + key +
                                     "': unknown (priority, weight, kinds, rate, protocol)");
    }
  }
  return p;
}

Result<SettingsPatch> SettingsPatchFromText(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("body: empty; send a JSON object of settings");
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("body: not valid JSON");
  return SettingsPatchFromJson(j);
}

}  // namespace tern::core
