// Scrubber: throttled passes re-hashing every stored chunk.
#include "scrubber.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "tern/common/bytes.h"
#include "tern/common/hlc.h"

namespace tern::edge {
namespace {
constexpr uint64_t kMinBytesPerS = 64 << 10;
constexpr int kPage = 256;  // ids listed per read
constexpr const char* kCursorKey = "scrub_cursor";
}  // namespace

void Scrubber::Start() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = false;
  }
  for (const char* c : {"scrub_chunks_checked", "scrub_bytes_checked", "scrub_passes",
                        "scrub_corrupt_found", "scrub_errors"}) {
    m_->Add(c, 0);  // present in status and heartbeats from the start
  }
  thread_ = std::thread([this] { Run(); });
}

void Scrubber::Stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Scrubber::Sleep(uint64_t ms) {
  std::unique_lock<std::mutex> lk(mu_);
  return !cv_.wait_for(lk, std::chrono::milliseconds(ms), [this] { return stop_; });
}

void Scrubber::SaveCursor(const std::string& cursor) {
  // Best effort: if it is not kept (a full disk), a restart scrubs some chunks again.
  (void)store_->PutMeta(kCursorKey, ToHex(cursor));
}

void Scrubber::Run() {
  std::string resume;
  if (auto v = store_->GetMeta(kCursorKey); v.ok() && *v && !(*v)->empty()) {
    if (auto raw = FromHex(**v); raw.ok()) {
      resume = std::move(raw).value();
      spdlog::info("{}: scrub resumes its pass after chunk {}", who_, ToHex(resume).substr(0, 16));
    }
  }
  while (true) {
    const uint64_t start = MonotonicMs();
    if (!Pass(std::exchange(resume, std::string()))) return;
    const uint64_t next = start + o_.period_ms;
    const uint64_t now = MonotonicMs();
    if (!Sleep(next > now ? next - now : 0)) return;
  }
}

bool Scrubber::Pass(std::string cursor) {
  auto totals = store_->Totals();
  const uint64_t bytes = totals.ok() ? static_cast<uint64_t>(totals->second) : 0;
  // Finish within half the period, never faster than allowed.
  const uint64_t half_s = std::max<uint64_t>(1, o_.period_ms / 2000);
  const uint64_t rate = std::min(o_.max_bytes_per_s, std::max(kMinBytesPerS, bytes / half_s + 1));
  m_->Set("scrub_bytes_per_s", static_cast<int64_t>(rate));
  const uint64_t start_us = MonotonicUs();
  uint64_t done = 0;  // bytes read in this pass
  while (true) {
    auto page = store_->ListChunks(cursor, kPage);
    if (!page.ok()) {
      m_->Add("scrub_errors");
      spdlog::warn("{}: scrub: listing {} failed: {}; next pass later", who_, store_->path(),
                   page.status().ToString());
      return true;
    }
    for (const ChunkSize& c : *page) {
      cursor = c.id;
      auto wire = store_->GetChunk(c.id);
      if (!wire.ok()) {
        m_->Add("scrub_errors");
        spdlog::warn("{}: scrub: reading chunk {} from {} failed: {}", who_,
                     ToHex(c.id).substr(0, 16), store_->path(), wire.status().ToString());
        continue;
      }
      if (!wire->has_value()) continue;  // dropped since it was listed
      if (ChunkIdOf(**wire) != c.id) {
        m_->Add("scrub_corrupt_found");
        on_corrupt_(c.id);
      }
      m_->Add("scrub_chunks_checked");
      m_->Add("scrub_bytes_checked", static_cast<int64_t>((*wire)->size()));
      done += (*wire)->size();
      // Throttle: the pass may not be ahead of `rate`.
      const uint64_t due_us = done * 1000000 / rate;
      const uint64_t spent_us = MonotonicUs() - start_us;
      if (due_us > spent_us + 1000 && !Sleep((due_us - spent_us) / 1000)) return false;
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (stop_) return false;
      }
    }
    if (static_cast<int>(page->size()) < kPage) break;
    SaveCursor(cursor);
  }
  SaveCursor("");
  m_->Add("scrub_passes");
  return true;
}

}  // namespace tern::edge
