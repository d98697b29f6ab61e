// Bad configuration: the daemons exit non-zero with a message that names the key.
#include <doctest/doctest.h>

#include <fstream>

#include "site.h"
#include "tern/common/pki.h"

namespace tern::testing {
namespace {
struct Run {
  int code;
  std::string out;
};
Run RunBin(std::vector<std::string> argv, const TempDir& dir) {
  Process p;
  std::string log = dir / "out.log";
  std::remove(log.c_str());
  if (!p.Start(argv, log)) return {-1, ""};
  int code = p.Wait(std::chrono::seconds(20));
  return {code, ReadFile(log)};
}
}  // namespace

TEST_SUITE("config") {
  TEST_CASE("bad values, unknown keys and inconsistent settings name the key") {
    TempDir dir;
    auto r = RunBin({TERN_EDGE_BIN, "--set", "mqtt.port=notanumber"}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("'mqtt.port'") != std::string::npos);

    r = RunBin({TERN_EDGE_BIN, "--set", "source.synthetic.priority=urgent"}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("source.synthetic.priority") != std::string::npos);

    // A placement group is hashed and sent in heartbeats: no spaces, at most 128 characters.
    r = RunBin({TERN_EDGE_BIN, "--set", "source.feed.group=two words"}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("source.feed.group") != std::string::npos);
    r = RunBin({TERN_EDGE_BIN, "--set", "placement.mode=sideways"}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("placement.mode") != std::string::npos);

    std::ofstream(dir / "edge.conf") << "node.name = e1\nchunk.windw = 5ms\n";
    r = RunBin({TERN_EDGE_BIN, "-c", dir / "edge.conf"}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("unknown config key 'chunk.windw'") != std::string::npos);
    CHECK(r.out.find("edge.conf:2") != std::string::npos);

    r = RunBin({TERN_CORE_BIN, "--set", "membership.dead_after=1s", "--set",
                "membership.suspect_after=5s"},
               dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("membership.dead_after") != std::string::npos);

    r = RunBin({TERN_CORE_BIN, "-c", dir / "missing.conf"}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("missing.conf") != std::string::npos);
  }

  TEST_CASE("three typos in one file are all named in one run, with a suggestion each") {
    TempDir dir;
    std::ofstream(dir / "edge.conf") << "node.name = e1\n"
                                        "mqtt.prot = 1884\n"
                                        "# a comment\n"
                                        "chunk.windw = 5ms\n"
                                        "source.synthetic.rat = 100\n";
    auto r = RunBin({TERN_EDGE_BIN, "-c", dir / "edge.conf"}, dir);
    INFO(r.out);
    CHECK(r.code == 2);
    const std::string conf = dir / "edge.conf";
    CHECK(r.out.find("tern-edge: " + conf +
                     ":2: unknown config key 'mqtt.prot' (did you mean 'mqtt.port'?)") !=
          std::string::npos);
    CHECK(r.out.find("tern-edge: " + conf +
                     ":4: unknown config key 'chunk.windw' (did you mean 'chunk.window'?)") !=
          std::string::npos);
    CHECK(r.out.find("tern-edge: " + conf +
                     ":5: unknown config key 'source.synthetic.rat' (did you mean "
                     "'source.synthetic.rate'?)") != std::string::npos);
    // The program's name once per line, never twice.
    CHECK(r.out.find("tern-edge: tern-edge:") == std::string::npos);
  }

  TEST_CASE("a check of two keys together names the file and line of each key given") {
    TempDir dir;
    std::ofstream(dir / "core.conf") << "node.name = core\n"
                                        "board.over_temp_c = 50\n"
                                        "board.over_temp_clear_c = 55\n";
    auto r = RunBin({TERN_CORE_BIN, "-c", dir / "core.conf"}, dir);
    INFO(r.out);
    CHECK(r.code == 2);
    const std::string core = dir / "core.conf";
    CHECK(r.out.find("tern-core: " + core + ":3, " + core +
                     ":2: config key 'board.over_temp_clear_c' must be below "
                     "'board.over_temp_c'") != std::string::npos);

    // One key from the file, the other from the command line.
    std::ofstream(dir / "edge.conf") << "node.name = e1\n"
                                        "mqtt.brokers = 127.0.0.1:1883\n";
    r = RunBin({TERN_EDGE_BIN, "-c", dir / "edge.conf", "--set", "mqtt.host=10.0.0.1"}, dir);
    CHECK(r.code == 2);
    const std::string edge = dir / "edge.conf";
    CHECK(r.out.find("tern-edge: " + edge + ":2, command line: config keys 'mqtt.brokers'") !=
          std::string::npos);

    // The disk-pressure watermarks must climb.
    r = RunBin({TERN_EDGE_BIN, "--set", "store.watermark_bulk=75"}, dir);
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(r.out.find("config key 'store.watermark_bulk' (75) must be above "
                     "'store.watermark_demote' (80)") != std::string::npos);
  }

  TEST_CASE("security.mode = pki needs each TLS file, a missing file is named at start") {
    TempDir dir;
    auto r = RunBin({TERN_EDGE_BIN, "--set", "tls.cert=", "--set", "tls.key="}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("'tls.cert', 'tls.key'") != std::string::npos);
    CHECK(r.out.find("'tls.ca'") == std::string::npos);
    r = RunBin({TERN_CORE_BIN, "--set", "tls.ca="}, dir);
    CHECK(r.code == 2);
    CHECK(r.out.find("'tls.ca'") != std::string::npos);
    // insecure needs none of them.
    r = RunBin(
        {TERN_CORE_BIN, "--set", "security.mode=insecure", "--set", "tls.ca=", "--print-config"},
        dir);
    CHECK(r.code == 0);
    CHECK(r.out.find("security.mode = insecure") != std::string::npos);
    // The defaults point at /etc/tern/pki; where no such file exists the core stops at
    // start and names it.
    const std::string ca = dir / "absent-ca.crt";
    r = RunBin({TERN_CORE_BIN, "--set", "node.data_dir=" + dir / "core", "--set", "http.port=-1",
                "--set", "tls.ca=" + ca},
               dir);
    CHECK(r.code == 1);
    CHECK(r.out.find(ca) != std::string::npos);
  }

  TEST_CASE("a certificate for another name, role or key stops a daemon at start, named") {
    TempDir dir;
    PkiInit init;
    init.broker.port = 1;
    auto pki = Pki::Init(dir / "pki", init);
    REQUIRE(pki.ok());
    REQUIRE(pki->Issue("edge-1", crypto::Role::kEdge).ok());
    REQUIRE(pki->Issue("edge-2", crypto::Role::kEdge).ok());
    const PkiPaths e1 = pki->Paths("edge-1"), e2 = pki->Paths("edge-2");
    auto edge = [&](const std::string& name, const std::string& cert, const std::string& key) {
      return RunBin(
          {TERN_EDGE_BIN, "--set", "node.name=" + name, "--set", "node.data_dir=" + dir / name,
           "--set", "tls.ca=" + e1.ca, "--set", "tls.cert=" + cert, "--set", "tls.key=" + key},
          dir);
    };
    auto r = edge("edge-2", e1.cert, e1.key);
    CHECK(r.code == 1);
    CHECK(r.out.find("issued to 'edge-1', not 'edge-2'") != std::string::npos);
    r = edge("edge-1", e1.cert, e2.key);
    CHECK(r.code == 1);
    CHECK(r.out.find("is not the key of tls.cert") != std::string::npos);
    // An edge's certificate is not a core's.
    r = RunBin({TERN_CORE_BIN, "--set", "node.name=edge-1", "--set", "node.data_dir=" + dir / "c",
                "--set", "http.port=-1", "--set", "tls.ca=" + e1.ca, "--set", "tls.cert=" + e1.cert,
                "--set", "tls.key=" + e1.key, "--set", "tls.crl=" + e1.crl},
               dir);
    CHECK(r.code == 1);
    CHECK(r.out.find("role 'edge', not core") != std::string::npos);
  }

  TEST_CASE("the shipped example configs are complete and load as they are") {
    TempDir dir;
    const std::pair<const char*, const char*> bins[] = {
        {TERN_EDGE_BIN, TERN_SOURCE_DIR "/docs/config/tern-edge.conf"},
        {TERN_CORE_BIN, TERN_SOURCE_DIR "/docs/config/tern-core.conf"}};
    for (const auto& [bin, shipped] : bins) {
      auto r = RunBin({bin, "--example-config"}, dir);
      REQUIRE(r.code == 0);
      INFO("regenerate with: " << bin << " --example-config > " << shipped);
      CHECK(ReadFile(shipped) == r.out);  // the shipped example documents every key
      std::ofstream(dir / "ex.conf") << r.out;
      auto p = RunBin({bin, "-c", dir / "ex.conf", "--print-config"}, dir);
      CHECK(p.code == 0);
      CHECK(p.out.find("ex.conf:") != std::string::npos);
    }
  }
}
}  // namespace tern::testing
