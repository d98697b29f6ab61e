// Time arguments as operators type them, turned into HLC stamps (see hlc.h).
// Thread-safety: a free function; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "tern/common/status.h"

namespace tern {

// Parses an HLC stamp (a decimal integer >= 2^48), wall-clock milliseconds since the epoch
// (a decimal integer < 2^48, shifted << 16) or ISO-8601 UTC ("2026-11-21T10:00:00",
// optional ".mmm" and "Z", or a date alone). With `upper`, a wall-clock time covers its
// whole millisecond (logical bits all set), for inclusive upper bounds. InvalidArgument
// naming the text otherwise.
Result<uint64_t> ParseTimeArg(std::string_view text, bool upper = false);

}  // namespace tern
