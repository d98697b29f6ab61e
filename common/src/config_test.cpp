#include "tern/common/config.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string_view>

#include "process.h"

namespace tern {
namespace {
ConfigSchema TestSchema() {
  ConfigSchema s;
  s.program = "tern-test";
  s.keys = {
      {"node.name", ConfigType::kString, "edge-1", "node name"},
      {"mqtt.port", ConfigType::kInt, "1883", "broker port", 1, 65535},
      {"outbox.max_bytes", ConfigType::kBytes, "64M", "outbox bound"},
      {"chunk.window", ConfigType::kDurationMs, "100ms", "window"},
      {"rate", ConfigType::kDouble, "1.5", "rate", 0, 1e9},
      {"verbose", ConfigType::kBool, "false", "verbose"},
      {"policy", ConfigType::kString, "reject", "when full", -1e300, 1e300, {"reject", "block"}},
  };
  return s;
}
}  // namespace

TEST_SUITE("config") {
  TEST_CASE("defaults, file, then command line") {
    testing::TempDir dir;
    std::ofstream(dir / "a.conf") << "# comment\nmqtt.port = 2000\n\nnode.name = edge-9  # tail\n";
    auto schema = TestSchema();
    auto c = Config::Load(schema, dir / "a.conf", {"mqtt.port=3000"});
    REQUIRE(c.ok());
    CHECK(c->Int("mqtt.port") == 3000);
    CHECK(c->String("node.name") == "edge-9");
    CHECK(c->Int("outbox.max_bytes") == 64 << 20);
    CHECK(c->Int("chunk.window") == 100);
    CHECK(c->Double("rate") == 1.5);
    CHECK_FALSE(c->Bool("verbose"));
    CHECK(c->Dump().find("mqtt.port = 3000    # command line") != std::string::npos);
  }

  TEST_CASE("errors name the key and where it came from") {
    testing::TempDir dir;
    auto schema = TestSchema();
    std::ofstream(dir / "b.conf") << "mqtt.prot = 1\n";
    auto c = Config::Load(schema, dir / "b.conf", {});
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("unknown config key 'mqtt.prot'") != std::string::npos);
    CHECK(c.status().message().find("b.conf:1") != std::string::npos);

    c = Config::Load(schema, "", {"mqtt.port=70000"});
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("'mqtt.port'") != std::string::npos);
    CHECK(c.status().message().find("outside") != std::string::npos);

    c = Config::Load(schema, "", {"outbox.max_bytes=12X"});
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("'outbox.max_bytes'") != std::string::npos);

    c = Config::Load(schema, "", {"policy=drop"});
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("not one of reject, block") != std::string::npos);

    c = Config::Load(schema, "", {"verbose=yes"});
    CHECK_FALSE(c.ok());
    c = Config::Load(schema, dir / "missing.conf", {});
    CHECK(c.status().message().find("missing.conf") != std::string::npos);
  }

  TEST_CASE("example lists every key and loads as-is") {
    testing::TempDir dir;
    auto schema = TestSchema();
    std::string ex = Config::Example(schema);
    for (const auto& k : schema.keys) CHECK(ex.find("\n" + k.name + " = ") != std::string::npos);
    std::ofstream(dir / "ex.conf") << ex;
    CHECK(Config::Load(schema, dir / "ex.conf", {}).ok());
  }

  TEST_CASE("a number's text hides nothing: NUL bytes, leading control spaces, overflow") {
    // Found by the config fuzz target (tests/fuzz/regressions/config/): "7\0\0" was taken as
    // 7, and a byte size whose unit overflowed int64 wrapped (17179869185G = 2^64 + 1G was
    // taken as 1 GiB).
    auto schema = TestSchema();
    auto parse = [&](std::string_view text) { return Config::Parse(schema, text, "t.conf", {}); };
    using namespace std::string_view_literals;
    CHECK_FALSE(parse("mqtt.port = 7\0\0\0\0\n"sv).ok());
    CHECK_FALSE(parse("rate = 1.5\0junk\n"sv).ok());
    CHECK_FALSE(parse("outbox.max_bytes = 64\0M\n"sv).ok());
    CHECK_FALSE(parse("mqtt.port = \v5\n").ok());
    CHECK_FALSE(parse("rate = \f2\n").ok());
    auto wrapped = parse("outbox.max_bytes = 17179869185G\n");
    REQUIRE_FALSE(wrapped.ok());
    CHECK(wrapped.status().message().find("out of range") != std::string::npos);
    CHECK_FALSE(parse("outbox.max_bytes = -9223372036854775807K\n").ok());
    CHECK_FALSE(parse("chunk.window = 9223372036854775807h\n").ok());

    auto fine = parse("outbox.max_bytes = 8G\nrate = 2.5\nmqtt.port = 0x50\n");
    REQUIRE(fine.ok());
    CHECK(fine->Int("outbox.max_bytes") == int64_t{8} << 30);
    CHECK(fine->Double("rate") == 2.5);
    CHECK(fine->Int("mqtt.port") == 80);
    CHECK(parse("outbox.max_bytes = 8589934591G\n").ok());  // (2^33 - 1) GiB still fits
  }

  TEST_CASE("cross-key checks run last") {
    auto schema = TestSchema();
    schema.checks.push_back([](const Config& c) {
      return c.Int("mqtt.port") == 1 ? Status::InvalidArgument("config key 'mqtt.port': 1 is reserved")
                                     : Status::Ok();
    });
    CHECK_FALSE(Config::Load(schema, "", {"mqtt.port=1"}).ok());
  }
}
}  // namespace tern
