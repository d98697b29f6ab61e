// Helpers for the core's unit tests: chunks, envelopes and notices as edges send them, and
// a core.db in a temp dir with an open transaction. Test-only (linked into core_tests).
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "membership.h"
#include "process.h"
#include "settings_book.h"
#include "tern/common/chunk.h"
#include "tern/common/protocol.h"
#include "tern/core/manifest.h"

namespace tern::core::testing {

// A chunk of `n` one-channel sample records made by `origin`.
struct TestChunk {
  ChunkHeader header;
  std::string wire;
  ChunkId id;
  // The uplink envelope (up/<origin>) and a holder's stored notice for it.
  std::string Uplink() const {
    return EncodeEnvelope(EnvelopeType::kUp, header.origin, 0, id, "", wire);
  }
  StoredNotice NoticeBy(uint32_t holder) const {
    return NoticeFor(id, holder, header, wire.size());
  }
};

inline TestChunk MakeChunk(uint32_t origin, uint64_t seq, RecordKind kind = RecordKind::kSamples,
                           size_t n = 4, const std::string& source = "vib") {
  TestChunk c;
  c.header.origin = origin;
  c.header.source = source;
  c.header.kind = kind;
  c.header.seq = seq;
  c.header.channels = kind == RecordKind::kSamples ? 1 : 0;
  std::vector<Record> recs;
  for (size_t i = 0; i < n; ++i) {
    std::string p = kind == RecordKind::kSamples ? EncodeSamples({static_cast<double>(i % 3)})
                                                 : std::string("event");
    recs.push_back({(seq * 100 + i + 1) << 16, seq * 100 + i, p});
  }
  c.header.t_first = recs.front().ts;
  c.header.t_last = recs.back().ts;
  c.wire = BuildChunk(c.header, recs).value();
  c.id = ChunkIdOf(c.wire);
  c.header = DecodeChunk(c.wire).value().header;  // with the fields BuildChunk fills in
  return c;
}

// core.db in a temp dir, inside a transaction (as the commit worker runs handlers).
struct TestDb {
  ::tern::testing::TempDir dir{"core-unit"};
  std::unique_ptr<Manifest> db;
  TestDb() {
    db = Manifest::Open(dir / "core.db").value();
    REQUIRE(db->Begin().ok());
  }
  uint32_t Register(const std::string& name) { return db->Register(name, 0).value(); }
};

// The registry side of the core as a handler sees it: core.db, counters, members, settings.
struct TestRegistry {
  TestDb t;
  Metrics m;
  Membership members{3000, 10000};
  SettingsBook settings{t.db.get(), Topics(), &m};
};

}  // namespace tern::core::testing
