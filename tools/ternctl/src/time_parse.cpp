// ternctl's time arguments: the shared parser in tern_common.
#include "tern/common/time_parse.h"

#include "tern/tools/inspect.h"

namespace tern::tools {

Result<uint64_t> ParseTime(std::string_view text, bool upper) { return ParseTimeArg(text, upper); }

}  // namespace tern::tools
