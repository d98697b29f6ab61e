// The scrubber: re-reads and re-hashes every chunk in this store at a throttled rate, so a
// copy that rotted on disk is found by its own store, not only when someone reads it. It
// walks the store in id order (pages of ids by key, then one chunk at a time from SQLite),
// the whole store once per `period`: each pass starts `period` after the previous one
// started and aims to finish within half of it, at a pace of at most `max_bytes_per_s` (and
// at least 64 KB/s, so a small period with a big store finishes as fast as allowed). A
// chunk whose bytes do not hash to its id goes to `on_corrupt` (the store service condemns
// it: quarantine, ERROR log, `corrupt` to the core). A chunk whose blob data lives in a
// shared body (body_store.h) is read with that body put back, so a rotted shared body fails
// every chunk that references it, each found and handled on its own.
// The first pass starts at Start(). Where a pass has got to is kept in the store's meta table
// ("scrub_cursor", after every page of ids), so a restart resumes the pass instead of
// starting over: with a period of days and restarts more often than that, the end of the
// store is still scrubbed.
// It runs on its own thread; the store's reads are short (one chunk) and share the read
// connection with the loop, so scrub never stalls replication.
// Counters: scrub_chunks_checked, scrub_bytes_checked, scrub_passes (full passes
// completed), scrub_corrupt_found, scrub_errors (a read failed: the pass goes on later);
// gauge scrub_bytes_per_s (the current pass's pace).
// Thread-safety: Start and Stop from one thread; on_corrupt runs on the scrubber's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "tern/common/chunk.h"
#include "tern/common/metrics.h"
#include "tern/edge/local_store.h"

namespace tern::edge {

struct ScrubOptions {
  uint64_t period_ms = uint64_t{7} * 24 * 3600 * 1000;  // scrub.period
  uint64_t max_bytes_per_s = uint64_t{8} << 20;         // scrub.max_bytes_per_s
};

class Scrubber {
 public:
  using OnCorrupt = std::function<void(const ChunkId& id)>;
  // `store` and `m` are not owned and outlive the scrubber.
  Scrubber(ScrubOptions o, LocalStore* store, Metrics* m, std::string who, OnCorrupt on_corrupt)
      : o_(o), store_(store), m_(m), who_(std::move(who)), on_corrupt_(std::move(on_corrupt)) {}
  ~Scrubber() { Stop(); }
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  void Start();
  // Stops at the next chunk (waits for the thread).
  void Stop();

 private:
  void Run();
  // One full pass from `cursor` (empty: the start); false if stopped part-way.
  bool Pass(std::string cursor);
  // Keeps where the pass has got to (empty: a pass finished).
  void SaveCursor(const std::string& cursor);
  // Waits `ms` or until stopped; false if stopped.
  bool Sleep(uint64_t ms);

  const ScrubOptions o_;
  LocalStore* store_;
  Metrics* m_;
  const std::string who_;
  OnCorrupt on_corrupt_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // under mu_
  std::thread thread_;
};

}  // namespace tern::edge
