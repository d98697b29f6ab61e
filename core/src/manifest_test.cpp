#include "tern/core/manifest.h"

#include <doctest/doctest.h>

#include "process.h"

namespace tern::core {
TEST_SUITE("manifest") {
  TEST_CASE("addresses persist per name and are never reused") {
    testing::TempDir dir;
    uint32_t a = 0, b = 0;
    {
      auto m = Manifest::Open(dir / "core.db");
      REQUIRE(m.ok());
      REQUIRE((*m)->Begin().ok());
      a = (*m)->Register("edge-a", 1).value();
      b = (*m)->Register("edge-b", 1).value();
      CHECK((*m)->Register("edge-a", 1).value() == a);
      REQUIRE((*m)->Commit().ok());
      REQUIRE((*m)->registry().Remove("edge-b").ok());
    }
    auto m = Manifest::Open(dir / "core.db");
    REQUIRE(m.ok());
    CHECK((*m)->Register("edge-a", 1).value() == a);
    uint32_t c = (*m)->Register("edge-c", 1).value();
    CHECK(c != b);  // b's address stays retired
    CHECK(c > b);
    auto nodes = (*m)->Nodes().value();
    CHECK(nodes.size() == 2);
    CHECK(nodes[0].store);
  }

  TEST_CASE("schema v8 drops the registered store paths and keeps who is a store") {
    testing::TempDir dir;
    {
      // A core.db as the build before v8 left it: the core's own entry had no path.
      auto db = Database::Open(dir / "core.db").value();
      std::vector<std::string> v7(Manifest::Schema().begin(), Manifest::Schema().begin() + 7);
      REQUIRE(db->Migrate(v7).ok());
      REQUIRE(db->Exec("INSERT INTO nodes(name, store_path, registered_ms) VALUES"
                       " ('core', '', 1), ('edge-a', '/srv/a/edge.db', 2)")
                  .ok());
    }
    auto m = Manifest::Open(dir / "core.db");
    REQUIRE(m.ok());
    auto nodes = (*m)->Nodes().value();
    REQUIRE(nodes.size() == 2);
    CHECK_FALSE(nodes[0].store);
    CHECK(nodes[1].store);
    auto db = Database::Open(dir / "core.db").value();
    auto q =
        db->Prepare("SELECT count(*) FROM pragma_table_info('nodes') WHERE name = 'store_path'");
    REQUIRE(q.ok());
    REQUIRE((*q)->Step().value());
    CHECK((*q)->Int(0) == 0);
  }

  TEST_CASE("holders accumulate once each and chunks are found by source and time") {
    testing::TempDir dir;
    auto m = Manifest::Open(dir / "core.db");
    REQUIRE(m.ok());
    StoredNotice n;
    n.id = std::string(32, 'a');
    n.origin = 1;
    n.source = "vib";
    n.t_first = 100;
    n.t_last = 200;
    for (uint32_t h : {1u, 2u, 2u, 3u}) {
      n.holder = h;
      REQUIRE((*m)->RecordHolder(n).ok());
    }
    auto c = (*m)->Chunk(n.id).value();
    REQUIRE(c.has_value());
    CHECK(c->holders == std::vector<uint32_t>{1, 2, 3});
    CHECK_FALSE(c->spooled);
    CHECK((*m)->Find("vib", 0, 150, 160).value().size() == 1);
    CHECK((*m)->Find("vib", 1, 201, 300).value().empty());
    CHECK((*m)->Find("vib", 2, 0, 300).value().empty());
    REQUIRE((*m)->RemoveHolder(n.id, 2).ok());
    CHECK((*m)->Holders(n.id).value().size() == 2);
    auto all = (*m)->All().value();
    REQUIRE(all.size() == 1);
    CHECK(all[0].holders.size() == 2);
  }
}
}  // namespace tern::core
