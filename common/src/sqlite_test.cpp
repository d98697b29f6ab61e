#include "tern/common/sqlite.h"

#include <doctest/doctest.h>

#include "process.h"

namespace tern {
TEST_SUITE("sqlite") {
  TEST_CASE("migrations run once and persist") {
    testing::TempDir dir;
    std::vector<std::string> steps = {"CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)",
                                      "ALTER TABLE t ADD COLUMN w TEXT"};
    {
      auto db = Database::Open(dir / "a.db");
      REQUIRE(db.ok());
      REQUIRE((*db)->Migrate(steps).ok());
      REQUIRE((*db)->Begin().ok());
      auto ins = (*db)->Prepare("INSERT INTO t(k, v, w) VALUES(?, ?, ?)");
      REQUIRE(ins.ok());
      for (int i = 0; i < 100; ++i) {
        std::string blob(5, char(i));
        blob[2] = '\0';
        CHECK((*ins)->Bind(1, int64_t{i}).BindBlob(2, blob).BindText(3, "x").Run().ok());
      }
      REQUIRE((*db)->Commit().ok());
    }
    auto db = Database::Open(dir / "a.db");
    REQUIRE(db.ok());
    REQUIRE((*db)->Migrate(steps).ok());  // nothing to do, no error
    auto q = (*db)->Prepare("SELECT count(*), sum(length(v)) FROM t");
    REQUIRE(q.ok());
    REQUIRE((*q)->Step().value());
    CHECK((*q)->Int(0) == 100);
    CHECK((*q)->Int(1) == 500);
    CHECK((*db)->IntegrityCheck().value() == "ok");
    // A newer schema than the build knows is refused.
    auto s = (*db)->Migrate({steps[0]});
    CHECK(s.code() == Status::Code::kFailedPrecondition);
  }

  TEST_CASE("errors name the database and statement") {
    testing::TempDir dir;
    auto db = Database::Open(dir / "b.db");
    REQUIRE(db.ok());
    Status s = (*db)->Exec("SELEC 1");
    CHECK_FALSE(s.ok());
    CHECK(s.message().find("b.db") != std::string::npos);
    CHECK(s.message().find("SELEC 1") != std::string::npos);
    auto missing = Database::Open(dir / "nodir/x.db");
    CHECK_FALSE(missing.ok());
  }
}
}  // namespace tern
