// Collectors: where records come from. Each runs its own thread and hands records to the
// chunker; a refused record (outbox full) is counted and the collector backs off, it is
// never dropped without a count.
//   SyntheticSource  - synchronised multichannel vibration/quality signals at a set rate
//   DropDirCollector - files in a directory become blob records; a file is deleted only
//                      after the chunk holding its last byte is committed locally
//   FeedCollector    - JSON lines or CSV from a file or stdin
// FeedLineToPayload is shared with the MQTT-topic feed inside the agent.
// Thread-safety: each collector is driven by its own thread; Stop() may be called from any.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tern/common/metrics.h"
#include "tern/edge/chunker.h"
#include "tern/edge/options.h"

namespace tern::edge {

class Collector {
 public:
  virtual ~Collector() = default;
  virtual void Start() = 0;
  virtual void Stop() = 0;
};

class SyntheticSource : public Collector {
 public:
  SyntheticSource(SyntheticOptions o, Chunker* chunker, Metrics* m)
      : o_(std::move(o)), chunker_(chunker), m_(m) {}
  ~SyntheticSource() override { Stop(); }
  void Start() override;
  void Stop() override;
  // The sample vector for record number `n` (deterministic, for tests and analysis).
  static std::vector<double> Sample(uint64_t n, int channels, double rate);

 private:
  void Run();
  SyntheticOptions o_;
  Chunker* chunker_;
  Metrics* m_;
  std::atomic<bool> stop_{false};
  std::thread t_;
};

class DropDirCollector : public Collector {
 public:
  DropDirCollector(DropDirOptions o, Chunker* chunker, Metrics* m)
      : o_(std::move(o)), chunker_(chunker), m_(m) {}
  ~DropDirCollector() override { Stop(); }
  void Start() override;
  void Stop() override;

 private:
  void Run();
  void ScanOnce();
  DropDirOptions o_;
  Chunker* chunker_;
  Metrics* m_;
  std::atomic<bool> stop_{false};
  std::thread t_;
  std::mutex mu_;
  std::set<std::string> in_flight_;  // files accepted, not yet durable
};

class FeedCollector : public Collector {
 public:
  FeedCollector(FeedOptions o, Chunker* chunker, Metrics* m)
      : o_(std::move(o)), chunker_(chunker), m_(m) {}
  ~FeedCollector() override { Stop(); }
  void Start() override;
  void Stop() override;

 private:
  void Run();
  FeedOptions o_;
  Chunker* chunker_;
  Metrics* m_;
  std::atomic<bool> stop_{false};
  std::thread t_;
};

// Turns one feed line into a record payload: jsonl lines must be a JSON object (kept as
// text); csv lines are numeric columns, `channels` of them (encoded as samples). A header
// row (non-numeric) is reported as NotFound so callers can skip it silently.
Result<std::string> FeedLineToPayload(const std::string& line, const std::string& format,
                                      uint16_t channels);

// Offers `payload` to the chunker, retrying while the outbox is full (back-pressure) until
// `stop` is set. Counts "<prefix>_records" and "<prefix>_refused".
Status OfferWithBackoff(Chunker* chunker, const std::string& source, std::string payload,
                        Metrics* m, const std::atomic<bool>& stop);

}  // namespace tern::edge
