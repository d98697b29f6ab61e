// Unit tests of ParseTimeArg's ISO-8601 dates: calendar limits (the forms, HLC stamps and
// wall-clock ms are covered through the HTTP API's ParseTime in core/src/http/render_test.cpp).
#include "tern/common/time_parse.h"

#include <doctest/doctest.h>

namespace tern {
TEST_SUITE("time_parse") {
  TEST_CASE("a day past the end of its month is refused, not rolled into the next") {
    // Found by the http_query fuzz target (tests/fuzz/regressions/http_query/): 2026-11-31
    // was accepted as 2026-12-01.
    CHECK(!ParseTimeArg("2026-11-31").ok());
    CHECK(!ParseTimeArg("2026-11-31T10:00").ok());
    CHECK(!ParseTimeArg("2026-02-29").ok());
    CHECK(!ParseTimeArg("2100-02-29").ok());  // divisible by 100: not a leap year
    CHECK(!ParseTimeArg("2026-04-31").ok());
    // 2024-02-29 = 1709164800 s; 2000 is a leap year (divisible by 400).
    CHECK(ParseTimeArg("2024-02-29").value() == uint64_t{1709164800000} << 16);
    CHECK(ParseTimeArg("2000-02-29").ok());
    CHECK(ParseTimeArg("2026-12-31T23:59:59Z").ok());
    CHECK(ParseTimeArg("2026-01-31").ok());
  }
}
}  // namespace tern
