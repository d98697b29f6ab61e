// Config parsing and validation.
#include "tern/common/config.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

namespace tern {
namespace {
std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

Result<int64_t> ParseIntWithSuffix(const std::string& text,
                                   const std::map<std::string, int64_t>& units, const char* what) {
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
    return Status::InvalidArgument(std::string("unknown unit '") + unit + "' in " + what + " '" +
                                   text + "'");
  }
  int64_t out = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(v), it->second, &out)) {
    return Status::InvalidArgument(std::string(what) + " '" + text + "' is out of range");
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

const char* TypeName(ConfigType t) {
  switch (t) {
    case ConfigType::kString:
      return "string";
    case ConfigType::kInt:
      return "integer";
    case ConfigType::kDouble:
      return "number";
    case ConfigType::kBool:
      return "true/false";
    case ConfigType::kBytes:
      return "byte size";
    case ConfigType::kDurationMs:
      return "duration";
  }
  return "?";
}
}  // namespace

namespace {
// Levenshtein distance of a and b if it is at most `limit`, else limit + 1. Only the band of
// cells within `limit` of the diagonal can stay within it, and once a whole row is over it the
// rest is too: O(length x limit) work, so a long or hostile key costs little.
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t limit) {
  const size_t over = limit + 1;
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return over;
  std::vector<size_t> prev(b.size() + 2, over), cur(b.size() + 2, over);
  for (size_t j = 0; j <= std::min(b.size(), limit); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    const size_t lo = i > limit ? i - limit : 1;
    const size_t hi = std::min(b.size(), i + limit);
    cur[0] = i <= limit ? i : over;
    cur[lo - 1] = lo == 1 ? cur[0] : over;
    size_t row_min = cur[lo - 1];
    for (size_t j = lo; j <= hi; ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub, over});
      row_min = std::min(row_min, cur[j]);
    }
    cur[hi + 1] = over;
    if (row_min > limit) return over;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], over);
}
}  // namespace

std::string ClosestKey(const ConfigSchema& schema, std::string_view key) {
  // Close enough to be a typo: a third of the key's length, at least 2 edits, at most 4.
  const size_t limit = std::clamp<size_t>(key.size() / 3, 2, 4);
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& k : schema.keys) {
    const size_t d = BoundedEditDistance(key, k.name, limit);
    if (d < best_d) {
      best_d = d;
      best = k.name;
    }
  }
  return best;
}

Result<int64_t> ParseBytes(const std::string& text) {
  static const std::map<std::string, int64_t> kUnits = {{"", 1},
                                                        {"B", 1},
                                                        {"K", 1024},
                                                        {"KiB", 1024},
                                                        {"M", 1 << 20},
                                                        {"MiB", 1 << 20},
                                                        {"G", int64_t{1} << 30},
                                                        {"GiB", int64_t{1} << 30}};
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
    const std::string near = ClosestKey(*schema_, key);
    return Status::InvalidArgument(origin + ": unknown config key '" + key + "'" +
                                   (near.empty() ? "" : " (did you mean '" + near + "'?)"));
  }
  values_[key] = Value{value, origin};
  return Status::Ok();
}

namespace {
// For a cross-key check's `message`: "<origin>, <origin>: " of the keys it names that were
// given (file:line or command line), in the order the message names them; "" if none was.
std::string WhereGiven(const Config& c, const ConfigSchema& schema, const std::string& message) {
  // A key counts when its name stands alone in the message (not inside a longer name);
  // `'sched.*'` stands for every key under sched. Keys at their defaults were not given
  // anywhere, so they have no place to point at.
  auto is_name_char = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.';
  };
  std::vector<std::pair<size_t, std::string>> found;  // (position in message, origin)
  for (const auto& k : schema.keys) {
    const std::string& origin = c.Origin(k.name);
    if (origin == "default") continue;
    size_t at = std::string::npos;
    for (size_t p = message.find(k.name); p != std::string::npos; p = message.find(k.name, p + 1)) {
      const size_t e = p + k.name.size();
      if ((p == 0 || !is_name_char(message[p - 1])) &&
          (e == message.size() || !is_name_char(message[e]) ||
           (message[e] == '.' && (e + 1 == message.size() || !is_name_char(message[e + 1]))))) {
        at = p;
        break;
      }
    }
    const size_t dot = k.name.find('.');
    if (at == std::string::npos && dot != std::string::npos) {
      at = message.find("'" + k.name.substr(0, dot + 1) + "*'");
    }
    if (at != std::string::npos) found.emplace_back(at, origin);
  }
  std::stable_sort(found.begin(), found.end());
  std::string out;
  std::set<std::string> seen;  // one line, one mention
  for (const auto& f : found) {
    if (seen.insert(f.second).second) out += f.second + ", ";
  }
  if (out.empty()) return out;
  out.resize(out.size() - 2);
  return out + ": ";
}
}  // namespace

