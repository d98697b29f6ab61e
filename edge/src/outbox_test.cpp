#include "outbox.h"

#include <doctest/doctest.h>

namespace tern::edge {
namespace {
ChunkId Id(int n) { return ChunkId(std::string(31, '\0') + static_cast<char>(n)); }
Pending Chunk(int n, uint64_t bytes) {
  Pending p;
  p.id = Id(n);
  p.bytes = bytes;
  p.wire = std::string(bytes, 'w');
  return p;
}
}  // namespace

TEST_SUITE("outbox") {
  TEST_CASE("admission: the byte bound with priority factors, a full disk, permitted kinds") {
    Metrics m;
    SettingsState settings(&m, "e");
    Outbox box({1000, 8, 1 << 20}, &settings);
    SourceSpec normal{"vib", RecordKind::kSamples, Priority::kNormal, 1};
    SourceSpec high{"vib", RecordKind::kSamples, Priority::kHigh, 1};
    SourceSpec alarm{"vib", RecordKind::kSamples, Priority::kAlarm, 1};
    box.Reserve(990);
    CHECK(box.Admit(normal, 10).ok());
    CHECK(box.Admit(normal, 11).code() == Status::Code::kResourceExhausted);
    CHECK(box.Admit(high, 60).ok());  // 105 %
    CHECK_FALSE(box.Admit(high, 61).ok());
    CHECK(box.Admit(alarm, 110).ok());  // 110 %
    CHECK_FALSE(box.Admit(alarm, 111).ok());
    box.Release(990);
    CHECK(box.bytes() == 0);
    CHECK(box.chunks() == 0);
    box.SetDiskFull(true);
    CHECK(box.Admit(normal, 1).code() == Status::Code::kResourceExhausted);
    CHECK(box.Admit(alarm, 1).ok());
    box.SetDiskFull(false);
    msg::SettingsBody only_events;
    only_events.kinds = "event";
    settings.Apply(only_events);
    CHECK(box.Admit(normal, 1).code() == Status::Code::kFailedPrecondition);
  }

  TEST_CASE("admission follows the store's disk-pressure level") {
    Metrics m;
    PressureLadder ladder(Watermarks{}, &m, "test");
    Outbox box({1 << 20, 8, 1 << 20}, nullptr, &ladder);
    SourceSpec bulk{"files", RecordKind::kBlob, Priority::kBulk, 0};
    SourceSpec normal{"vib", RecordKind::kSamples, Priority::kNormal, 1};
    SourceSpec alarm{"ev", RecordKind::kEvent, Priority::kAlarm, 0};
    (void)ladder.Update(0.85, false);  // demote: everything
    CHECK(box.Admit(bulk, 10).ok());
    (void)ladder.Update(0.91, false);  // no_bulk
    CHECK(box.Admit(bulk, 10).code() == Status::Code::kResourceExhausted);
    CHECK(box.Admit(normal, 10).ok());
    (void)ladder.Update(0.97, false);  // alarms only
    CHECK_FALSE(box.Admit(normal, 10).ok());
    CHECK(box.Admit(alarm, 10).ok());
    CHECK(m.Get("records_refused_pressure") == 2);
    CHECK(m.Get("pressure_steps") == 3);
    CHECK(m.Get("store_pressure_level") == 3);
  }

  TEST_CASE("the window: bounded in chunks and bytes, live and backlog alternate") {
    Outbox box({1 << 20, 3, 1 << 20}, nullptr);
    std::vector<OutboxEntry> before;
    for (int i = 1; i <= 3; ++i) before.push_back({Id(i), 2, 100, 0});
    box.Restore(before);
    CHECK(box.chunks() == 3);
    CHECK(box.bytes() == 300);
    for (int i = 11; i <= 13; ++i) {
      box.Reserve(100);
      box.AddCommitted(Chunk(i, 100));
    }
    int loads = 0;
    auto load = [&](const ChunkId& id) -> std::optional<std::string> {
      ++loads;
      return std::string(100, static_cast<char>(id[31]));
    };
    auto fill = box.FillWindow(load);
    // Live first, then every other slot from the backlog.
    CHECK(fill.admitted == std::vector<ChunkId>{Id(11), Id(1), Id(12)});
    CHECK(loads == 1);  // only the backlog chunk was read back
    CHECK(box.window().size() == 3);
    CHECK(box.FillWindow(load).admitted.empty());  // full
    CHECK(box.Remove(Id(1)));
    CHECK_FALSE(box.Remove(Id(1)));  // a second ack frees nothing
    CHECK(box.chunks() == 5);
    CHECK(box.bytes() == 500);
    CHECK(box.FillWindow(load).admitted == std::vector<ChunkId>{Id(2)});
    CHECK(box.window_bytes() == 300);
  }

  TEST_CASE("the window stops at its byte bound, a chunk missing from the store is left out") {
    Outbox box({1 << 20, 100, 250}, nullptr);
    box.Restore({{Id(1), 2, 100, 0}, {Id(2), 2, 100, 0}, {Id(3), 2, 100, 0}, {Id(4), 2, 100, 0}});
    auto fill = box.FillWindow([](const ChunkId& id) -> std::optional<std::string> {
      if (id == Id(2)) return std::nullopt;
      return std::string(100, 'x');
    });
    CHECK(fill.missing == std::vector<ChunkId>{Id(2)});
    CHECK(fill.admitted == std::vector<ChunkId>{Id(1), Id(3), Id(4)});  // 300 >= 250 stops it
    CHECK(box.window_bytes() == 300);
    REQUIRE(box.Find(Id(3)));
    CHECK(box.Find(Id(3))->in_window);
    CHECK_FALSE(box.Find(Id(9)));
  }

  TEST_CASE("committed chunks keep their bytes only near the window") {
    Outbox box({1 << 20, 2, 1 << 20}, nullptr);
    for (int i = 1; i <= 3; ++i) box.AddCommitted(Chunk(i, 1000));
    CHECK_FALSE(box.Find(Id(1))->wire.empty());
    CHECK_FALSE(box.Find(Id(2))->wire.empty());
    CHECK(box.Find(Id(3))->wire.empty());            // read back when it enters the window
    CHECK(box.Find(Id(3))->wire.capacity() < 1000);  // its buffer is gone, not just emptied
  }
}
}  // namespace tern::edge
