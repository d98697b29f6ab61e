// SettingsPatch: the values `ternctl edge set` and the HTTP settings PUT accept, and the
// errors that name the setting, from flags (strings) and from JSON bodies.
#include "tern/core/settings_patch.h"

#include <doctest/doctest.h>

namespace tern::core {

TEST_SUITE("settings patch") {
  TEST_CASE("a patch changes only what it names and is validated") {
    EdgeSettings base;
    base.name = "edge-a";
    base.weight = 4;
    SettingsPatch p;
    auto same = ApplySettingsPatch(base, p);
    REQUIRE(same.ok());
    CHECK(same->ToJson() == base.ToJson());
    p.priority = "high";
    p.kinds = "none";
    p.rate = "2K";
    auto e = ApplySettingsPatch(base, p);
    REQUIRE(e.ok());
    CHECK(e->priority == 1);
    CHECK(e->weight == 4);
    CHECK(e->kinds.empty());
    CHECK(e->max_bytes_per_s == 2048);
    p = {};
    p.priority = "keep";
    CHECK(ApplySettingsPatch(base, p)->priority == -1);

    auto names = [&](SettingsPatch bad, const std::string& key) {
      auto r = ApplySettingsPatch(base, bad);
      REQUIRE(!r.ok());
      CHECK(r.status().code() == Status::Code::kInvalidArgument);
      CHECK(r.status().message().find("'" + key + "'") != std::string::npos);
    };
    names({"urgent", {}, {}, {}, {}}, "priority");
    names({{}, 0, {}, {}, {}}, "weight");
    names({{}, 1001, {}, {}, {}}, "weight");
    names({{}, int64_t{1} << 40, {}, {}, {}}, "weight");
    names({{}, {}, "samples,video", {}, {}}, "kinds");
    names({{}, {}, {}, "lots", {}}, "rate");
    names({{}, {}, {}, {}, 2}, "protocol");
  }

  TEST_CASE("JSON bodies: types checked, unknown keys refused, kinds as a list") {
    auto p = SettingsPatchFromJson(nlohmann::json::parse(
        R"({"priority": "bulk", "weight": 3, "kinds": ["samples", "blob"], "rate": 1000,
            "protocol": 1})"));
    REQUIRE(p.ok());
    CHECK(*p->priority == "bulk");
    CHECK(*p->weight == 3);
    CHECK(*p->kinds == "samples,blob");
    CHECK(*p->rate == "1000");
    CHECK(*p->protocol == 1);
    CHECK(*SettingsPatchFromJson(nlohmann::json::parse(R"({"kinds": []})"))->kinds == "none");
    CHECK(SettingsPatchFromJson(nlohmann::json::object()).ok());
    for (auto [text, key] : std::vector<std::pair<std::string, std::string>>{
             {R"({"priority": 1})", "'priority'"},
             {R"({"weight": 2.5})", "'weight'"},
             {R"({"weight": 18446744073709551615})", "'weight'"},
             {R"({"kinds": [1]})", "'kinds'"},
             {R"({"kinds": ["a,b"]})", "'kinds'"},
             {R"({"kinds": {"x": 1}})", "'kinds'"},
             {R"({"rate": true})", "'rate'"},
             {R"({"max_bytes_per_s": 5})", "'max_bytes_per_s'"},
             {R"("weight")", "body"}}) {
      CAPTURE(text);
      auto r = SettingsPatchFromText(text);
      REQUIRE(!r.ok());
      CHECK(r.status().message().find(key) != std::string::npos);
    }
    CHECK(SettingsPatchFromText("").status().message().rfind("body:", 0) == 0);
    CHECK(SettingsPatchFromText("{").status().message().rfind("body:", 0) == 0);
  }
}

}  // namespace tern::core
