// TokenBook and TokenWatcher on real files: what a token looks like, what the file holds
// (never the token; mode 0600), labels, revocation, a corrupt book, concurrent writers, and
// a watcher following the file as ternctl changes it.
#include "tern/core/http_tokens.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <thread>

#include "process.h"

namespace tern::core {

TEST_SUITE("http tokens") {
  TEST_CASE("a token is printed once, stored as a hash with its role, and checked") {
    testing::TempDir dir("tokens");
    const std::string path = TokenBook::PathIn(dir.path());
    auto t = TokenBook::Create(path, HttpRole::kRead, "grafana", 1234);
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    CHECK(t->rfind("tern_", 0) == 0);
    CHECK(t->size() == 5 + 43);
    CHECK(t->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                               5) == std::string::npos);
    auto op = TokenBook::Create(path, HttpRole::kOperator, "ops", 5678);
    REQUIRE(op.ok());
    CHECK(*op != *t);

    std::string text = testing::ReadFile(path);
    CHECK(text.find(t->substr(5)) == std::string::npos);  // only hashes are stored
    CHECK(text.find("grafana") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    auto book = TokenBook::Load(path);
    REQUIRE(book.ok());
    auto read = book->Check(*t);
    REQUIRE(read);
    CHECK(read->label == "grafana");
    CHECK(read->role == HttpRole::kRead);
    CHECK(read->created_ms == 1234);
    REQUIRE(book->Check(*op));
    CHECK(book->Check(*op)->role == HttpRole::kOperator);
    CHECK(!book->Check(""));
    CHECK(!book->Check(*t + "x"));
    CHECK(!book->Check(t->substr(0, t->size() - 1)));
    auto list = book->List();
    REQUIRE(list.size() == 2);
    CHECK(list[0].label == "grafana");
    CHECK(list[1].label == "ops");
    CHECK(list[1].created_ms == 5678);
  }

  TEST_CASE("labels are unique and plain, revoke removes one token only") {
    testing::TempDir dir("tokens");
    const std::string path = TokenBook::PathIn(dir.path());
    auto a = TokenBook::Create(path, HttpRole::kRead, "a", 1).value();
    auto b = TokenBook::Create(path, HttpRole::kRead, "b", 2).value();
    auto dup = TokenBook::Create(path, HttpRole::kOperator, "a", 3);
    REQUIRE(!dup.ok());
    CHECK(dup.status().message().find("'a'") != std::string::npos);
    for (std::string bad :
         std::vector<std::string>{"", "has space", "x/y", std::string(65, 'l'), "ü"}) {
      CAPTURE(bad);
      auto r = TokenBook::Create(path, HttpRole::kRead, bad, 1);
      REQUIRE(!r.ok());
      CHECK(r.status().message().rfind("label:", 0) == 0);
    }
    REQUIRE(TokenBook::Revoke(path, "a").ok());
    auto book = TokenBook::Load(path).value();
    CHECK(!book.Check(a));
    CHECK(book.Check(b));
    Status again = TokenBook::Revoke(path, "a");
    CHECK(again.code() == Status::Code::kNotFound);
    CHECK(again.message().find("'a'") != std::string::npos);
    CHECK(!ParseHttpRole("admin").ok());
    CHECK(ParseHttpRole("operator").value() == HttpRole::kOperator);
  }

  TEST_CASE("a missing book is empty, a corrupt one is refused naming the file") {
    testing::TempDir dir("tokens");
    const std::string path = TokenBook::PathIn(dir.path());
    auto empty = TokenBook::Load(path);
    REQUIRE(empty.ok());
    CHECK(empty->size() == 0);
    std::ofstream(path) << "{\"v\": 1, \"tokens\": [{\"label\": \"x\"}]}";
    auto bad = TokenBook::Load(path);
    REQUIRE(!bad.ok());
    CHECK(bad.status().message().find(path) != std::string::npos);
    // Creating into a corrupt book fails rather than dropping what is there.
    CHECK(!TokenBook::Create(path, HttpRole::kRead, "y", 1).ok());
    auto no_dir = TokenBook::Create(dir / "missing/http-tokens.json", HttpRole::kRead, "y", 1);
    REQUIRE(!no_dir.ok());
    CHECK(no_dir.status().message().find("missing") != std::string::npos);
  }

  TEST_CASE("concurrent creators lose no token") {
    testing::TempDir dir("tokens");
    const std::string path = TokenBook::PathIn(dir.path());
    std::vector<std::thread> ts;
    std::vector<std::vector<std::string>> made(4);
    for (size_t t = 0; t < 4; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < 10; ++i) {
          auto r = TokenBook::Create(path, HttpRole::kRead,
                                     "t" + std::to_string(t) + "-" + std::to_string(i), i);
          if (r.ok()) made[t].push_back(*r);
        }
      });
    }
    for (auto& t : ts) t.join();
    auto book = TokenBook::Load(path).value();
    CHECK(book.size() == 40);
    for (const auto& list : made) {
      CHECK(list.size() == 10);
      for (const auto& tok : list) CHECK(book.Check(tok));
    }
  }

  TEST_CASE("the watcher follows the file: new tokens, revokes, corruption") {
    testing::TempDir dir("tokens");
    const std::string path = TokenBook::PathIn(dir.path());
    TokenWatcher w(path);
    CHECK(w.size() == 0);
    CHECK(w.error().empty());
    auto t = TokenBook::Create(path, HttpRole::kOperator, "ops", 1).value();
    REQUIRE(w.Check(t));
    CHECK(w.Check(t)->role == HttpRole::kOperator);
    REQUIRE(TokenBook::Revoke(path, "ops").ok());
    CHECK(!w.Check(t));
    auto u = TokenBook::Create(path, HttpRole::kRead, "reader", 2).value();
    CHECK(w.Check(u));
    std::ofstream(path, std::ios::trunc) << "not json";
    CHECK(!w.Check(u));  // refused while the book cannot be read
    CHECK(w.error().find(path) != std::string::npos);
    std::remove(path.c_str());
    CHECK(!w.Check(u));
    CHECK(w.error().empty());
  }
}

}  // namespace tern::core
