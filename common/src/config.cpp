// Config parsing and validation.
#include "tern/common/config.h"

#include <cassert>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tern {
namespace {
std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

Result<int64_t> ParseIntWithSuffix(const std::string& text,
                                   const std::map<std::string, int64_t>& units,
                                   const char* what) {
  std::string t = Trim(text);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 0);
  // strtoll skips any leading white space itself; the value must start with the number.
  if (end == t.c_str() || errno == ERANGE || std::isspace(static_cast<unsigned char>(t[0]))) {
    return Status::InvalidArgument(std::string("expected ") + what + ", got '" + text + "'");
  }
  // The unit is everything after the number, a NUL byte included: strtoll stops there, and
  // the rest of the text must not vanish with it.
  std::string unit = Trim(t.substr(static_cast<size_t>(end - t.c_str())));
  auto it = units.find(unit);
  if (it == units.end()) {
    return Status::InvalidArgument(std::string("unknown unit '") + unit + "' in " + what +
                                   " '" + text + "'");
  }
  int64_t out = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(v), it->second, &out)) {
    return Status::InvalidArgument(std::string(what) + " '" + text + "' is out of range");
  }
  return out;
}

const char* TypeName(ConfigType t) {
  switch (t) {
    case ConfigType::kString: return "string";
    case ConfigType::kInt: return "integer";
    case ConfigType::kDouble: return "number";
    case ConfigType::kBool: return "true/false";
    case ConfigType::kBytes: return "byte size";
    case ConfigType::kDurationMs: return "duration";
  }
  return "?";
}
}  // namespace

Result<int64_t> ParseBytes(const std::string& text) {
  static const std::map<std::string, int64_t> kUnits = {
      {"", 1}, {"B", 1}, {"K", 1024}, {"KiB", 1024}, {"M", 1 << 20}, {"MiB", 1 << 20},
      {"G", int64_t{1} << 30}, {"GiB", int64_t{1} << 30}};
  return ParseIntWithSuffix(text, kUnits, "a byte size");
}

Result<int64_t> ParseDurationMs(const std::string& text) {
  static const std::map<std::string, int64_t> kUnits = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  return ParseIntWithSuffix(text, kUnits, "a duration (e.g. 250ms, 5s, 2m)");
}

const ConfigKey* Config::Find(const std::string& key) const {
  for (const auto& k : schema_->keys) {
    if (k.name == key) return &k;
  }
  return nullptr;
}

Status Config::Set(const std::string& key, const std::string& value, const std::string& origin) {
  const ConfigKey* k = Find(key);
  if (!k) {
    return Status::InvalidArgument(schema_->program + ": unknown config key '" + key + "' (" +
                                   origin + ")");
  }
  values_[key] = Value{value, origin};
  return Status::Ok();
}

