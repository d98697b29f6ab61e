// Fuzz target "config": the config parser and validator (Config::Parse, common/config.h)
// with the edge's real schema (edge/src/options.cpp: every value type, ranges, choices and
// the cross-key check), then EdgeOptionsFrom as tern-edge runs it on an accepted config.
// Input: the config file's text; after a 0xFF byte, one --set override per line.
//
// Invariants of an accepted config:
// - a numeric key's text is printable ASCII (no byte the number parser skips or stops at,
//   such as a NUL that would hide what follows it);
// - every numeric key's typed value agrees with its text: an integer with a unit suffix
//   (bytes, durations) has the sign of its number and at least its magnitude (no overflow
//   wrapped it), a plain integer is its number;
// - every value is within its key's range and among its choices;
// - feeding every effective value back as overrides gives the same values (the parser keeps
//   what it accepted and accepts what it kept).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tern/common/config.h"
#include "tern/edge/options.h"

namespace {

using tern::Config;
using tern::ConfigKey;
using tern::ConfigType;

// The number in front of the unit, as strtoll reads it (what the config parser uses).
bool LeadingNumber(const std::string& text, long long* out) {
  errno = 0;
  char* end = nullptr;
  *out = std::strtoll(text.c_str(), &end, 0);
  return end != text.c_str() && errno == 0;
}

unsigned long long Magnitude(long long v) {
  return v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
}

void CheckKey(const Config& c, const ConfigKey& k) {
  const std::string& text = c.String(k.name);
  if (k.type != ConfigType::kString) {
    for (char ch : text) {
      const auto b = static_cast<unsigned char>(ch);
      TERN_FUZZ_CHECK(b >= 0x20 && b < 0x7F, k.name.c_str());
    }
  }
  double num = 0;
  switch (k.type) {
    case ConfigType::kString:
      if (!k.choices.empty()) {
        bool found = false;
        for (const auto& choice : k.choices) found = found || choice == text;
        TERN_FUZZ_CHECK(found, k.name.c_str());
      }
      return;
    case ConfigType::kBool:
      TERN_FUZZ_CHECK(text == "true" || text == "false", k.name.c_str());
      TERN_FUZZ_CHECK(c.Bool(k.name) == (text == "true"), k.name.c_str());
      return;
    case ConfigType::kDouble:
      num = c.Double(k.name);
      break;
    case ConfigType::kInt:
    case ConfigType::kBytes:
    case ConfigType::kDurationMs: {
      const int64_t v = c.Int(k.name);
      long long n = 0;
      TERN_FUZZ_CHECK(LeadingNumber(text, &n), k.name.c_str());
      if (k.type == ConfigType::kInt) {
        TERN_FUZZ_CHECK(v == n, k.name.c_str());
      } else {
        TERN_FUZZ_CHECK((v < 0) == (n < 0) && (v == 0) == (n == 0), k.name.c_str());
        TERN_FUZZ_CHECK(Magnitude(v) >= Magnitude(n), k.name.c_str());
      }
      num = static_cast<double>(v);
      break;
    }
  }
  TERN_FUZZ_CHECK(num >= k.min && num <= k.max, k.name.c_str());
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\xff');
  std::string_view file = input.substr(0, split);
  std::vector<std::string> overrides;
  if (split != std::string_view::npos) overrides = Lines(input.substr(split + 1));

  const tern::ConfigSchema& schema = tern::edge::EdgeConfigSchema();
  auto c = Config::Parse(schema, file, "fuzz.conf", overrides);
  if (!c.ok()) return 0;
  for (const auto& k : schema.keys) CheckKey(*c, k);
  (void)tern::edge::EdgeOptionsFrom(*c);

  std::vector<std::string> again;
  for (const auto& k : schema.keys) again.push_back(k.name + "=" + c->String(k.name));
  auto c2 = Config::Parse(schema, "", "", again);
  TERN_FUZZ_CHECK(c2.ok(), "the effective values are accepted again");
  for (const auto& k : schema.keys) {
    TERN_FUZZ_CHECK(c2->String(k.name) == c->String(k.name), k.name.c_str());
  }
  return 0;
}
