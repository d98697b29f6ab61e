// Exposition: see exposition.h.
#include "exposition.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace tern::core::http {

std::string PromName(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 1);
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) out += '_';
  for (char c : s) {
    out += (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80) ||
                   c == '_'
               ? c
               : '_';
  }
  return out;
}

std::string PromLabel(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// HELP text escapes only backslash and newline.
std::string EscapeHelp(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string FormatValue(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  double d = v.get<double>();
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, p) : "NaN";
}

std::string Labels(const std::vector<std::pair<std::string, std::string>>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += k + "=\"" + PromLabel(v) + "\"";
  }
  return out + "}";
}

void Exposition::Add(const std::string& family, const char* type, const std::string& help,
                     const std::string& labels, const nlohmann::json& value,
                     const std::string& suffix) {
  if (!value.is_number() && !value.is_boolean()) return;
  Family& f = families_[family];
  if (f.type.empty()) {
    f.type = type;
    f.help = help;
  }
  const std::string name = family + suffix;
  if (!f.seen.insert(name + labels).second) return;
  f.lines.push_back(name + labels + " " + FormatValue(value));
}

std::string Exposition::Text() const {
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + EscapeHelp(f.help) + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& l : f.lines) out += l + "\n";
  }
  return out;
}

}  // namespace tern::core::http