Status Config::Validate() const {
  auto& self = const_cast<Config&>(*this);
  for (const auto& k : schema_->keys) {
    const Value& v = values_.at(k.name);
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument(schema_->program + ": config key '" + k.name + "' (" +
                                     v.origin + "): " + why);
    };
    double num = 0;
    switch (k.type) {
      case ConfigType::kString:
        if (!k.choices.empty()) {
          bool found = false;
          std::string all;
          for (const auto& c : k.choices) {
            found = found || c == v.text;
            all += (all.empty() ? "" : ", ") + c;
          }
          if (!found) return bad("'" + v.text + "' is not one of " + all);
        }
        continue;
      case ConfigType::kBool:
        if (v.text != "true" && v.text != "false") return bad("expected true or false, got '" +
                                                              v.text + "'");
        self.ints_[k.name] = v.text == "true";
        continue;
      case ConfigType::kInt:
      case ConfigType::kBytes:
      case ConfigType::kDurationMs: {
        Result<int64_t> r = k.type == ConfigType::kBytes     ? ParseBytes(v.text)
                            : k.type == ConfigType::kDurationMs ? ParseDurationMs(v.text)
                            : ParseIntWithSuffix(v.text, {{"", 1}}, "an integer");
        if (!r.ok()) return bad(r.status().message());
        self.ints_[k.name] = *r;
        num = static_cast<double>(*r);
        break;
      }
      case ConfigType::kDouble: {
        char* end = nullptr;
        std::string t = Trim(v.text);
        num = std::strtod(t.c_str(), &end);
        // As for integers: no leading white space, and nothing after the number (a NUL
        // byte would end the C string strtod sees, not the value).
        if (t.empty() || std::isspace(static_cast<unsigned char>(t[0])) ||
            end != t.c_str() + t.size() || !std::isfinite(num)) {
          return bad("expected a number, got '" + v.text + "'");
        }
        self.doubles_[k.name] = num;
        break;
      }
    }
    if (num < k.min || num > k.max) {
      std::ostringstream os;
      os << v.text << " is outside " << k.min << ".." << k.max;
      return bad(os.str());
    }
  }
  for (const auto& check : schema_->checks) {
    TERN_RETURN_IF_ERROR(check(*this));
  }
  return Status::Ok();
}

Result<Config> Config::Load(const ConfigSchema& schema, const std::string& file,
                            const std::vector<std::string>& overrides) {
  std::string text;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::NotFound(schema.program + ": cannot read config file " + file);
    std::ostringstream os;
    os << in.rdbuf();
    text = os.str();
  }
  return Parse(schema, text, file, overrides);
}

Result<Config> Config::Parse(const ConfigSchema& schema, std::string_view text,
                             const std::string& name, const std::vector<std::string>& overrides) {
  Config c;
  c.schema_ = &schema;
  for (const auto& k : schema.keys) c.values_[k.name] = Value{k.default_value, "default"};
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = Trim(line.substr(0, line.find('#')));
    if (t.empty()) continue;
    size_t eq = t.find('=');
    std::string where = name + ":" + std::to_string(n);
    if (eq == std::string::npos) {
      return Status::InvalidArgument(schema.program + ": " + where + ": expected 'key = value'");
    }
    TERN_RETURN_IF_ERROR(c.Set(Trim(t.substr(0, eq)), Trim(t.substr(eq + 1)), where));
  }
  for (const auto& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(schema.program + ": override '" + o +
                                     "' is not key=value");
    }
    TERN_RETURN_IF_ERROR(c.Set(Trim(o.substr(0, eq)), Trim(o.substr(eq + 1)), "command line"));
  }
  TERN_RETURN_IF_ERROR(c.Validate());
  return c;
}

const std::string& Config::String(const std::string& key) const {
  assert(Find(key));
  return values_.at(key).text;
}
int64_t Config::Int(const std::string& key) const { return ints_.at(key); }
double Config::Double(const std::string& key) const { return doubles_.at(key); }
bool Config::Bool(const std::string& key) const { return ints_.at(key) != 0; }
const std::string& Config::Origin(const std::string& key) const {
  assert(Find(key));
  return values_.at(key).origin;
}

std::string Config::Example(const ConfigSchema& schema) {
  std::ostringstream os;
  os << "# " << schema.program << " configuration. Every key, with its default.\n"
     << "# Precedence: built-in defaults < this file < --set key=value on the command line.\n";
  for (const auto& k : schema.keys) {
    os << "\n# " << k.doc << " (" << TypeName(k.type);
    if (!k.choices.empty()) {
      os << ":";
      for (const auto& c : k.choices) os << " " << c;
    }
    os << ")\n" << k.name << " = " << k.default_value << "\n";
  }
  return os.str();
}

std::string Config::Dump() const {
  std::ostringstream os;
  for (const auto& k : schema_->keys) {
    const Value& v = values_.at(k.name);
    os << k.name << " = " << v.text << "    # " << v.origin << "\n";
  }
  return os.str();
}

}  // namespace tern
