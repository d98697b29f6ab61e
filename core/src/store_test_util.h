// Test helper for the core's store classes: a fresh core.db with the current schema in a
// temporary directory and a clock the test sets, so stored stamps are known.
// Thread-safety: test code, one thread.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "process.h"
#include "tern/common/sqlite.h"
#include "tern/core/manifest.h"

namespace tern::core::testing_stores {

struct StoreDb {
  tern::testing::TempDir dir{"stores"};
  std::unique_ptr<Database> db;
  int64_t now = 1000;  // what the stores' clock returns

  StoreDb() {
    Database::Options o;
    o.durable = false;
    auto d = Database::Open(dir / "core.db", o);
    REQUIRE_MESSAGE(d.ok(), d.status().ToString());
    db = std::move(d).value();
    REQUIRE(db->Migrate(Manifest::Schema()).ok());
  }
  std::function<int64_t()> Clock() {
    return [this] { return now; };
  }
  std::string path() const { return dir / "core.db"; }
};

}  // namespace tern::core::testing_stores
