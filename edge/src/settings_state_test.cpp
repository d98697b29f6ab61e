#include "settings_state.h"

#include <doctest/doctest.h>

namespace tern::edge {
TEST_SUITE("settings_state") {
  TEST_CASE("settings apply once, permit kinds and show as the core sent them") {
    Metrics m;
    SettingsState s(&m, "line-1");
    CHECK(s.ToJson() == nlohmann::json::object());
    CHECK(s.Permits(RecordKind::kBlob).ok());  // everything until the core says otherwise
    msg::SettingsBody b;
    b.name = "line-1";
    b.kinds = "event";
    CHECK(s.Apply(b));
    CHECK_FALSE(s.Apply(b));  // a repeat changes nothing and is not counted
    CHECK(m.Get("settings_received") == 1);
    CHECK(s.ToJson()["kinds"] == "event");
    CHECK(s.Permits(RecordKind::kEvent).ok());
    Status no = s.Permits(RecordKind::kSamples);
    CHECK(no.code() == Status::Code::kFailedPrecondition);
    CHECK(no.message().find("allowed: event") != std::string::npos);
    auto hostile =
        msg::DecodeText<msg::Settings>(R"({"v":1,"type":"settings","settings":{"kinds":5}})");
    CHECK_FALSE(hostile.ok());
  }
}
}  // namespace tern::edge
