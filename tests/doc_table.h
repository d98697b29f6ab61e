// Test helper: the first column of a Markdown table in a document (docs/http-api.md's
// counter tables), so tests compare what the docs list with what the code declares.
// Thread-safety: stateless.
#pragma once

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace tern::testing {

// The first column of the table under the heading line `heading` (backticks removed; rows
// whose first cell is not a single `name` are skipped); empty if there is no such heading.
inline std::vector<std::string> TableNames(const std::string& doc, const std::string& heading) {
  std::vector<std::string> out;
  size_t at = doc.find("\n" + heading + "\n");
  if (at == std::string::npos) return out;
  std::istringstream in(doc.substr(at + heading.size() + 2));
  bool in_table = false;
  static const std::regex row(R"(^\| `([a-z0-9_]+)` \|)");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    std::smatch m;
    if (std::regex_search(line, m, row)) out.push_back(m[1]);
  }
  return out;
}

}  // namespace tern::testing
