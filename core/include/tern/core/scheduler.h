// The core's scheduler: decides the order in which spooled chunks are handed to processors.
//
// Three levels, each work-conserving (Next() returns an item whenever anything is queued):
//   1. Lane: live data vs backlog (old data, or data resent from an edge's outbox after an
//      outage). Backlog is guaranteed `backlog_min_share` of the bytes served while both lanes
//      are waiting; beyond that, live data goes first, so a returning edge cannot hold back
//      live alarms (the field's complaint: Azure/iotedge#2486).
//   2. Class, within a lane: alarm, high, normal, bulk, each guaranteed `class_min_share[c]`
//      of the lane's served bytes while it has data waiting. Surplus (share a class leaves
//      unused, or that is unassigned) goes to the most urgent waiting class. So no class
//      starves under a flood of more urgent data (emqx/emqx#18830), and a light alarm stream
//      is served next whenever it is within its share.
//   3. Edge, within a (lane, class): deficit round robin with quantum `quantum_bytes` times
//      the edge's weight, so a flood from one edge cannot starve another and served bytes
//      follow the weights.
// Levels 1 and 2 use byte credits: every served byte credits each waiting lane or class with
// its share and debits the one served. A lane or class with credit >= 0 is owed service and
// is picked first (most urgent first); if none is owed, the most urgent waiting one is picked.
// Debt is capped at `quantum_bytes` (use of surplus is not held against a class later), and a
// class that is not waiting repays debt at its share rate but never saves up credit.
//
// Deterministic: no clock inside; callers pass times in ms. Not thread-safe: one thread (the
// core's worker) owns a Scheduler; guard it externally if shared.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tern/common/status.h"

namespace tern::core {

// Priority classes, most urgent first; the same numbering as tern::Priority.
inline constexpr int kSchedClasses = 4;
// "alarm", "high", "normal", "bulk"; "?" outside [0, kSchedClasses).
const char* SchedClassName(int cls);

// One spooled chunk waiting for processing.
struct SchedItem {
  std::string id;            // chunk id; unique among queued items
  uint32_t edge = 0;         // origin address
  int cls = 2;               // 0 alarm, 1 high, 2 normal, 3 bulk
  bool backlog = false;      // resent from an outbox after an outage, or known old
  uint64_t bytes = 0;        // cost measure for fairness (wire bytes); 0 counts as 1
  uint64_t enqueued_ms = 0;  // when it was spooled (caller's monotonic ms)
  // Data time in the same ms scale as enqueued_ms (e.g. the chunk's last record), 0 = unknown.
  // If enqueued_ms - data_ms > backlog_age_ms the item goes to the backlog lane.
  uint64_t data_ms = 0;
};

struct SchedulerConfig {
  // Minimum share of a lane's served bytes for each class while it has data waiting.
  // Each in (0, 1]; the sum at most 1 (any remainder is surplus for the most urgent class).
  std::array<double, kSchedClasses> class_min_share = {0.40, 0.30, 0.20, 0.10};
  // Minimum share of served bytes for the backlog lane while both lanes wait; in (0, 1).
  double backlog_min_share = 0.20;
  // DRR quantum per edge turn (times the edge's weight); also the cap on a class's debt.
  uint64_t quantum_bytes = 256 * 1024;
  // Items whose data is older than this on enqueue go to the backlog lane (0 = never by age).
  uint64_t backlog_age_ms = 30'000;

  // OK, or InvalidArgument naming the first bad field (e.g. "class_min_share[3]").
  Status Validate() const;
  nlohmann::json ToJson() const;
};

// Queue and service figures for one (edge, class), over both lanes.
struct SchedStats {
  uint64_t depth = 0;          // items waiting
  uint64_t queued_bytes = 0;   // bytes waiting
  uint64_t oldest_age_ms = 0;  // now - enqueued_ms of the oldest waiting item, 0 if none
  uint64_t served_items = 0;   // handed out by Next() since construction
  uint64_t served_bytes = 0;
};

class Scheduler {
 public:
  // `config` must pass Validate() (asserted); use Create() to get a Status instead.
  explicit Scheduler(SchedulerConfig config = {});
  static Result<Scheduler> Create(SchedulerConfig config);

  // Queues an item. InvalidArgument if cls is outside [0, kSchedClasses) or the id is
  // already queued; the scheduler is unchanged then.
  Status Enqueue(SchedItem item);

  // The next item to process, removed from the queue; nullopt only when nothing is queued.
  // `now_ms` is used for nothing but the stats it may record; order never depends on it.
  std::optional<SchedItem> Next(uint64_t now_ms);

  // Drops a queued item (e.g. deleted or already processed elsewhere). False if not queued.
  bool Remove(const std::string& id);

  // Sets an edge's weight (> 0, default 1.0 for unknown edges); used from its next DRR turn
  // on, in every lane and class. InvalidArgument if weight is not a finite number > 0.
  Status SetEdgeWeight(uint32_t edge, double weight);
  double EdgeWeight(uint32_t edge) const;

  // Items and bytes queued; whether an id is queued; the config in force.
  size_t size() const { return items_; }
  bool empty() const { return items_ == 0; }
  uint64_t queued_bytes() const { return bytes_; }
  bool contains(const std::string& id) const { return index_.count(id) != 0; }
  const SchedulerConfig& config() const { return config_; }

  // Figures for one (edge, class); all zero for an edge never seen.
  SchedStats Stats(uint32_t edge, int cls, uint64_t now_ms) const;
  // Served bytes per lane since construction: [0] live, [1] backlog.
  std::array<uint64_t, 2> served_bytes_by_lane() const { return lane_served_bytes_; }

  // For the HTTP API and status files: totals, config, per lane, per class and per edge and
  // class {depth, queued_bytes, oldest_age_ms, served_items, served_bytes}, plus credits.
  nlohmann::json Snapshot(uint64_t now_ms) const;

 private:
  using ItemList = std::list<SchedItem>;
  struct EdgeQueue {
    ItemList items;
    uint64_t bytes = 0;
    double deficit = 0;
    bool in_ring = false;
    bool turn_started = false;  // got its quantum for the current turn
  };
  struct ClassQueue {
    std::map<uint32_t, EdgeQueue> edges;
    std::vector<uint32_t> ring;  // active edges, round-robin order; ring_pos is the current one
    size_t ring_pos = 0;
    size_t items = 0;
    double credit = 0;
  };
  struct Lane {
    std::array<ClassQueue, kSchedClasses> classes;
    size_t items = 0;
    double credit = 0;
  };
  struct Where {
    int lane;
    int cls;
    ItemList::iterator it;
  };
  struct Counters {
    uint64_t depth = 0, queued_bytes = 0, served_items = 0, served_bytes = 0;
  };

  static uint64_t Cost(const SchedItem& item) { return item.bytes == 0 ? 1 : item.bytes; }
  int PickLane() const;
  int PickClass(const Lane& lane) const;
  ItemList::iterator PickDrr(ClassQueue& cq);
  void Unlink(int lane, int cls, ItemList::iterator it);
  void Account(int lane, int cls, uint64_t cost);
  uint64_t OldestEnqueued(uint32_t edge, int cls, bool* any) const;

  SchedulerConfig config_;
  std::array<Lane, 2> lanes_;
  std::unordered_map<std::string, Where> index_;
  std::map<uint32_t, double> weights_;
  std::map<std::pair<uint32_t, int>, Counters> counters_;
  std::array<uint64_t, 2> lane_served_bytes_{};
  size_t items_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace tern::core
