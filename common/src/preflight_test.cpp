// The preflight report (table, JSON, exit code) and the shared checks that need no broker:
// the data directory and its lock, the disk rule, the PKI files.
#include "tern/common/preflight.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "process.h"
#include "tern/common/dir_lock.h"
#include "tern/common/pki.h"

namespace tern {
namespace {
using testing::TempDir;

const CheckLine* Find(const std::vector<CheckLine>& v, const std::string& name) {
  for (const auto& l : v) {
    if (l.check == name) return &l;
  }
  return nullptr;
}
}  // namespace

TEST_SUITE("preflight") {
  TEST_CASE("the table has a header and one aligned line per check, the JSON the same facts") {
    std::vector<CheckLine> lines = {{"config valid", CheckResult::kOk, "file a.conf"},
                                    {"free disk", CheckResult::kWarn, "7 % free\nsecond"},
                                    {"broker TCP", CheckResult::kFail, "no TCP connection"}};
    const std::string t = RenderTable(lines);
    CHECK(t ==
          "check         result detail\n"
          "config valid  ok     file a.conf\n"
          "free disk     warn   7 % free second\n"
          "broker TCP    fail   no TCP connection\n");
    auto j = nlohmann::json::parse(RenderJson(lines));
    REQUIRE(j.is_array());
    REQUIRE(j.size() == 3);
    CHECK(j[1]["check"] == "free disk");
    CHECK(j[1]["result"] == "warn");
    CHECK(j[1]["detail"] == "7 % free\nsecond");
    CHECK(j[2]["result"] == "fail");
  }

  TEST_CASE("a fail makes exit 1, warnings alone exit 0") {
    CHECK(PreflightExitCode({{"a", CheckResult::kOk, ""}, {"b", CheckResult::kWarn, ""}}) == 0);
    CHECK(PreflightExitCode({{"a", CheckResult::kOk, ""}, {"b", CheckResult::kFail, ""}}) == 1);
    CHECK(PreflightExitCode({}) == 0);
  }

  TEST_CASE("disk: ok above 10 %, warn below, fail below 2 % or 64 MiB") {
    constexpr uint64_t G = 1024ull * 1024 * 1024;
    CHECK(DiskVerdict("/d", 50 * G, 100 * G).result == CheckResult::kOk);
    CHECK(DiskVerdict("/d", 5 * G, 100 * G).result == CheckResult::kWarn);
    CHECK(DiskVerdict("/d", 1 * G, 100 * G).result == CheckResult::kFail);
    CHECK(DiskVerdict("/d", 32ull * 1024 * 1024, 40ull * 1024 * 1024).result == CheckResult::kFail);
    CHECK(DiskVerdict("/d", 5 * G, 100 * G).detail.find("5.0 % free") != std::string::npos);
  }

  TEST_CASE("data directory: missing but creatable is ok, a file is a fail") {
    TempDir t("tern-preflight");
    auto v = CheckDataDir(t / "new/sub", "tern-edge");
    REQUIRE(Find(v, "data directory"));
    CHECK(Find(v, "data directory")->result == CheckResult::kOk);
    CHECK(Find(v, "data directory")->detail.find("does not exist yet") != std::string::npos);
    FILE* f = std::fopen((t / "plain").c_str(), "w");
    REQUIRE(f);
    std::fclose(f);
    CHECK(Find(CheckDataDir(t / "plain", "tern-edge"), "data directory")->result ==
          CheckResult::kFail);
  }

  TEST_CASE("data directory lock: free is ok, held by another process fails naming its pid") {
    TempDir t("tern-preflight");
    auto free = CheckDataDir(t.path(), "tern-edge");
    REQUIRE(Find(free, "data directory lock"));
    CHECK(Find(free, "data directory lock")->result == CheckResult::kOk);
    {
      auto lock = DirLock::Acquire(t.path(), "some-tool");
      REQUIRE(lock.ok());
      auto held = CheckDataDir(t.path(), "tern-edge");
      const CheckLine* l = Find(held, "data directory lock");
      REQUIRE(l);
      CHECK(l->result == CheckResult::kFail);
      CHECK(l->detail.find("locked by pid " + std::to_string(getpid())) != std::string::npos);
      CHECK(l->detail.find("some-tool") != std::string::npos);
      // The check took nothing: the holder still holds it, and it is still held afterwards.
      CHECK(Find(CheckDataDir(t.path(), "tern-edge"), "data directory lock")->result ==
            CheckResult::kFail);
    }
    CHECK(Find(CheckDataDir(t.path(), "tern-edge"), "data directory lock")->result ==
          CheckResult::kOk);
  }

  TEST_CASE(
      "certificate: a valid one is ok with its expiry, another name's fails, a missing file names "
      "it") {
    TempDir t("tern-preflight");
    auto pki = Pki::Init(t / "pki", PkiInit{});
    REQUIRE_MESSAGE(pki.ok(), pki.status().ToString());
    auto issued = pki->Issue("edge-1", crypto::Role::kEdge);
    REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
    auto paths = pki->Paths("edge-1", crypto::Role::kEdge);
    auto ok = CheckPkiFiles("edge-1", "edge", paths.ca, paths.cert, paths.key, "");
    CHECK_MESSAGE(ok.result == CheckResult::kOk, ok.detail);
    CHECK(ok.detail.find("expires in") != std::string::npos);
    CHECK(CheckPkiFiles("edge-2", "edge", paths.ca, paths.cert, paths.key, "").result ==
          CheckResult::kFail);
    auto missing = CheckPkiFiles("edge-1", "edge", paths.ca, t / "nope.pem", paths.key, "");
    CHECK(missing.result == CheckResult::kFail);
    CHECK(missing.detail.find("nope.pem") != std::string::npos);
  }
}

}  // namespace tern
