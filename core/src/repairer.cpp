// Repairer: see repairer.h.
#include "repairer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "tern/common/bytes.h"

namespace tern::core {

namespace {
constexpr uint64_t kRateWindowMs = 10000;
std::string Short(const ChunkId& id) { return ToHex(id).substr(0, 16); }
}  // namespace

Repairer::Repairer(RepairOptions o, uint32_t core_addr, Topics topics, const Membership* members,
                   Metrics* m, Placing placing)
    : o_(o),
      core_addr_(core_addr),
      topics_(std::move(topics)),
      members_(members),
      m_(m),
      placing_(std::move(placing)) {}

bool Repairer::IsGood(uint32_t holder) const {
  const Member* mb = members_->Find(holder);
  return mb && mb->state != NodeState::kDead && !mb->draining;
}

int Repairer::GoodCount(const std::vector<uint32_t>& holders) const {
  return static_cast<int>(
      std::count_if(holders.begin(), holders.end(), [&](uint32_t h) { return IsGood(h); }));
}

bool Repairer::Eligible(const ChunkRecord& r) const {
  if (r.origin == core_addr_) return !(placing_ && placing_(r.id));
  return r.acked;
}

void Repairer::Consider(const ChunkRecord& r, uint64_t now_ms) {
  const int good = GoodCount(r.holders);
  if (!Eligible(r) || good >= o_.copies || good == 0) {
    if (!by_chunk_.count(r.id)) queue_.Erase(r.id);
    return;
  }
  queue_.Push(r.id, good, r.bytes, now_ms);
}

bool Repairer::ScanDue(uint64_t now_ms) const {
  return scan_soon_ || census_.at_ms == 0 || now_ms - census_.at_ms >= o_.scan_every_ms;
}

void Repairer::Scan(const std::vector<ChunkRecord>& all, uint64_t now_ms) {
  CopyCensus c;
  for (const ChunkRecord& r : all) {
    for (uint32_t h : r.holders) {
      auto& [chunks, bytes] = c.per_node[h];
      ++chunks;
      bytes += static_cast<int64_t>(r.bytes);
    }
    if (!Eligible(r)) continue;
    const int good = GoodCount(r.holders);
    ++c.by_good[static_cast<size_t>(std::min(good, 4))];
    ++c.chunks;
    c.bytes += static_cast<int64_t>(r.bytes);
    Consider(r, now_ms);
  }
  c.at_ms = std::max<uint64_t>(now_ms, 1);
  census_ = std::move(c);
  scan_soon_ = false;
  if (census_.by_good[0] > 0) {
    if (auto more = missing_log_.Pass(now_ms)) {
      spdlog::warn("core: {} acked chunks have no good copy left (nothing to repair them from){}",
                   census_.by_good[0], LogThrottle::MoreSince(*more));
    }
  }
  SetGauges(now_ms);
}

Repairer::Bucket& Repairer::Refill(uint32_t addr, uint64_t now_ms) {
  const double cap = static_cast<double>(o_.max_bytes_per_s);
  auto [it, added] = buckets_.try_emplace(addr, Bucket{cap, now_ms});
  Bucket& b = it->second;
  if (now_ms > b.at_ms) {
    b.tokens = std::min(cap, b.tokens + cap * static_cast<double>(now_ms - b.at_ms) / 1000.0);
    b.at_ms = now_ms;
  }
  return b;
}

bool Repairer::HasRoom(uint32_t addr, uint64_t now_ms) {
  // A copy may take the bucket below zero (a chunk bigger than what is left); the node then
  // waits until it has refilled.
  return streams_[addr] < o_.max_streams && Refill(addr, now_ms).tokens > 0;
}

std::optional<uint32_t> Repairer::PickSource(const ChunkRecord& r, RepairTask& t, uint64_t now_ms,
                                             bool* busy) {
  for (int pass = 0; pass < 2; ++pass) {
    std::optional<std::tuple<int, double, uint32_t>> best;
    bool any_live = false;
    for (uint32_t h : r.holders) {
      const Member* mb = members_->Find(h);
      // A draining node is no good copy, but it still serves its bytes to a new home.
      if (!mb || mb->state != NodeState::kLive || h == core_addr_) continue;
      if (t.failed_sources.count(h)) continue;
      any_live = true;
      if (!HasRoom(h, now_ms)) continue;
      auto key = std::make_tuple(streams_[h], mb->load, h);
      if (!best || key < *best) best = key;
    }
    if (best) return std::get<2>(*best);
    if (any_live) *busy = true;
    if (any_live || t.failed_sources.empty()) return std::nullopt;
    t.failed_sources.clear();  // every live source failed once: try them again
  }
  return std::nullopt;
}

std::optional<uint32_t> Repairer::PickTarget(const ChunkRecord& r, RepairTask& t, uint64_t now_ms,
                                             bool* busy) {
  for (int pass = 0; pass < 2; ++pass) {
    std::optional<std::tuple<double, int, uint32_t>> best;
    std::vector<placement::Candidate> ranked;
    bool any = false;
    for (const auto& [addr, mb] : members_->members()) {
      if (mb.state != NodeState::kLive || mb.draining || mb.disk_full) continue;
      // A store whose disk pressure refuses the chunk's class would refuse the copy.
      if (!PressureAdmits(mb.pressure, static_cast<Priority>(r.priority))) continue;
      if (std::find(r.holders.begin(), r.holders.end(), addr) != r.holders.end()) continue;
      if (t.failed_targets.count(addr)) continue;
      any = true;
      ranked.push_back({addr, mb.placement_load});  // the order the edges rank by
      if (key_of_) continue;  // ranked below
      if (!HasRoom(addr, now_ms)) continue;
      auto key = std::make_tuple(mb.load, streams_[addr], addr);
      if (!best || key < *best) best = key;
    }
    if (key_of_ && !ranked.empty()) {
      // The window's next store, or wait for it: another one would split the window.
      const uint32_t first = placement::Rank(key_of_(r), ranked).front();
      if (HasRoom(first, now_ms)) return first;
      *busy = true;
      return std::nullopt;
    }
    if (best) return std::get<2>(*best);
    if (any) *busy = true;
    if (any || t.failed_targets.empty()) return std::nullopt;
    t.failed_targets.clear();
  }
  return std::nullopt;
}

void Repairer::UpdateBlocked(uint64_t now_ms) {
  int writable = 0;
  for (const auto& [addr, mb] : members_->members()) {
    if (mb.state == NodeState::kLive && !mb.draining && !mb.disk_full) ++writable;
  }
  if (writable >= o_.copies) {
    blocked_.clear();
    return;
  }
  blocked_ = "only " + std::to_string(writable) + " live writable stores, " +
             std::to_string(o_.copies) + " copies needed";
  if (queue_.size() == 0) return;
  if (auto more = blocked_log_.Pass(now_ms)) {
    spdlog::warn("core: repair of {} chunks is short of stores: {}{}", queue_.size(), blocked_,
                 LogThrottle::MoreSince(*more));
  }
}

std::vector<Outgoing> Repairer::Tick(uint64_t now_ms, const Lookup& lookup) {
  std::vector<Outgoing> out;
  std::vector<uint64_t> late;
  for (const auto& [req, f] : flights_) {
    if (now_ms - f.started_ms >= o_.copy_timeout_ms) late.push_back(req);
  }
  for (uint64_t req : late) Fail(req, "no stored notice from the target in time", true, now_ms);
  UpdateBlocked(now_ms);
  // First the ranks of the chunks looked at are brought up to date with the manifest (a
  // chunk whose copy has just completed is queued as one-copy until looked at again), so
  // that the order below is the true one.
  std::map<ChunkId, ChunkRecord> fresh;
  for (const ChunkId& id : queue_.Front(o_.look_per_tick)) {
    if (by_chunk_.count(id)) continue;
    auto r = lookup(id);
    if (!r) {
      queue_.Erase(id);
      continue;
    }
    Consider(*r, now_ms);
    fresh.emplace(id, std::move(*r));
  }
  // Strict order: once a one-copy chunk waits for room, no two-copy chunk may take a stream
  // (or bytes) it could have had; one-copy chunks further back still start if they have room.
  bool one_copy_waiting = false;
  for (const ChunkId& id : queue_.Front(o_.look_per_tick)) {
    if (by_chunk_.count(id)) continue;
    std::optional<ChunkRecord> r;
    if (auto f = fresh.find(id); f != fresh.end()) {
      r = std::move(f->second);
    } else if (r = lookup(id); r) {  // moved up into the window just now
      Consider(*r, now_ms);
    } else {
      queue_.Erase(id);
      continue;
    }
    RepairTask* t = queue_.Find(id);
    if (!t) continue;  // enough copies now, or none left
    const bool one_copy = RepairQueue::Rank(t->good) == 0;
    if (!one_copy && one_copy_waiting) continue;
    bool busy = false;
    auto source = PickSource(*r, *t, now_ms, &busy);
    auto target = source ? PickTarget(*r, *t, now_ms, &busy) : std::nullopt;
    if (!source || !target) {
      one_copy_waiting = one_copy_waiting || (one_copy && busy);
      continue;
    }
    const uint64_t req = next_req_++;
    flights_[req] = Flight{id, *source, *target, now_ms, r->bytes};
    RepairRecord& h = history_[req];
    h.id = id;
    h.good = t->good;
    h.queued_ms = t->queued_ms;
    h.ready_ms = std::max(t->ranked_ms, t->failed_ms);
    h.started_ms = now_ms;
    h.source = *source;
    h.target = *target;
    while (history_.size() > o_.history_max) history_.erase(history_.begin());
    by_chunk_[id] = req;
    for (uint32_t n : {*source, *target}) {
      ++streams_[n];
      Refill(n, now_ms).tokens -= static_cast<double>(r->bytes);
    }
    msg::Copy c;
    c.id = id;
    c.to = members_->NameOf(*target);
    c.to_addr = *target;
    c.req = req;
    out.push_back({topics_.Down(members_->NameOf(*source)), c.Encode()});
    m_->Add("repair_copies_requested");
    spdlog::debug("core: repair {}: copy {} ({} good) from {} to {}", req, Short(id), t->good,
                  members_->NameOf(*source), c.to);
  }
  SetGauges(now_ms);
  return out;
}

void Repairer::Finish(uint64_t req) {
  auto it = flights_.find(req);
  if (it == flights_.end()) return;
  for (uint32_t n : {it->second.source, it->second.target}) {
    if (--streams_[n] <= 0) streams_.erase(n);
  }
  by_chunk_.erase(it->second.id);
  flights_.erase(it);
}

void Repairer::Fail(uint64_t req, const std::string& why, bool blame_target, uint64_t now_ms) {
  auto it = flights_.find(req);
  if (it == flights_.end()) return;
  const Flight f = it->second;
  Record(req, "failed", now_ms);
  Finish(req);
  m_->Add("repair_copy_failures");
  spdlog::info("core: repair {}: copy of {} from {} to {} failed: {}", req, Short(f.id),
               members_->NameOf(f.source), members_->NameOf(f.target), why);
  if (RepairTask* t = queue_.Find(f.id)) {
    t->failed_sources.insert(f.source);
    if (blame_target) t->failed_targets.insert(f.target);
    t->failed_ms = now_ms;
  }
}

void Repairer::Record(uint64_t req, const std::string& result, uint64_t now_ms) {
  auto it = history_.find(req);
  if (it == history_.end()) return;  // older than the history keeps
  it->second.finished_ms = now_ms;
  it->second.result = result;
}

void Repairer::OnStored(const ChunkId& id, uint32_t holder, uint64_t now_ms) {
  auto it = by_chunk_.find(id);
  if (it == by_chunk_.end()) return;
  auto f = flights_.find(it->second);
  if (f == flights_.end() || f->second.target != holder) return;
  m_->Add("repair_copies_done");
  m_->Add("repair_bytes", static_cast<int64_t>(f->second.bytes));
  done_bytes_.emplace_back(now_ms, f->second.bytes);
  Record(f->first, "done", now_ms);
  Finish(f->first);
  // The chunk stays queued: the next tick reads its holders again and drops it once enough.
}

bool Repairer::OnCopyNack(const msg::CopyNack& n, uint32_t from, uint64_t now_ms) {
  auto f = flights_.find(n.req);
  if (f == flights_.end() || f->second.source != from || f->second.id != n.id) return false;
  Fail(n.req, "refused by the source: " + n.reason, false, now_ms);
  return true;
}

int64_t Repairer::BytesPerSecond(uint64_t now_ms) const {
  uint64_t sum = 0;
  for (const auto& [ms, bytes] : done_bytes_) {
    if (now_ms - ms < kRateWindowMs) sum += bytes;
  }
  return static_cast<int64_t>(sum * 1000 / kRateWindowMs);
}

void Repairer::SetGauges(uint64_t now_ms) {
  while (!done_bytes_.empty() && now_ms - done_bytes_.front().first >= kRateWindowMs) {
    done_bytes_.pop_front();
  }
  m_->Set("repair_queue", static_cast<int64_t>(queue_.size()));
  m_->Set("repair_in_flight", static_cast<int64_t>(flights_.size()));
  m_->Set("repair_bytes_per_s", BytesPerSecond(now_ms));
  m_->Set("under_replicated_1", static_cast<int64_t>(queue_.CountWith(1)));
  m_->Set("under_replicated_2", static_cast<int64_t>(queue_.CountWith(2)));
  m_->Set("missing_chunks", census_.by_good[0]);
}

nlohmann::json Repairer::Json(size_t max_tasks, uint64_t now_ms) const {
  nlohmann::json tasks = nlohmann::json::array();
  for (const ChunkId& id : queue_.Front(max_tasks)) {
    const RepairTask* t = queue_.Find(id);
    nlohmann::json j = {{"id", ToHex(id)},
                        {"copies", t ? t->good : 0},
                        {"source", ""},
                        {"target", ""},
                        {"age_ms", t ? now_ms - t->queued_ms : 0}};
    if (auto it = by_chunk_.find(id); it != by_chunk_.end()) {
      const Flight& f = flights_.at(it->second);
      j["source"] = members_->NameOf(f.source);
      j["target"] = members_->NameOf(f.target);
    }
    tasks.push_back(std::move(j));
  }
  nlohmann::json history = nlohmann::json::array();
  for (const auto& [req, h] : history_) {
    history.push_back({{"id", Short(h.id)},
                       {"copies", h.good},
                       {"queued_ms", h.queued_ms},
                       {"ready_ms", h.ready_ms},
                       {"started_ms", h.started_ms},
                       {"finished_ms", h.finished_ms},
                       {"source", members_->NameOf(h.source)},
                       {"target", members_->NameOf(h.target)},
                       {"result", h.result}});
  }
  return {{"queue", queue_.size()},
          {"in_flight", flights_.size()},
          {"done", m_->Get("repair_copies_done")},
          {"failed", m_->Get("repair_copy_failures")},
          {"bytes", m_->Get("repair_bytes")},
          {"bytes_per_s", BytesPerSecond(now_ms)},
          {"by_copies",
           {{"0", census_.by_good[0]}, {"1", queue_.CountWith(1)}, {"2", queue_.CountWith(2)}}},
          {"blocked_reason", blocked_},
          {"tasks", std::move(tasks)},
          {"now_ms", now_ms},
          {"started", next_req_ - 1},
          {"history", std::move(history)}};
}

}  // namespace tern::core
