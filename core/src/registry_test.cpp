// Unit tests of Registry: addresses per name, never reused, node states, removal.
#include "tern/core/registry.h"

#include <doctest/doctest.h>

#include "store_test_util.h"

namespace tern::core {
TEST_SUITE("registry") {
  TEST_CASE("a name keeps its address, a removed node's address is never handed out again") {
    testing_stores::StoreDb s;
    auto r = Registry::Open(*s.db, s.Clock()).value();
    s.now = 111;
    uint32_t a = r->Register("edge-a", 10).value();
    uint32_t b = r->Register("edge-b", 20).value();
    CHECK(a != b);
    s.now = 222;
    CHECK(r->Register("edge-a", 30).value() == a);  // updates the capacity
    REQUIRE(r->Remove("edge-b").ok());
    uint32_t c = r->Register("edge-c", 1).value();
    CHECK(c > b);
    auto nodes = r->Nodes().value();
    REQUIRE(nodes.size() == 2);
    CHECK(nodes[0].addr == a);
    CHECK(nodes[0].store);
    CHECK(nodes[0].capacity == 30);
    CHECK(nodes[0].registered_ms == 111);  // the first registration's stamp
    CHECK(nodes[0].state == "unknown");
    CHECK(nodes[1].name == "edge-c");
    CHECK(nodes[1].registered_ms == 222);
  }

  TEST_CASE("states are recorded, last_seen only moves forward, removal names a missing node") {
    testing_stores::StoreDb s;
    auto r = Registry::Open(*s.db, s.Clock()).value();
    uint32_t a = r->Register("edge-a", 1).value();
    REQUIRE(r->SetState(a, "live", 500).ok());
    REQUIRE(r->SetState(a, "suspect", 400).ok());
    REQUIRE(r->SetState(999, "dead", 1).ok());  // unknown address: nothing
    auto nodes = r->Nodes().value();
    REQUIRE(nodes.size() == 1);
    CHECK(nodes[0].state == "suspect");
    CHECK(nodes[0].last_seen_ms == 500);
    Status st = r->Remove("nobody");
    CHECK(st.code() == Status::Code::kNotFound);
    CHECK(st.message().find("nobody") != std::string::npos);
  }

  TEST_CASE("writes on a read-only handle fail naming the database") {
    testing_stores::StoreDb s;
    Database::Options o;
    o.read_only = true;
    auto ro = Database::Open(s.path(), o).value();
    auto r = Registry::Open(*ro, s.Clock()).value();
    CHECK(r->Nodes().value().empty());
    auto reg = r->Register("edge-a", 1);
    REQUIRE_FALSE(reg.ok());
    CHECK(reg.status().message().find(s.path()) != std::string::npos);
  }

  TEST_CASE("a drained node stays draining in the registry") {
    testing_stores::StoreDb s;
    auto r = Registry::Open(*s.db, s.Clock()).value();
    uint32_t a = r->Register("edge-a", 10).value();
    CHECK_FALSE(r->Nodes().value()[0].draining);
    REQUIRE(r->SetDraining(a, true).ok());
    CHECK(r->Nodes().value()[0].draining);
    CHECK(r->SetDraining(a + 100, true).code() == Status::Code::kNotFound);
  }
}
}  // namespace tern::core
