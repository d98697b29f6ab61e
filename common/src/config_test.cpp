#include "tern/common/config.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string_view>
#include <vector>

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
    CHECK_FALSE(parse("outbox.max_bytes = 1\rGiB\n").ok());  // fuzz: CR between number and unit
    CHECK_FALSE(parse("outbox.max_bytes = 1\tGiB\n").ok());
    CHECK(parse("outbox.max_bytes = 1 GiB\r\n").ok());  // a CRLF line end is still fine
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
      return c.Int("mqtt.port") == 1
                 ? Status::InvalidArgument("config key 'mqtt.port': 1 is reserved")
                 : Status::Ok();
    });
    CHECK_FALSE(Config::Load(schema, "", {"mqtt.port=1"}).ok());
  }
  TEST_CASE("every error in one pass, each with its file and line, typos get a suggestion") {
    auto schema = TestSchema();
    auto c = Config::Parse(schema,
                           "node.name = e1\n"
                           "mqtt.prot = 1884\n"
                           "outbox.max_byte = 1M\n"
                           "chunk.windw = 5ms\n"
                           "mqtt.port = 70000\n"
                           "garbage line\n",
                           "edge.conf", {"verbose=yes", "completely.unrelated.key=1"});
    REQUIRE_FALSE(c.ok());
    const std::string& m = c.status().message();
    INFO(m);
    CHECK(m.find("edge.conf:2: unknown config key 'mqtt.prot' (did you mean 'mqtt.port'?)") !=
          std::string::npos);
    CHECK(m.find("edge.conf:3: unknown config key 'outbox.max_byte' (did you mean "
                 "'outbox.max_bytes'?)") != std::string::npos);
    CHECK(m.find("edge.conf:4: unknown config key 'chunk.windw' (did you mean 'chunk.window'?)") !=
          std::string::npos);
    CHECK(m.find("edge.conf:5: config key 'mqtt.port': 70000 is outside") != std::string::npos);
    CHECK(m.find("edge.conf:6: expected 'key = value'") != std::string::npos);
    CHECK(m.find("command line: config key 'verbose': expected true or false") !=
          std::string::npos);
    // Nothing close: no suggestion rather than a silly one.
    CHECK(m.find("unknown config key 'completely.unrelated.key'\n") != std::string::npos);
    // One error a line, in file order, and no program name (the caller adds its own once).
    CHECK(std::count(m.begin(), m.end(), '\n') == 6);
    CHECK(m.find("tern-test") == std::string::npos);
    CHECK(m.find("edge.conf:2") < m.find("edge.conf:4"));
  }

  TEST_CASE("ClosestKey suggests only keys within a few edits") {
    auto schema = TestSchema();
    CHECK(ClosestKey(schema, "mqtt.prot") == "mqtt.port");
    CHECK(ClosestKey(schema, "polcy") == "policy");
    CHECK(ClosestKey(schema, "rat") == "rate");
    CHECK(ClosestKey(schema, "zzzzzzzzzz") == "");
    CHECK(ClosestKey(schema, "log.level") == "");
  }

  TEST_CASE("ClosestKey agrees with a plain Levenshtein distance and stays cheap on long keys") {
    auto schema = TestSchema();
    auto lev = [](const std::string& a, const std::string& b) {
      std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
      for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
      for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
      for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j)
          d[i][j] = std::min(
              {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      return d[a.size()][b.size()];
    };
    std::mt19937 rng(7);
    const std::string alphabet = "mqtpor.slicyae";
    for (int n = 0; n < 2000; ++n) {
      // Mutate a real key by a few random edits, or draw a random string.
      std::string k = schema.keys[rng() % schema.keys.size()].name;
      for (int e = static_cast<int>(rng() % 6); e > 0; --e) {
        const size_t at = k.empty() ? 0 : rng() % k.size();
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0:
            k.insert(at, 1, c);
            break;
          case 1:
            if (!k.empty()) k.erase(at, 1);
            break;
          default:
            if (!k.empty()) k[at] = c;
            break;
        }
      }
      const size_t limit = std::clamp<size_t>(k.size() / 3, 2, 4);
      size_t best = limit + 1;
      for (const auto& key : schema.keys) best = std::min(best, lev(k, key.name));
      const std::string got = ClosestKey(schema, k);
      INFO("key '" << k << "'");
      if (best > limit) {
        CHECK(got.empty());
      } else {
        REQUIRE_FALSE(got.empty());
        CHECK(lev(k, got) == best);
      }
    }
    CHECK(ClosestKey(schema, std::string(100000, 'm')).empty());  // long: no quadratic work
  }

  TEST_CASE("a cross-key error starts with where each key it names was given") {
    auto schema = TestSchema();
    schema.checks.push_back([](const Config& c) {
      return c.Int("mqtt.port") == 1 && c.String("policy") == "block"
                 ? Status::InvalidArgument("config keys 'policy' and 'mqtt.port' disagree")
                 : Status::Ok();
    });
    auto r = Config::Parse(schema, "node.name = n\nmqtt.port = 1\npolicy = block\n", "t.conf", {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() ==
          "t.conf:3, t.conf:2: config keys 'policy' and 'mqtt.port' disagree");
    // A key at its default has no place; one from the command line says so; 'mqtt.*' stands
    // for every mqtt key.
    schema.checks.back() = [](const Config& c) {
      return c.Int("mqtt.port") == 1 ? Status::InvalidArgument("config keys 'mqtt.*' and policy.")
                                     : Status::Ok();
    };
    r = Config::Parse(schema, "", "t.conf", {"mqtt.port=1"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "command line: config keys 'mqtt.*' and policy.");
    r = Config::Parse(schema, "mqtt.port = 1\npolicy = block\n", "t.conf", {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "t.conf:1, t.conf:2: config keys 'mqtt.*' and policy.");
  }

  TEST_CASE("every failing cross-key check is named, after the values parsed") {
    auto schema = TestSchema();
    schema.checks.push_back([](const Config&) { return Status::InvalidArgument("first check"); });
    schema.checks.push_back([](const Config&) { return Status::InvalidArgument("second check"); });
    auto both = Config::Parse(schema, "", "t.conf", {});
    REQUIRE_FALSE(both.ok());
    CHECK(both.status().message() == "first check\nsecond check");
    // A value that does not parse: the checks (which read typed values) do not run.
    auto bad = Config::Parse(schema, "", "t.conf", {"rate=fast"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message().find("first check") == std::string::npos);
  }
}
}  // namespace tern
