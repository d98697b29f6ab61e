// Tag rules shared by the edge's config and feed parsing, the chunk codec and the core.
#include "tern/common/tags.h"

#include <algorithm>

namespace tern {

Status CheckTag(std::string_view tag, const std::string& where) {
  if (tag.empty() || tag.size() > kMaxTagLen) {
    return Status::InvalidArgument(where + ": tag '" + std::string(tag.substr(0, 64)) +
                                   "' must be 1.." + std::to_string(kMaxTagLen) + " characters");
  }
  for (char c : tag) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return Status::InvalidArgument(where + ": tag '" + std::string(tag) +
                                     "' may only hold letters, digits and '_'");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ParseTagList(std::string_view text, const std::string& where) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    while (!word.empty() && (word.front() == ' ' || word.front() == '\t')) word.remove_prefix(1);
    while (!word.empty() && (word.back() == ' ' || word.back() == '\t')) word.remove_suffix(1);
    if (!word.empty()) {
      TERN_RETURN_IF_ERROR(CheckTag(word, where));
      if (std::find(out.begin(), out.end(), word) == out.end()) out.emplace_back(word);
    } else if (end < text.size() || start > 0) {
      return Status::InvalidArgument(where + ": empty tag in '" + std::string(text) + "'");
    }
    if (out.size() > kMaxSourceTags) {
      return Status::InvalidArgument(where + ": more than " + std::to_string(kMaxSourceTags) +
                                     " tags");
    }
    start = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t MergeTags(std::vector<std::string>* into, const std::vector<std::string>& add) {
  size_t left_out = 0;
  for (const std::string& t : add) {
    auto it = std::lower_bound(into->begin(), into->end(), t);
    if (it != into->end() && *it == t) continue;
    if (into->size() >= kMaxChunkTags) {
      ++left_out;
      continue;
    }
    into->insert(it, t);
  }
  return left_out;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& t : tags) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

}  // namespace tern
