// Reconciler: see reconciler.h.
#include "reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "tern/common/bytes.h"
#include "tern/common/dispatch.h"
#include "tern/common/hlc.h"

namespace tern::core {

namespace {
std::string Short(const ChunkId& id) { return ToHex(id).substr(0, 16); }
}  // namespace

bool Reconciler::FromHolder(const char* kind, uint32_t holder, uint32_t from,
                            const std::string& topic) {
  return StatedByHolder(*members_, *m_, kind, holder, from, topic);
}

void Reconciler::Drop(uint32_t holder, const std::string& why) {
  auto it = pending_.find(holder);
  if (it == pending_.end()) return;
  pending_entries_ -= it->second.ids.size() + it->second.corrupt.size();
  m_->Add("block_reports_dropped");
  spdlog::warn("core: block report {} of {} dropped: {}", it->second.report,
               members_->NameOf(holder), why);
  pending_.erase(it);
}

Reconciler::Outcome Reconciler::OnPage(const msg::BlockReport& p, uint32_t from,
                                       const std::string& topic, uint64_t now_ms,
                                       uint64_t wall_ms) {
  Outcome o;
  if (!FromHolder("block_report", p.holder, from, topic)) return o;
  auto it = pending_.find(from);
  if (p.page == 0) {
    if (it != pending_.end()) Drop(from, "a new report started");
    it = pending_.emplace(from, Pending{p.report, 0, now_ms, {}, {}}).first;
  } else if (it == pending_.end() || it->second.report != p.report) {
    m_->Add("block_reports_dropped");
    spdlog::warn("core: page {} of block report {} from {} belongs to no report in progress",
                 p.page, p.report, members_->NameOf(from));
    return o;
  } else if (p.page < it->second.next_page) {
    return o;  // a page again (the broker redelivered it): already counted
  } else if (p.page > it->second.next_page) {
    Drop(from, "page " + std::to_string(it->second.next_page) + " never came (got " +
                   std::to_string(p.page) + ")");
    return o;
  }
  Pending& pd = it->second;
  const size_t adding = p.chunks.size() + p.corrupt.size();
  if (pending_entries_ + adding > o_.max_entries) {
    Drop(from, "more than " + std::to_string(o_.max_entries) + " chunk ids held in reports");
    return o;
  }
  pending_entries_ += adding;
  for (const auto& e : p.chunks) pd.ids.push_back(e.id);
  pd.corrupt.insert(pd.corrupt.end(), p.corrupt.begin(), p.corrupt.end());
  pd.next_page = p.page + 1;
  pd.last_ms = now_ms;
  if (!p.last) return o;
  Pending done = std::move(pd);
  pending_entries_ -= done.ids.size() + done.corrupt.size();
  pending_.erase(from);
  o.complete = Compare(from, p.report, std::move(done), o, now_ms);
  last_report_ms_[from] = wall_ms;
  next_digest_ms_[from] = now_ms + o_.interval_ms;  // the next one is due an interval on
  m_->Add("block_reports");
  return o;
}

ReportFindings Reconciler::Compare(uint32_t holder, uint64_t report, Pending p, Outcome& o,
                                   uint64_t now_ms) {
  ReportFindings f;
  f.holder = holder;
  f.report = report;
  f.chunks = p.ids.size();
  auto held = db_->holders().HeldBy(holder);
  if (!held.ok()) {
    m_->Add("manifest_errors");
    spdlog::error("core: reconciling {}: {}", members_->NameOf(holder), held.status().ToString());
    return f;
  }
  std::vector<ChunkId>& manifest = *held;
  std::sort(manifest.begin(), manifest.end());
  std::sort(p.ids.begin(), p.ids.end());
  p.ids.erase(std::unique(p.ids.begin(), p.ids.end()), p.ids.end());
  std::sort(p.corrupt.begin(), p.corrupt.end());
  p.corrupt.erase(std::unique(p.corrupt.begin(), p.corrupt.end()), p.corrupt.end());
  for (const ChunkId& id : p.corrupt) {
    RemoveCorrupt(holder, id, "block report " + std::to_string(report), o);
    f.corrupt.push_back(id);
  }
  std::vector<ChunkId> absent;  // in the manifest, not in the report
  std::set_difference(manifest.begin(), manifest.end(), p.ids.begin(), p.ids.end(),
                      std::back_inserter(absent));
  for (const ChunkId& id : absent) {
    if (std::binary_search(p.corrupt.begin(), p.corrupt.end(), id)) continue;
    f.missing.push_back(id);
    AskRestate(holder, id, o, now_ms);
  }
  std::set_difference(p.ids.begin(), p.ids.end(), manifest.begin(), manifest.end(),
                      std::back_inserter(f.extra));
  for (const ChunkId& id : f.extra) {
    m_->Add("reconcile_extra");
    AskRestate(holder, id, o, now_ms);
  }
  if (!f.missing.empty() || !f.extra.empty() || !f.corrupt.empty()) {
    spdlog::info(
        "core: block report {} of {}: {} chunks; {} recorded but not listed (asked to restate), "
        "{} listed but not recorded (asked to restate), {} corrupt",
        report, members_->NameOf(holder), f.chunks, f.missing.size(), f.extra.size(),
        f.corrupt.size());
  }
  return f;
}

void Reconciler::AskRestate(uint32_t holder, const ChunkId& id, Outcome& o, uint64_t now_ms) {
  if (restates_.size() >= o_.max_restates && !restates_.count({holder, id})) {
    m_->Add("reconcile_restates_skipped");  // the next pass asks again
    return;
  }
  restates_[{holder, id}] = now_ms;
  o.out.push_back({topics_.Down(members_->NameOf(holder)), msg::Restate{id, core_addr_}.Encode()});
}

void Reconciler::RemoveCorrupt(uint32_t holder, const ChunkId& id, const std::string& where,
                               Outcome& o) {
  if (Status s = db_->RemoveHolder(id, holder); !s.ok()) {
    m_->Add("manifest_errors");
    spdlog::error("core: removing corrupt copy of {} on {}: {}", Short(id),
                  members_->NameOf(holder), s.ToString());
    return;
  }
  restates_.erase({holder, id});
  m_->Add("corrupt_copies");
  spdlog::warn("core: corrupt copy of chunk {} on node {} ({}) removed from the manifest ({})",
               ToHex(id), members_->NameOf(holder), holder, where);
  o.changed.push_back(id);
}

Reconciler::Outcome Reconciler::OnCorrupt(const msg::Corrupt& c, uint32_t from,
                                          const std::string& topic) {
  Outcome o;
  if (!FromHolder("corrupt", c.holder, from, topic)) return o;
  RemoveCorrupt(from, c.id, c.reason.empty() ? "corrupt notice" : c.reason, o);
  return o;
}

Reconciler::Outcome Reconciler::OnRestateNack(const msg::RestateNack& n, uint32_t from) {
  Outcome o;
  auto it = restates_.find({from, n.id});
  if (from == 0 || n.holder != from || it == restates_.end()) return o;  // not reconciliation's
  restates_.erase(it);
  if (Status s = db_->RemoveHolder(n.id, from); !s.ok()) {
    m_->Add("manifest_errors");
    spdlog::error("core: removing missing copy of {} on {}: {}", Short(n.id),
                  members_->NameOf(from), s.ToString());
    return o;
  }
  m_->Add("reconcile_missing");
  if (auto more = missing_log_.Pass()) {
    spdlog::warn("core: node {} does not hold chunk {} the manifest listed for it ({}); removed{}",
                 members_->NameOf(from), ToHex(n.id), n.reason, LogThrottle::MoreSince(*more));
  }
  o.changed.push_back(n.id);
  return o;
}

std::vector<Outgoing> Reconciler::Tick(uint64_t now_ms) {
  std::vector<uint32_t> stalled;
  for (const auto& [holder, p] : pending_) {
    if (now_ms - p.last_ms >= o_.page_timeout_ms) stalled.push_back(holder);
  }
  for (uint32_t h : stalled) Drop(h, "its pages stopped coming");
  for (auto it = restates_.begin(); it != restates_.end();) {
    it = now_ms - it->second >= o_.restate_timeout_ms ? restates_.erase(it) : std::next(it);
  }
  std::vector<Outgoing> out;
  for (const auto& [addr, mb] : members_->members()) {
    if (mb.state != NodeState::kLive) continue;
    // A store reports on its own when it starts; one the core has not heard a report from
    // (a core restart) is asked after a minute (or the interval, if shorter).
    auto it = next_digest_ms_.try_emplace(addr, now_ms + std::min<uint64_t>(o_.interval_ms, 60'000))
                  .first;
    if (now_ms < it->second) continue;
    uint64_t report = 0;
    out.push_back(Request(addr, false, now_ms, &report));
  }
  return out;
}

Outgoing Reconciler::Request(uint32_t addr, bool rehash, uint64_t now_ms, uint64_t* report) {
  // Numbers differ across core restarts (the wall clock in their high part), so a page of an
  // old request cannot pass for a page of a new one.
  if (next_report_ == 0) next_report_ = WallMs() << 16;
  msg::DigestRequest d;
  d.report = ++next_report_;
  d.rehash = rehash;
  next_digest_ms_[addr] = now_ms + o_.interval_ms;
  if (report) *report = d.report;
  return {topics_.Down(members_->NameOf(addr)), d.Encode()};
}

void Reconciler::Forget(uint32_t addr) {
  Drop(addr, "node forgotten");
  last_report_ms_.erase(addr);
  next_digest_ms_.erase(addr);
  for (auto it = restates_.begin(); it != restates_.end();) {
    it = it->first.first == addr ? restates_.erase(it) : std::next(it);
  }
}

uint64_t Reconciler::LastFullMs() const {
  uint64_t oldest = 0;
  bool any = false;
  for (const auto& [addr, mb] : members_->members()) {
    if (mb.state != NodeState::kLive) continue;
    const uint64_t t = LastReportMs(addr);
    if (t == 0) return 0;
    oldest = any ? std::min(oldest, t) : t;
    any = true;
  }
  return oldest;
}

}  // namespace tern::core
