// Unit tests of SettingsStore: defaults, validation, version bumps, listing.
#include "tern/core/settings_store.h"

#include <doctest/doctest.h>

#include "store_test_util.h"

namespace tern::core {
TEST_SUITE("settings_store") {
  TEST_CASE("defaults until set, every put bumps the version and stamps the row") {
    testing_stores::StoreDb s;
    SettingsStore st(*s.db, s.Clock());
    auto d = st.Get("edge-a").value();
    CHECK(d.name == "edge-a");
    CHECK(d.priority == -1);
    CHECK(d.weight == 1);
    CHECK(st.Version().value() == 0);
    CHECK(st.List().value().empty());
    EdgeSettings e;
    e.name = "edge-a";
    e.priority = 1;
    e.weight = 4;
    e.kinds = "samples,event";
    e.max_bytes_per_s = 1000;
    s.now = 123;
    REQUIRE(st.Put(e).ok());
    e.weight = 5;
    s.now = 124;
    REQUIRE(st.Put(e).ok());
    CHECK(st.Version().value() == 2);
    auto got = st.Get("edge-a").value();
    CHECK(got.weight == 5);
    CHECK(got.kinds == "samples,event");
    CHECK(got.max_bytes_per_s == 1000);
    auto list = st.List().value();
    REQUIRE(list.size() == 1);
    CHECK(list[0].settings.name == "edge-a");
    CHECK(list[0].settings.priority == 1);
    CHECK(list[0].updated_ms == 124);
  }

  TEST_CASE("a bad value is refused naming the edge and the setting, nothing is stored") {
    testing_stores::StoreDb s;
    SettingsStore st(*s.db, s.Clock());
    EdgeSettings e;
    e.name = "edge-b";
    e.weight = 0;
    Status r = st.Put(e);
    CHECK(r.code() == Status::Code::kInvalidArgument);
    CHECK(r.message().find("edge-b") != std::string::npos);
    CHECK(r.message().find("weight") != std::string::npos);
    CHECK(st.Version().value() == 0);
    CHECK(st.List().value().empty());
  }
}
}  // namespace tern::core