Status Config::Validate(std::vector<std::string>* errors) const {
  auto& self = const_cast<Config&>(*this);
  const size_t before = errors->size();
  for (const auto& k : schema_->keys) {
    const Value& v = values_.at(k.name);
    // Each bad key is noted and the next one checked: one run names them all.
    auto bad = [&](const std::string& why) {
      errors->push_back(v.origin + ": config key '" + k.name + "': " + why);
    };
    double num = 0;
    // A number, duration, size or flag is plain printable text: a control byte inside it
    // (a stray carriage return between number and unit, say) is a typo, not a separator.
    if (k.type != ConfigType::kString && std::any_of(v.text.begin(), v.text.end(), [](char ch) {
          const auto b = static_cast<unsigned char>(ch);
          return b < 0x20 || b >= 0x7F;
        })) {
      bad("'" + v.text + "' holds a control or non-ASCII byte");
      continue;
    }
    switch (k.type) {
      case ConfigType::kString:
        if (!k.choices.empty()) {
          bool found = false;
          std::string all;
          for (const auto& c : k.choices) {
            found = found || c == v.text;
            all += (all.empty() ? "" : ", ") + c;
          }
          if (!found) bad("'" + v.text + "' is not one of " + all);
        }
        continue;
      case ConfigType::kBool:
        if (v.text != "true" && v.text != "false") {
          bad("expected true or false, got '" + v.text + "'");
          continue;
        }
        self.ints_[k.name] = v.text == "true";
        continue;
      case ConfigType::kInt:
      case ConfigType::kBytes:
      case ConfigType::kDurationMs: {
        Result<int64_t> r = k.type == ConfigType::kBytes ? ParseBytes(v.text)
                            : k.type == ConfigType::kDurationMs
                                ? ParseDurationMs(v.text)
                                : ParseIntWithSuffix(v.text, {{"", 1}}, "an integer");
        if (!r.ok()) {
          bad(r.status().message());
          continue;
        }
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
          bad("expected a number, got '" + v.text + "'");
          continue;
        }
        self.doubles_[k.name] = num;
        break;
      }
    }
    if (num < k.min || num > k.max) {
      std::ostringstream os;
      os << v.text << " is outside " << k.min << ".." << k.max;
      bad(os.str());
    }
  }
  // The cross-key checks read typed values, so they run only when every value parsed; each
  // check's error is noted and the next one runs.
  if (errors->size() != before) return Status::InvalidArgument("config");
  for (const auto& check : schema_->checks) {
    if (Status st = check(*this); !st.ok())
      errors->push_back(WhereGiven(*this, *schema_, st.message()) + st.message());
  }
  return errors->size() == before ? Status::Ok() : Status::InvalidArgument("config");
}

Result<Config> Config::Load(const ConfigSchema& schema, const std::string& file,
                            const std::vector<std::string>& overrides) {
  std::string text;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::NotFound("cannot read config file " + file);
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
  std::vector<std::string> errors;  // every problem, in file order, then the command line's
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
      errors.push_back(where + ": expected 'key = value'");
      continue;
    }
    if (Status st = c.Set(Trim(t.substr(0, eq)), Trim(t.substr(eq + 1)), where); !st.ok()) {
      errors.push_back(st.message());
    }
  }
  for (const auto& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) {
      errors.push_back("command line: --set '" + o + "' is not key=value");
      continue;
    }
    if (Status st = c.Set(Trim(o.substr(0, eq)), Trim(o.substr(eq + 1)), "command line");
        !st.ok()) {
      errors.push_back(st.message());
    }
  }
  (void)c.Validate(&errors);
  if (!errors.empty()) return Status::InvalidArgument(JoinLines(errors));
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
     << "# Precedence: built-in defaults < this file < --set key=value on the command line.\n"
     << "# One 'key = value' per line; '#' starts a comment. Byte sizes take an optional unit\n"
     << "# (B, K or KiB, M or MiB, G or GiB), durations a unit (ms, s, m, h), spaces allowed\n"
     << "# before it. Integers read as in C: 0x... is hex, a leading 0 octal. All errors are "
        "reported at once.\n";
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
