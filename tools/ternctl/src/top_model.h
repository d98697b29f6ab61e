// TopModel: the figures `ternctl top` shows, computed from two successive polls of the core's
// HTTP API (docs/http-api.md), kept apart from the polling and the drawing so the arithmetic
// is tested on synthetic documents: rates from the deltas of heartbeat counters, ack-latency
// percentiles from the deltas of the edges' cumulative histogram counters
// (`ack_ms_<grade>_le_<bound>`), and node state changes and flapping from the states seen
// at each poll. Everything here is an "over the last interval" figure: cumulative numbers
// since a daemon started hide what is happening now.
// Thread-safety: the free functions are stateless; a StateTracker is used by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tern::tools {

// One poll of the core: the documents `top` reads, null where the core did not answer one
// (e.g. /api/v1/scheduler without a scheduler, /api/v1/board without a board).
struct TopPoll {
  int64_t t_ms = 0;          // when it was taken (steady clock, ms)
  nlohmann::json nodes;      // GET /api/v1/nodes
  nlohmann::json status;     // GET /api/v1/status
  nlohmann::json report;     // GET /api/v1/report
  nlohmann::json scheduler;  // GET /api/v1/scheduler
  nlohmann::json alarm;      // the newest row of GET /api/v1/results?anomalies=1&limit=1
  nlohmann::json board;      // GET /api/v1/board's `frame`, null without a board
  std::string error;         // non-empty when the core could not be asked at all
};

// Member `key` of `j`, or null when `j` is not an object or lacks it: the core's documents
// are read without ever throwing on an unexpected shape (a newer or older core).
const nlohmann::json& Field(const nlohmann::json& j, const char* key);

// The upper bounds (ms) of the edges' ack-latency histogram buckets, smallest first; a
// last, unbounded bucket `_le_inf` follows them.
inline constexpr std::array<int64_t, 15> kAckBoundsMs = {
    1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000};
// AckQuantile's answer for the unbounded bucket: slower than the largest bound.
inline constexpr int64_t kAckOverMs = -1;

// The `q` quantile (0 < q <= 1) of the acks of `grade` (local, peer1, peer2, core) that
// happened between two heartbeats' counters: the upper bound of the histogram bucket it
// falls in (kAckOverMs for the unbounded one). nullopt when the counters are absent
// (an edge without histograms) or no ack of that grade happened in between. `prev` may be
// null (first poll: the whole history counts); a counter that went down (the edge
// restarted) counts from zero.
std::optional<int64_t> AckQuantileMs(const nlohmann::json& prev, const nlohmann::json& cur,
                                     const std::string& grade, double q);

// "<=250ms", ">60000ms" (the unbounded bucket) or "-" (nullopt).
std::string FormatAckBound(std::optional<int64_t> bound_ms);

// Per second, the growth of counter `key` between `prev` and `cur` (counter objects) over
// `dt_s` seconds; a counter that went down (restart) counts from zero. nullopt if `cur`
// lacks the counter, `prev` is not an object (first poll) or dt_s <= 0.
std::optional<double> CounterRate(const nlohmann::json& prev, const nlohmann::json& cur,
                                  const char* key, double dt_s);

// Node states seen poll after poll: which node changed state and when, and which flaps.
class StateTracker {
 public:
  static constexpr int64_t kWindowMs = 60'000;  // changes older than this are forgotten
  static constexpr int kFlapChanges = 3;        // this many changes in the window: flapping

  // Records `node`'s state at `now_ms`. The first state seen for a node is not a change.
  void Observe(const std::string& node, const std::string& state, int64_t now_ms);

  struct View {
    std::string state;      // as last observed ("" if never)
    std::string from;       // the state before the last change in the window, or ""
    int64_t ago_ms = -1;    // how long ago that change was seen (-1: none in the window)
    int changes = 0;        // changes in the last kWindowMs
    bool flapping = false;  // changes >= kFlapChanges
  };
  View Get(const std::string& node, int64_t now_ms) const;

 private:
  struct Entry {
    std::string state;
    std::deque<std::pair<int64_t, std::string>> changes;  // (when, from), oldest first
  };
  std::map<std::string, Entry> nodes_;
};

// "live", "live <- offline 3s ago", "live <- offline 3s ago FLAPPING (4 changes/min)".
std::string DescribeState(const StateTracker::View& v);

// Everything `top` shows for `cur`, with `prev` (may be null: first poll) for the interval
// figures; `tracker` must already have observed `cur`'s node states. The document
// `ternctl top --json` prints (tools/ternctl/README.md describes it).
nlohmann::json TopDocument(const TopPoll* prev, const TopPoll& cur, const StateTracker& tracker);

// TopDocument as plain lines (at most ~140 columns): a header, one line per edge, the core's
// lines. The board panel is drawn separately (top_panel.h).
std::vector<std::string> RenderTop(const nlohmann::json& doc);

}  // namespace tern::tools
