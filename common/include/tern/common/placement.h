// Where a chunk's copies go: weighted rendezvous hashing (highest random weight) over the
// site's stores, keyed by the chunk's placement group and time window, so that every chunk of
// one group and window ranks the stores in the same order and lands on the same peers.
//
// A chunk's key is (group, window): the group is its source's `source.<type>.group` (its own
// source name when none is set) and the window is its first record's stamp in wall-clock
// milliseconds divided by the origin's `placement.window`. Each store gets a score from a
// hash of (group, window, address) and a weight from its load, and the stores are ranked by
// score, best first. The load is quantised into four levels (below 0.25, 0.5, 0.75, and
// above) with weights 1, 0.75, 0.5 and 0.25, so the small changes of load from one
// heartbeat to the next do not reorder the stores; only crossing a level does.
//
// The origin never takes a peer copy of its own chunk: its peers are the first stores of the
// ranking with the origin left out. Leaving one store out keeps the others' order, so every
// origin of a group sends a window's chunks to the same first two stores of the ranking
// (or, when it is one of the first three itself, to the other two of them): the first two
// ranked stores hold every chunk of the window. A store that cannot take a copy (not live,
// draining, refusing, full) is skipped and the next in the order is used; the core's repair
// picks its new holder the same way, so co-location survives a lost store where enough
// remain. The edge (peer choice) and the core (repair targets, quality report) share this code.
// Thread-safety: pure functions over values; safe from any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace tern::placement {

// The default `placement.window`, and the core's window for an origin that has not said its own.
inline constexpr uint64_t kDefaultWindowMs = 10000;

// A store that may take a copy, with its load (0..1, as the core's member list gives it).
struct Candidate {
  uint32_t addr = 0;
  double load = 0.5;
};

// A chunk's placement key.
struct Key {
  std::string group;
  uint64_t window = 0;
  bool operator==(const Key&) const = default;
  auto operator<=>(const Key&) const = default;
};

// The window index of a chunk whose first record has HLC stamp `t_first` (window_ms 0 is
// taken as the default).
uint64_t WindowOf(uint64_t t_first, uint64_t window_ms);
// The key of a chunk of `source` (group empty: the source's own name).
Key KeyOf(const std::string& group, const std::string& source, uint64_t t_first,
          uint64_t window_ms);

// The load level, 0..3 (below 0.25, below 0.5, below 0.75, the rest), and its weight.
int LoadLevel(double load);
double Weight(double load);

// How far past a level's boundary a load must go before the load placement uses changes
// level (StickyLoad).
inline constexpr double kLoadHysteresis = 0.05;
// The load to place by, given the one placed by until now (`placed`) and the node's load
// now: `now`, unless it is in another level than `placed` but within kLoadHysteresis of the
// boundary between them; then `placed`. A load that jitters around a boundary (CPU share on a
// busy box) would otherwise reorder the stores back and forth and split windows. The core
// applies it before it publishes loads in the member list; every node ranks by those.
double StickyLoad(double placed, double now);
// The store's score for `key` (higher ranks first).
double Score(const Key& key, uint32_t addr, double load);

// `candidates` best first (ties: the lower address first). Duplicates are not removed.
std::vector<uint32_t> Rank(const Key& key, const std::vector<Candidate>& candidates);

}  // namespace tern::placement
