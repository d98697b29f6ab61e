// PressureLadder: see pressure_ladder.h.
#include "pressure_ladder.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>

namespace tern::edge {
namespace {

// What a store at `level` takes, for log lines and refusals.
const char* Takes(Pressure level) {
  switch (level) {
    case Pressure::kAlarmsOnly:
      return "only alarms are taken";
    case Pressure::kNoBulk:
      return "bulk data is refused";
    case Pressure::kNormal:
    case Pressure::kDemote:
      break;
  }
  return "everything is taken";
}

// Why the store is at its level: the full disk, or its fill in percent with `decimals`.
std::string Why(bool disk_full, double fill, int decimals) {
  if (disk_full) return "the local disk is full";
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.*f", decimals, fill * 100);
  return std::string("the store is ") + pct + " % full";
}

}  // namespace

double PressureLadder::Threshold(Pressure p) const {
  switch (p) {
    case Pressure::kDemote:
      return w_.demote;
    case Pressure::kNoBulk:
      return w_.bulk;
    case Pressure::kAlarmsOnly:
      return w_.alarms;
    case Pressure::kNormal:
      break;
  }
  return 0;
}

Pressure PressureLadder::Update(double fill, bool disk_full, bool* changed) {
  if (!std::isfinite(fill) || fill < 0) fill = 0;
  fill_ = fill;
  disk_full_ = disk_full;
  const Pressure before = level_.load();
  // The level the fill reaches going up; then stay at `before` while the fill is within the
  // hysteresis below its watermark.
  Pressure up = Pressure::kNormal;
  for (Pressure p : {Pressure::kDemote, Pressure::kNoBulk, Pressure::kAlarmsOnly}) {
    if (fill >= Threshold(p)) up = p;
  }
  Pressure now = up;
  if (static_cast<int>(before) > static_cast<int>(up) && fill >= Threshold(before) - kHysteresis) {
    now = before;
  }
  if (disk_full) now = Pressure::kAlarmsOnly;
  level_ = now;
  if (changed) *changed = now != before;
  if (m_) m_->Set("store_pressure_level", static_cast<int>(now));
  if (now != before) {
    if (m_) m_->Add("pressure_steps");
    const auto pct = [](double f) { return static_cast<int>(std::lround(f * 100)); };
    const std::string at = Why(disk_full, fill, 0);
    const char* what = Takes(now);
    const std::string marks = "watermarks " + std::to_string(pct(w_.demote)) + "/" +
                              std::to_string(pct(w_.bulk)) + "/" + std::to_string(pct(w_.alarms)) +
                              " %";
    const bool rising = static_cast<int>(now) > static_cast<int>(before);
    spdlog::log(rising ? spdlog::level::warn : spdlog::level::info,
                "{}: disk pressure {} -> {}: {}; {} ({})", who_, PressureName(before),
                PressureName(now), at, what, marks);
  }
  return now;
}

Status PressureLadder::Admit(Priority p) const {
  const Pressure l = level_.load();
  if (PressureAdmits(l, p)) return Status::Ok();
  return Status::ResourceExhausted(Why(disk_full_.load(), fill_.load(), 1) + " (pressure " +
                                   PressureName(l) + "): " + Takes(l));
}

Status PressureLadder::AdmitRecord(Priority p) const {
  Status s = Admit(p);
  if (!s.ok() && m_) m_->Add("records_refused_pressure");
  return s;
}

Status PressureLadder::AdmitReplica(Priority p) const {
  Status s = Admit(p);
  if (!s.ok() && m_) m_->Add("replicas_refused_pressure");
  return s;
}

}  // namespace tern::edge
