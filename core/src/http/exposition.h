// The Prometheus text format 0.0.4 being written: families sorted by name, each with its
// HELP and TYPE lines and its samples in the order they were added. The renderers of
// /metrics (render.cpp, metrics_nodes.cpp, metrics_core.cpp) add to one Exposition.
// Thread-safety: not thread-safe; one per request.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tern::core::http {

// A metric name part reduced to [a-zA-Z0-9_] (other characters become '_'; a leading digit
// gets a '_' prefix).
std::string PromName(std::string_view s);

// A label value escaped for the text format (backslash, double quote, newline).
std::string PromLabel(std::string_view s);

// A JSON number or boolean as a sample value ("1"/"0" for booleans, "NaN", "+Inf").
std::string FormatValue(const nlohmann::json& v);

// `{k1="v1",k2="v2"}` from label pairs (values escaped); "" for none.
std::string Labels(const std::vector<std::pair<std::string, std::string>>& labels);

class Exposition {
 public:
  // A sample of family `family` (type and help taken from its first sample) named
  // family + `suffix` (e.g. "_bucket" for a histogram). Values that are not numbers or
  // booleans are skipped; a second sample with the same name and labels is dropped (the
  // first wins).
  void Add(const std::string& family, const char* type, const std::string& help,
           const std::string& labels, const nlohmann::json& value, const std::string& suffix = "");
  // True if the family has at least one sample.
  bool Has(const std::string& family) const { return families_.count(family) != 0; }
  std::string Text() const;

 private:
  struct Family {
    std::string type;
    std::string help;
    std::vector<std::string> lines;  // "name{labels} value"
    std::set<std::string> seen;      // name+labels already emitted
  };
  std::map<std::string, Family> families_;
};

}  // namespace tern::core::http
