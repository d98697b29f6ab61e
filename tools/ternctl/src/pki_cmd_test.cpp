// ternctl pki through the real binary: the files it lays out, its exit codes, the SIGHUP
// reminder, and list --json.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "process.h"
#include "run_ternctl_testing.h"

namespace tern::tools {
namespace {
// With stderr: the refusals are printed there.
RunResult Ternctl(const std::string& args) { return RunTernctl(args, /*with_stderr=*/true); }
}  // namespace

TEST_SUITE("ternctl pki") {
  TEST_CASE("init, issue, refuse a second, revoke, list, exit codes and the SIGHUP reminder") {
    testing::TempDir dir;
    const std::string pki = dir / "pki";
    RunResult r = Ternctl("pki init --dir " + pki + " --site plant --port 18883");
    REQUIRE_MESSAGE(r.exit_code == 0, r.out);
    CHECK(testing::ReadFile(pki + "/mosquitto.conf").find("listener 18883") != std::string::npos);

    r = Ternctl("pki issue edge-1 --role edge --dir " + pki);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out);
    CHECK(r.out.find("SIGHUP") != std::string::npos);
    CHECK(r.out.find("tls.key = " + pki + "/nodes/edge-1.key") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat((pki + "/nodes/edge-1.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    r = Ternctl("pki issue edge-1 --role edge --dir " + pki);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("revoke it first") != std::string::npos);
    CHECK(Ternctl("pki issue edge-2 --role admin --dir " + pki).exit_code == 2);
    CHECK(Ternctl("pki issue edge/2 --role edge --dir " + pki).exit_code == 2);
    CHECK(Ternctl("pki list --dir " + dir / "nowhere").exit_code == 1);

    r = Ternctl("pki revoke edge-1 --dir " + pki);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("SIGHUP") != std::string::npos);
    CHECK(Ternctl("pki revoke edge-1 --dir " + pki).exit_code == 1);

    r = Ternctl("pki list --json --dir " + pki);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    REQUIRE(j.is_array());
    REQUIRE(j.size() == 2);
    CHECK(j[0]["name"] == "broker");
    CHECK(j[1]["name"] == "edge-1");
    CHECK(j[1]["revoked"] == true);
    CHECK(j[1]["serial"].get<std::string>().size() > 0);
    r = Ternctl("pki list --dir " + pki);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("revoked") != std::string::npos);
  }
}

}  // namespace tern::tools
