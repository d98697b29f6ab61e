// `ternctl backup` against a running site: the copy of core.db taken while the core keeps
// writing opens on its own, passes PRAGMA integrity_check and holds the manifest as it was
// (as many chunks as the core had acked by then, and no more than it holds after); an
// existing target is refused unless --force; a missing database is an I/O error (2).
#include <doctest/doctest.h>

#include <filesystem>

#include "ctl_run.h"
#include "tern/common/sqlite.h"

namespace tern::testing {
namespace {
int64_t ManifestChunks(const std::string& db_path) {
  Database::Options ro;
  ro.read_only = true;
  auto db = Database::Open(db_path, ro);
  if (!db.ok()) return -1;
  auto q = (*db)->Prepare("SELECT count(*) FROM chunks");
  if (!q.ok()) return -1;
  auto row = (*q)->Step();
  return row.ok() && *row ? (*q)->Int(0) : -1;
}
}  // namespace

TEST_SUITE("backup") {
  TEST_CASE("ternctl backup copies core.db consistently while the site runs") {
    Site site(3, {"source.synthetic.rate=2000"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(120, [&] {
      for (int i = 0; i < 3; ++i) {
        if (site.EdgeCounter(i, "grade_core") < 3) return false;
      }
      return true;
    }));
    const std::string db = site.CoreDir() + "/core.db";
    const std::string copy = site.dir() + "/backup/core-copy.db";
    std::filesystem::create_directories(site.dir() + "/backup");
    const int64_t before = ManifestChunks(db);
    REQUIRE(before > 0);

    // The edges keep sending: the core writes while the copy is taken.
    auto r = CtlArgs(site, {"backup", "--data-dir", site.CoreDir(), "--to", copy, "--json"});
    INFO(r.out);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("\"integrity_check\":\"ok\"") != std::string::npos);
    const int64_t after = ManifestChunks(db);

    // The copy stands alone (no -wal beside it) and is sound.
    CHECK_FALSE(std::filesystem::exists(copy + "-wal"));
    {
      Database::Options ro;
      ro.read_only = true;
      auto c = Database::Open(copy, ro);
      REQUIRE(c.ok());
      auto check = (*c)->IntegrityCheck();
      REQUIRE(check.ok());
      CHECK(*check == "ok");
    }
    const int64_t copied = ManifestChunks(copy);
    CHECK(copied >= before);
    CHECK(copied <= after);
    CHECK(r.out.find("\"manifest_chunks\":" + std::to_string(copied)) != std::string::npos);

    // An existing target is kept unless --force.
    auto again = CtlArgs(site, {"backup", "--data-dir", site.CoreDir(), "--to", copy});
    CHECK(again.code == 1);
    CHECK(again.out.find(copy + " exists") != std::string::npos);
    CHECK(ManifestChunks(copy) == copied);
    auto forced = CtlArgs(site, {"backup", "--data-dir", site.CoreDir(), "--to", copy, "--force"});
    INFO(forced.out);
    CHECK(forced.code == 0);
    CHECK(ManifestChunks(copy) >= copied);

    // No database there: an I/O error naming the path.
    auto none = CtlArgs(site, {"backup", "--data-dir", site.dir() + "/nowhere", "--to",
                               site.dir() + "/backup/x.db"});
    CHECK(none.code == 2);
    CHECK(none.out.find(site.dir() + "/nowhere/core.db") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(site.dir() + "/backup/x.db"));
  }
}

}  // namespace tern::testing
