// A store's disk-pressure level: what a store still takes as it fills up (the ladder that
// sets it is the edge's PressureLadder, edge/src/pressure_ladder.h). Stores report their
// level in heartbeats; the core passes it on in the member list, so every node places new
// copies on stores that take them. On the wire the level is its number (0..3).
// Thread-safety: constants and pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "tern/common/chunk.h"

namespace tern {

enum class Pressure : int {
  kNormal = 0,      // everything is taken
  kDemote = 1,      // everything is taken; the store is filling up (logged, counted, alerted)
  kNoBulk = 2,      // bulk records and bulk replicas are refused
  kAlarmsOnly = 3,  // only alarms are taken
};
inline constexpr int kMaxPressure = 3;

// Where the levels start, as fractions of a store's room, 0 < demote < bulk < alarms <= 1
// (the edge's store.watermark_* keys).
struct Watermarks {
  double demote = 0.80;
  double bulk = 0.90;
  double alarms = 0.95;
};

// "normal", "demote", "no_bulk", "alarms_only".
const char* PressureName(Pressure p);

// The level numbered `n` (the wire form), or nullopt outside 0..kMaxPressure.
std::optional<Pressure> PressureOf(int64_t n);

// Whether a store at level `level` takes a record or replica of priority `p`.
bool PressureAdmits(Pressure level, Priority p);

}  // namespace tern
