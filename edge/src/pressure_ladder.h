// The disk-pressure ladder (levels: tern/common/pressure.h): how full a store is decides what it
// still takes, so a full disk is something the site sees coming rather than a surprise. The fill is
// the larger of the store's chunk bytes over node.capacity and the used share of the filesystem
// holding the data directory (other files on the disk count too). Four levels, each with its
// watermark (store.watermark_demote / _bulk / _alarms, defaults 80 / 90 / 95 %):
//   normal      everything is taken;
//   demote      (>= 80 %) everything is still taken; the step is logged, counted and alerted
//               on, so an operator adds room before the next steps (tiers will also demote
//               faster from here);
//   no_bulk     (>= 90 %) bulk records and bulk replicas are refused; the heartbeat tells the
//               core, whose member list then tells every peer to place bulk copies elsewhere;
//   alarms_only (>= 95 %) only alarms are taken, own or replica.
// A failed local commit on a full disk (ENOSPC) puts the store at alarms_only whatever the
// fill says, as before. A level goes up as soon as its watermark is reached and comes down
// only once the fill is `kHysteresis` below it, so a store at the edge does not flap.
// Nothing here ever drops a stored chunk: the ladder only refuses new data.
// Each change of level is a log line (WARN going up, INFO coming down, with the fill and the
// watermarks) and counted (`pressure_steps`); the gauge `store_pressure_level` is the level
// (0..3); refusals are counted as `records_refused_pressure` (own records at admission) and
// `replicas_refused_pressure` (peers' copies, answered put_nack).
// Thread-safety: Update from one thread at a time; the rest from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "tern/common/chunk.h"
#include "tern/common/metrics.h"
#include "tern/common/pressure.h"
#include "tern/common/status.h"

namespace tern::edge {

class PressureLadder {
 public:
  static constexpr double kHysteresis = 0.02;

  // `m` (may be null: nothing counted) is not owned; `who` prefixes log lines ("edge e1").
  explicit PressureLadder(Watermarks w, Metrics* m = nullptr, std::string who = "")
      : w_(w), m_(m), who_(std::move(who)) {}

  // The fill now (0..1; above 1 when a store is past its capacity) and whether the last
  // local commit failed on a full disk: the new level. `changed` is set when it differs
  // from the level before.
  Pressure Update(double fill, bool disk_full, bool* changed = nullptr);
  Pressure level() const { return level_.load(); }
  // The last fill given to Update.
  double fill() const { return fill_.load(); }
  // OK, or ResourceExhausted saying the level and the fill, for data of priority `p`.
  [[nodiscard]] Status Admit(Priority p) const;
  // Admit, counting a refusal as records_refused_pressure / replicas_refused_pressure.
  [[nodiscard]] Status AdmitRecord(Priority p) const;
  [[nodiscard]] Status AdmitReplica(Priority p) const;

 private:
  double Threshold(Pressure p) const;
  const Watermarks w_;
  Metrics* const m_;
  const std::string who_;
  std::atomic<Pressure> level_{Pressure::kNormal};
  std::atomic<double> fill_{0};
  std::atomic<bool> disk_full_{false};
};

}  // namespace tern::edge
