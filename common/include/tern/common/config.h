// Layered configuration: defaults, then a file, then command-line overrides, then one
// validation pass that names every bad key at once, each with the file and line (or
// "command line") it came from; an unknown key gets the closest known key as a suggestion.
//
// A program declares a ConfigSchema: every key with its type, default, range and a line of
// documentation. The same schema prints the shipped example config, so the example can never
// miss a key. File syntax: `key = value` lines, `#` comments, blank lines; keys are dotted
// (`mqtt.port`). Byte sizes accept K/M/G suffixes (powers of 1024); durations take ms/s/m.
// Thread-safety: a Config is immutable after Load and may be read from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/status.h"

namespace tern {

enum class ConfigType { kString, kInt, kDouble, kBool, kBytes, kDurationMs };

struct ConfigKey {
  std::string name;
  ConfigType type = ConfigType::kString;
  std::string default_value;
  std::string doc;
  double min = -1e300;  // numeric bounds, inclusive
  double max = 1e300;
  std::vector<std::string> choices;  // for strings: allowed values, empty = any
};

class Config;
using ConfigCheck = std::function<Status(const Config&)>;

struct ConfigSchema {
  std::string program;  // e.g. "tern-edge"
  std::vector<ConfigKey> keys;
  std::vector<ConfigCheck> checks;  // cross-key checks run after per-key validation
};

class Config {
 public:
  // Applies defaults, then `file` (if non-empty), then `overrides` ("key=value"), then
  // validation. Errors: unknown key (with "did you mean"), unparsable value, out of range,
  // a failed cross-key check — all of them, one a line ("<where>: ..."), in one Status.
  // Messages carry no program name: the caller prefixes each line with its own.
  static Result<Config> Load(const ConfigSchema& schema, const std::string& file,
                             const std::vector<std::string>& overrides);
  // The same with the file's text given; `name` stands for the file in messages
  // ("<name>:<line>"). Load reads the file and goes through here.
  static Result<Config> Parse(const ConfigSchema& schema, std::string_view text,
                              const std::string& name, const std::vector<std::string>& overrides);

  // Typed getters; the key must be in the schema (a programming error otherwise).
  const std::string& String(const std::string& key) const;
  int64_t Int(const std::string& key) const;  // also kBytes and kDurationMs
  double Double(const std::string& key) const;
  bool Bool(const std::string& key) const;
  // Where the key's value came from: "default", "<file>:<line>" or "command line" (a check
  // that forbids two keys together needs to know which were given).
  const std::string& Origin(const std::string& key) const;

  // The example config text: every key, its doc and default, commented where optional.
  static std::string Example(const ConfigSchema& schema);

  // Every key with its effective value and origin ("default", "file:line", "command line").
  std::string Dump() const;

 private:
  struct Value {
    std::string text;
    std::string origin;
  };
  const ConfigKey* Find(const std::string& key) const;
  Status Set(const std::string& key, const std::string& value, const std::string& origin);
  // Appends every problem to `errors`; not OK if it appended any.
  Status Validate(std::vector<std::string>* errors) const;
  const ConfigSchema* schema_ = nullptr;
  std::map<std::string, Value> values_;
  std::map<std::string, int64_t> ints_;
  std::map<std::string, double> doubles_;
};

// The schema key nearest to `key` by edit distance if close enough to be a typo, else "".
std::string ClosestKey(const ConfigSchema& schema, std::string_view key);

// Parses "64M", "1G", "512" into bytes; "250ms", "5s", "2m" into milliseconds.
Result<int64_t> ParseBytes(const std::string& text);
Result<int64_t> ParseDurationMs(const std::string& text);

}  // namespace tern
