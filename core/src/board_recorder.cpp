// BoardRecorder: see board_recorder.h.
#include "board_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace tern::core {

BoardRecorder::BoardRecorder(BoardRecorderOptions o, uint32_t origin, const OwnSourceMarks& resume,
                             Metrics* m, std::function<uint64_t()> mono_ms,
                             HybridClock::WallMs wall_ms)
    : o_(o),
      origin_(origin),
      m_(m),
      mono_ms_(std::move(mono_ms)),
      clock_(std::move(wall_ms)),
      next_seq_(resume.next_seq),
      next_record_(resume.next_record) {
  if (!mono_ms_) mono_ms_ = [] { return MonotonicMs(); };
  o_.max_events = std::max<size_t>(o_.max_events, 1);
  if (resume.last_stamp != 0) clock_.Restore(resume.last_stamp);
  m_->Add("board_events", 0);
  m_->Add("board_events_dropped", 0);
}

void BoardRecorder::Drop(const std::string& why, size_t n) {
  m_->Add("board_events_dropped", static_cast<int64_t>(n));
  const uint64_t before = dropped_.fetch_add(n);
  const uint64_t after = before + n;
  if (before < 10 || before / 1000 != after / 1000) {
    spdlog::warn("core: board events dropped ({} so far): {}", after, why);
  }
}

void BoardRecorder::Offer(const nlohmann::json& event) {
  std::string text = event.dump();
  std::lock_guard<std::mutex> lk(mu_);
  if (queue_.size() >= o_.max_queued) {
    return Drop("the recorder is behind: " + std::to_string(queue_.size()) + " events wait", 1);
  }
  if (queue_.empty()) first_ms_ = mono_ms_();
  queue_.push_back({clock_.Now(), std::move(text)});
}

size_t BoardRecorder::waiting() const {
  std::lock_guard<std::mutex> lk(mu_);
  return queue_.size();
}

std::vector<OwnChunkRow> BoardRecorder::Seal(bool flush) {
  // Take the due batches under the lock; build them outside it, so the board thread's Offer
  // waits for a few pops at most.
  std::vector<std::vector<Waiting>> batches;
  {
    std::lock_guard<std::mutex> lk(mu_);
    while (!queue_.empty()) {
      const bool due =
          flush || queue_.size() >= o_.max_events || mono_ms_() - first_ms_ >= o_.window_ms;
      if (!due) break;
      const size_t n = std::min(queue_.size(), o_.max_events);
      auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
      batches.emplace_back(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
      // What is left arrived after these: its window starts now, not with the first event.
      if (!queue_.empty()) first_ms_ = mono_ms_();
    }
  }
  std::vector<OwnChunkRow> out;
  for (auto& batch : batches) {
    const size_t n = batch.size();
    std::vector<Record> records;
    records.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      records.push_back({batch[i].stamp, next_record_ + i, std::move(batch[i].json)});
    }
    ChunkHeader h;
    h.origin = origin_;
    h.source = kSource;
    h.kind = RecordKind::kEvent;
    h.priority = Priority::kNormal;
    h.codec = Codec::kRaw;
    h.seq = next_seq_;
    h.t_first = records.front().ts;
    h.t_last = records.back().ts;
    auto wire = BuildChunk(h, records);
    if (!wire.ok()) {
      Drop("building a board chunk: " + wire.status().ToString(), n);
      continue;
    }
    OwnChunkRow r;
    r.id = ChunkIdOf(*wire);
    r.source = kSource;
    r.seq = next_seq_++;
    r.rec_first = next_record_;
    r.records = static_cast<uint32_t>(n);
    r.t_first = h.t_first;
    r.t_last = h.t_last;
    r.wire = std::move(*wire);
    next_record_ += n;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tern::core
