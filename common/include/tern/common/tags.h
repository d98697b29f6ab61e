// Tags: short words a collector attaches to the chunks of a source (config per source, and a
// feed record's own "tags" field), carried inside the chunk (format version 2) and indexed
// by the core for search. One rule set for every place a tag is accepted: 1..32 characters
// of ASCII letters, digits and '_' (so a tag is one FTS5 bareword and never needs quoting),
// at most 16 per source or record and 32 per chunk; a chunk keeps them sorted and unique,
// so the same tags always give the same wire form and chunk id.
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tern/common/status.h"

namespace tern {

inline constexpr size_t kMaxTagLen = 32;
inline constexpr size_t kMaxSourceTags = 16;  // per source config value or feed record
inline constexpr size_t kMaxChunkTags = 32;   // per chunk (the union of its records')

// InvalidArgument naming `where` and the tag unless `tag` follows the rule above.
[[nodiscard]] Status CheckTag(std::string_view tag, const std::string& where);

// A comma-separated list ("bearing, line2"): blanks around words ignored, an empty text is
// no tags, duplicates folded; each word checked, at most kMaxSourceTags. Errors name `where`
// (a config key).
[[nodiscard]] Result<std::vector<std::string>> ParseTagList(std::string_view text,
                                                            const std::string& where);

// Adds `add` to the sorted, unique `into`, keeping at most kMaxChunkTags; returns how many
// new tags did not fit (left out).
size_t MergeTags(std::vector<std::string>* into, const std::vector<std::string>& add);

// The tags joined by spaces (the form the search index stores).
std::string JoinTags(const std::vector<std::string>& tags);

}  // namespace tern
