// BoardRecorder: the control board's events become data. The board thread hands each event
// over (Offer: stamped with the recorder's hybrid logical clock, queued, never blocking);
// the commit worker seals what waits into chunks of source `board` (origin: the core's own
// address, kind event, one record per event holding the event's JSON) once the oldest
// waiting event is `window_ms` old or `max_events` wait, records them in core.db
// (own_chunks) and places them on three stores like result chunks (ResultPlacer).
// Chunk and record sequence numbers and stamps continue above those recorded before a
// restart (OwnChunkStore::Marks), so they never repeat. When `max_queued` events wait (the
// worker is behind), further events are dropped: counted (board_events_dropped) and logged,
// the first ten and then every thousandth.
// Thread-safety: Offer and waiting from any thread (the board's); Seal from one thread at a
// time (the commit worker): it alone numbers the chunks.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/hlc.h"
#include "tern/common/metrics.h"
#include "tern/core/own_chunk_store.h"

namespace tern::core {

struct BoardRecorderOptions {
  uint64_t window_ms = 1000;  // board.events_window: how long the first event waits
  size_t max_events = 256;    // board.events_max: events per chunk
  size_t max_queued = 4096;   // events waiting for the worker before new ones are dropped
};

class BoardRecorder {
 public:
  static constexpr const char* kSource = "board";

  // Chunks of origin `origin`, numbered from `resume`; `m` counts board_events_dropped.
  // `mono_ms` (monotonic) times the window, `wall_ms` feeds the stamps; empty: the clocks.
  BoardRecorder(BoardRecorderOptions o, uint32_t origin, const OwnSourceMarks& resume, Metrics* m,
                std::function<uint64_t()> mono_ms = nullptr, HybridClock::WallMs wall_ms = nullptr);

  // Queues one event (any thread). Never blocks on the worker: a full queue drops it.
  void Offer(const nlohmann::json& event);

  // The chunks due now, oldest events first, as rows for OwnChunkStore::Insert (source,
  // numbers, stamps, wire); `flush`: everything waiting, due or not (the core stopping).
  // An event whose chunk cannot be built is dropped and counted.
  std::vector<OwnChunkRow> Seal(bool flush = false);

  // Events waiting to be sealed.
  size_t waiting() const;

 private:
  struct Waiting {
    uint64_t stamp;
    std::string json;
  };
  void Drop(const std::string& why, size_t n);

  BoardRecorderOptions o_;
  uint32_t origin_;
  Metrics* m_;
  std::function<uint64_t()> mono_ms_;
  HybridClock clock_;
  mutable std::mutex mu_;
  std::deque<Waiting> queue_;
  uint64_t first_ms_ = 0;             // when the oldest waiting event arrived (monotonic)
  uint64_t next_seq_, next_record_;   // Seal's thread only
  std::atomic<uint64_t> dropped_{0};  // for the log's rate limit
};

}  // namespace tern::core
