// What the core knows of the edges' placement (placement.h): each origin's placement window
// and source groups, as its heartbeats say them, so that the core gives a manifest chunk the
// same placement key its origin gave it. The repairer ranks new holders by that key (so a
// repaired window stays on the same stores where enough remain) and the core measures how
// well the site keeps a group's windows together.
//
// The book lives in memory: after a core restart an origin's groups are known again with its
// first heartbeat (about a second); until then, and for an origin never heard from since the
// start (a dead one), its chunks are keyed as ungrouped with the default window (10 s).
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tern/common/messages.h"
#include "tern/common/placement.h"
#include "tern/core/holder_index.h"

namespace tern::core {

// The co-location figure over the recent windows (see PlacementBook::Measure).
struct PlacementQuality {
  int64_t windows = 0;    // (group, window) pairs with at least two acked chunks in the period
  int64_t colocated = 0;  // of those, the ones some `copies - 1` good stores hold entirely
  uint64_t period_ms = 0;
  // colocated / windows in thousandths; -1 when there is no window to judge.
  int64_t Permille() const { return windows == 0 ? -1 : colocated * 1000 / windows; }
};

class PlacementBook {
 public:
  // What origin `addr` said in its heartbeat (a heartbeat without placement fields resets it
  // to ungrouped with the default window: an older edge places at random anyway).
  void OnHeartbeat(uint32_t addr, const msg::Heartbeat& hb);
  // The placement key its origin gave chunk `r`.
  placement::Key KeyOf(const ChunkRecord& r) const;
  // The (origin, source) pairs whose origins said they are in `group`, ascending.
  std::vector<std::pair<uint32_t, std::string>> SourcesOf(const std::string& group) const;
  // The origin's window in ms (the default if it never said).
  uint64_t WindowOf(uint32_t origin) const;

  // The co-location figure over the acked edge chunks (not results: the core places those)
  // whose first record is at most `period_ms` older than `now_wall_ms`: their (group, window)
  // pairs with at least two such chunks, and how many of them have at least `copies - 1`
  // stores that are good (`good`) and hold every one of the pair's chunks. Those are the
  // stores rendezvous placement gives every chunk of the window, whatever its origin.
  PlacementQuality Measure(const std::vector<ChunkRecord>& all,
                           const std::function<bool(uint32_t)>& good, int copies,
                           uint32_t core_addr, uint64_t now_wall_ms, uint64_t period_ms) const;

 private:
  struct Origin {
    uint64_t window_ms = placement::kDefaultWindowMs;
    std::map<std::string, std::string> groups;
  };
  std::map<uint32_t, Origin> origins_;
};

}  // namespace tern::core
