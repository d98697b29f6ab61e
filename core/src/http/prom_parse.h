// Test helper: a small parser for the Prometheus text format 0.0.4, strict enough to catch
// malformed output (bad names, unterminated or badly escaped label values, missing values).
// Thread-safety: stateless.
#pragma once

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::core::http::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family -> counter/gauge/...
  std::map<std::string, std::string> helps;
  std::vector<std::string> errors;  // lines that did not parse

  // The value of the sample with this name and exactly these labels.
  std::optional<std::string> Find(const std::string& name,
                                  const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nullopt;
  }
};

inline bool NameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

inline std::optional<Sample> ParseSample(std::string_view l) {
  Sample s;
  size_t i = 0;
  while (i < l.size() && NameChar(l[i], i == 0)) s.name += l[i++];
  if (s.name.empty()) return std::nullopt;
  if (i < l.size() && l[i] == '{') {
    ++i;
    while (i < l.size() && l[i] != '}') {
      std::string key;
      while (i < l.size() && NameChar(l[i], key.empty()) && l[i] != ':') key += l[i++];
      if (key.empty() || i + 1 >= l.size() || l[i] != '=' || l[i + 1] != '"') return std::nullopt;
      i += 2;
      std::string val;
      while (true) {
        if (i >= l.size()) return std::nullopt;
        char c = l[i++];
        if (c == '"') break;
        if (c == '\n') return std::nullopt;
        if (c == '\\') {
          if (i >= l.size()) return std::nullopt;
          char e = l[i++];
          if (e == 'n') {
            val += '\n';
          } else if (e == '\\' || e == '"') {
            val += e;
          } else {
            return std::nullopt;
          }
        } else {
          val += c;
        }
      }
      s.labels[key] = val;
      if (i < l.size() && l[i] == ',') ++i;
    }
    if (i >= l.size()) return std::nullopt;
    ++i;  // '}'
  }
  if (i >= l.size() || l[i] != ' ') return std::nullopt;
  s.value = std::string(l.substr(i + 1));
  if (s.value.empty() || s.value.find(' ') != std::string::npos) return std::nullopt;
  if (s.value != "NaN" && s.value != "+Inf" && s.value != "-Inf") {
    char* end = nullptr;
    std::strtod(s.value.c_str(), &end);
    if (end == nullptr || *end != '\0') return std::nullopt;
  }
  return s;
}

inline Exposition ParseExposition(std::string_view text) {
  Exposition e;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      e.errors.push_back("no final newline: " + std::string(text.substr(pos)));
      break;
    }
    std::string_view l = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (l.empty()) continue;
    if (l.rfind("# TYPE ", 0) == 0 || l.rfind("# HELP ", 0) == 0) {
      std::string_view rest = l.substr(7);
      size_t sp = rest.find(' ');
      if (sp == std::string_view::npos) {
        e.errors.push_back(std::string(l));
        continue;
      }
      auto& m = l[2] == 'T' ? e.types : e.helps;
      m[std::string(rest.substr(0, sp))] = std::string(rest.substr(sp + 1));
      continue;
    }
    if (l[0] == '#') continue;
    auto s = ParseSample(l);
    if (!s) {
      e.errors.push_back(std::string(l));
    } else {
      e.samples.push_back(std::move(*s));
    }
  }
  return e;
}

}  // namespace tern::core::http::testing
