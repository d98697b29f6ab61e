// PressureLadder: see pressure_ladder.h.
#include "pressure_ladder.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>

namespace tern::edge {

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
    const std::string at = disk_full ? "the local disk is full"
                                     : "the store is " + std::to_string(pct(fill)) + " % full";
    const std::string what = now == Pressure::kAlarmsOnly ? "only alarms are taken"
                             : now == Pressure::kNoBulk   ? "bulk data is refused"
                                                          : "everything is taken";
    const std::string marks = "watermarks " + std::to_string(pct(w_.demote)) + "/" +
                              std::to_string(pct(w_.bulk)) + "/" + std::to_string(pct(w_.alarms)) +
                              " %";
    if (static_cast<int>(now) > static_cast<int>(before)) {
      spdlog::warn("{}: disk pressure {} -> {}: {}; {} ({})", who_, PressureName(before),
                   PressureName(now), at, what, marks);
    } else {
      spdlog::info("{}: disk pressure {} -> {}: {}; {} ({})", who_, PressureName(before),
                   PressureName(now), at, what, marks);
    }
  }
  return now;
}

Status PressureLadder::Admit(Priority p) const {
  const Pressure l = level_.load();
  if (PressureAdmits(l, p)) return Status::Ok();
  char fill[32];
  std::snprintf(fill, sizeof fill, "%.1f", fill_.load() * 100);
  const std::string why = disk_full_.load() ? "the local disk is full"
                                            : std::string("the store is ") + fill + " % full";
  return Status::ResourceExhausted(
      why + " (pressure " + PressureName(l) +
      "): " + (l == Pressure::kNoBulk ? "bulk data is refused" : "only alarms are taken"));
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
