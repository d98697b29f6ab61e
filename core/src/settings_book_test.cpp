#include "settings_book.h"

#include <doctest/doctest.h>

#include "core_testing.h"

namespace tern::core {

TEST_SUITE("settings_book") {
  TEST_CASE("the wire form is exactly EdgeSettings::ToJson") {
    EdgeSettings e;
    e.name = "n";
    CHECK(ToSettingsBody(e).ToJson() == e.ToJson());
    e.priority = static_cast<int>(Priority::kAlarm);
    e.weight = 7;
    e.kinds = "samples";
    e.max_bytes_per_s = 99;
    CHECK(ToSettingsBody(e).ToJson() == e.ToJson());
  }

  TEST_CASE("a settings change is picked up once and announced to its edge only") {
    testing::TestDb t;
    Metrics m;
    Membership members(3000, 10000);
    uint32_t a = t.Register("a"), b = t.Register("b");
    members.Add(a, "a");
    members.Add(b, "b");
    SettingsBook book(t.db.get(), Topics(), &m);
    CHECK(book.Of("a").weight == 1);
    auto first = book.Reload(members, false);
    CHECK(first.weights.size() == 2);
    CHECK(first.announcements.empty());
    CHECK(book.Reload(members, true).weights.empty());  // version unchanged
    EdgeSettings s;
    s.name = "b";
    s.weight = 5;
    REQUIRE(t.db->PutSettings(s).ok());
    auto u = book.Reload(members, true);
    REQUIRE(u.announcements.size() == 1);
    CHECK(u.announcements[0].topic == Topics().Down("b"));
    auto msg = msg::DecodeText<msg::Settings>(u.announcements[0].payload);
    REQUIRE(msg.ok());
    CHECK(msg->settings.weight == 5);
    CHECK(book.Of("b").weight == 5);
    CHECK(m.Get("settings_sent") == 1);
  }
}
}  // namespace tern::core
