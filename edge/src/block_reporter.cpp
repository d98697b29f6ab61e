// BlockReporter: full block reports, read in slices, sent in pages.
#include "block_reporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tern::edge {
namespace {
// Chunks read per loop task while rehashing: with chunks of at most a few hundred KB, a
// task reads and hashes a few MB (milliseconds), so replication is never held up for long.
constexpr int kRehashSlice = 16;
}  // namespace

void BlockReporter::Start(uint64_t report, bool rehash) {
  auto r = std::make_shared<Run>();
  r->report = report;
  r->rehash = rehash;
  spdlog::info("{}: block report {} started{}", who_, report, rehash ? " (rehashing)" : "");
  loop_->Post([this, r] { Step(r); });
}

// Loop thread: one slice, then the next as a new task.
void BlockReporter::Step(const std::shared_ptr<Run>& r) {
  const int limit = r->rehash ? kRehashSlice : static_cast<int>(msg::kBlockReportPage);
  auto list = store_->ListChunks(r->cursor, limit);
  if (!list.ok()) {
    m_->Add("block_report_errors");
    spdlog::error("{}: block report {} abandoned: listing {} failed: {}", who_, r->report,
                  store_->path(), list.status().ToString());
    return;
  }
  for (const ChunkSize& c : *list) {
    r->cursor = c.id;
    if (!r->rehash) {
      r->chunks.push_back({c.id, c.bytes});
      continue;
    }
    auto copy = store_->GetCopy(c.id);
    if (!copy.ok()) {
      m_->Add("block_report_errors");
      spdlog::error("{}: block report {} abandoned: reading {}: {}", who_, r->report,
                    store_->path(), copy.status().ToString());
      return;
    }
    if (!copy->has_value()) continue;  // dropped since it was listed
    if (ChunkIdOf((*copy)->wire) != c.id) {
      r->corrupt.push_back(c.id);
      quarantine_->Condemn(c.id, "rehash");
    } else {
      r->chunks.push_back({c.id, c.bytes});
    }
  }
  if (static_cast<int>(list->size()) == limit) {
    loop_->Post([this, r] { Step(r); });
    return;
  }
  Send(*r);
}

// Loop thread: the chunks, then the corrupt ids, kBlockReportPage entries a page.
void BlockReporter::Send(const Run& r) {
  const size_t n = r.chunks.size() + r.corrupt.size();
  const size_t per = msg::kBlockReportPage;
  uint32_t page = 0;
  size_t at = 0;
  do {
    msg::BlockReport p;
    p.holder = self_;
    p.report = r.report;
    p.page = page++;
    p.total = r.chunks.size();
    const size_t end = std::min(n, at + per);
    for (; at < end; ++at) {
      if (at < r.chunks.size()) {
        p.chunks.push_back(r.chunks[at]);
      } else {
        p.corrupt.push_back(r.corrupt[at - r.chunks.size()]);
      }
    }
    p.last = at == n;
    publisher_->Deliver(topics_.Stored(name_), p.Encode());
    m_->Add("block_report_pages_sent");
  } while (at < n);
  m_->Add("block_reports_sent");
  spdlog::info("{}: block report {} sent: {} chunks, {} corrupt, {} pages", who_, r.report,
               r.chunks.size(), r.corrupt.size(), page);
}

}  // namespace tern::edge
