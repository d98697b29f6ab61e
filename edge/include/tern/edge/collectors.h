// Collectors: where records come from. Each runs its own thread and hands records to the
// chunker; a refused record (outbox full) is counted and the collector backs off, it is
// never dropped without a count.
//   SyntheticSource  - synchronised multichannel vibration/quality signals at a set rate
//   DropDirCollector - files in a directory become blob records; a file is deleted only
//                      after the chunk holding its last byte is committed locally
//   FeedCollector    - JSON lines or CSV from a file or stdin
//   TopicFeedCollector - the same lines as messages on a local MQTT topic, subscribed
//                      through the edge's Transport
// Thread-safety: each collector is driven by its own thread (the topic feed by the
// transport's network thread); Stop() may be called from any.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tern/common/metrics.h"
#include "tern/common/transport.h"
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

// Feed lines published on `o.topic` (an MQTT filter) by local equipment. The transport has
// one message handler, so the edge routes the messages it receives: Matches() says whether a
// topic is this feed's and OnMessage() takes it. A line that is not a record, or a record
// the chunker refuses, is counted as `rejected_feed` (refusals also as `records_refused`) and
// logged; the network thread never waits for the outbox to drain, so a refused message is
// not retried.
class TopicFeedCollector : public Collector {
 public:
  TopicFeedCollector(FeedOptions o, Chunker* chunker, Metrics* m, Transport* t)
      : o_(std::move(o)), chunker_(chunker), m_(m), t_(t) {}
  // Subscribes to the feed's topic (kept across reconnects by the transport).
  [[nodiscard]] Status Subscribe();
  // Takes messages from now on (until Stop()).
  void Start() override { running_ = true; }
  void Stop() override { running_ = false; }
  bool Matches(const std::string& topic) const;
  // One message of the feed; on the transport's network thread.
  void OnMessage(const std::string& topic, std::string_view payload);

 private:
  FeedOptions o_;
  Chunker* chunker_;
  Metrics* m_;
  Transport* t_;
  std::atomic<bool> running_{false};
};

// A jsonl record's own tags (its "tags" field), or why the field was not taken.
struct FeedTags {
  std::vector<std::string> tags;  // sorted, unique, valid (tags.h)
  std::string error;              // non-empty: the field was bad and is ignored
};

// Turns one feed line into a record payload: jsonl lines must be a JSON object (kept as
// text); csv lines are numeric columns, `channels` of them (encoded as samples). A header
// row (non-numeric) is reported as NotFound so callers can skip it silently. With `tags`, a
// jsonl object's "tags" field (an array of at most 16 tag strings) is read into it; a bad
// field sets tags->error and the record is still returned (kept without the tags).
Result<std::string> FeedLineToPayload(const std::string& line, const std::string& format,
                                      uint16_t channels, FeedTags* tags = nullptr);

// Offers `payload` to the chunker, retrying while the outbox is full (back-pressure) until
// `stop` is set. Counts "<prefix>_records" and "<prefix>_refused".
Status OfferWithBackoff(Chunker* chunker, const std::string& source, std::string payload,
                        Metrics* m, const std::atomic<bool>& stop,
                        const std::vector<std::string>& tags = {});

}  // namespace tern::edge
