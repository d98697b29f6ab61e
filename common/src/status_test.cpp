#include "tern/common/status.h"

#include <doctest/doctest.h>

namespace tern {
namespace {
Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd value " + std::to_string(x));
  return x / 2;
}
Status UseHalf(int x, int* out) {
  TERN_ASSIGN_OR_RETURN(int h, Half(x));
  *out = h;
  return Status::Ok();
}
}  // namespace

TEST_SUITE("status") {
  TEST_CASE("ok and error carry code and message") {
    CHECK(Status::Ok().ok());
    Status s = Status::NotFound("chunk ab12");
    CHECK_FALSE(s.ok());
    CHECK(s.ToString() == "not found: chunk ab12");
    CHECK(s.WithContext("store /tmp/x").message() == "store /tmp/x: chunk ab12");
  }
  TEST_CASE("result propagates through ASSIGN_OR_RETURN") {
    int out = 0;
    CHECK(UseHalf(8, &out).ok());
    CHECK(out == 4);
    Status s = UseHalf(3, &out);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message() == "odd value 3");
  }
}
}  // namespace tern
