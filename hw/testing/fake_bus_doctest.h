// Lets doctest print FakeBus access logs in failed comparisons (one access per line).
#pragma once

#include <doctest/doctest.h>

#include "fake_bus.h"

namespace doctest {
template <>
struct StringMaker<std::vector<tern::hw::testing::Access>> {
  static String convert(const std::vector<tern::hw::testing::Access>& log) {
    return tern::hw::testing::ToString(log).c_str();
  }
};
template <>
struct StringMaker<tern::hw::testing::Access> {
  static String convert(const tern::hw::testing::Access& a) { return a.ToString().c_str(); }
};
}  // namespace doctest
