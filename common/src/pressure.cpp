// Pressure levels: see pressure.h.
#include "tern/common/pressure.h"

namespace tern {

const char* PressureName(Pressure p) {
  switch (p) {
    case Pressure::kNormal:
      return "normal";
    case Pressure::kDemote:
      return "demote";
    case Pressure::kNoBulk:
      return "no_bulk";
    case Pressure::kAlarmsOnly:
      return "alarms_only";
  }
  return "normal";
}

std::optional<Pressure> PressureOf(int64_t n) {
  if (n < 0 || n > kMaxPressure) return std::nullopt;
  return static_cast<Pressure>(n);
}

bool PressureAdmits(Pressure level, Priority p) {
  switch (level) {
    case Pressure::kNormal:
    case Pressure::kDemote:
      return true;
    case Pressure::kNoBulk:
      return p != Priority::kBulk;
    case Pressure::kAlarmsOnly:
      return p == Priority::kAlarm;
  }
  return true;
}

}  // namespace tern
