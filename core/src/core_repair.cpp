// Core::Impl's side of issue 9, "three copies that stay three": the block reports, corrupt
// notices and copy answers a store sends, the Reconciler and Repairer ticks in each turn,
// drain and forget, and the documents of /api/v1/report, /repair and /verify. The parts
// themselves are reconciler.h, repairer.h (with repair_queue.h) and verify_round.h.
#include <spdlog/spdlog.h>

#include "core_impl.h"

namespace tern::core {

namespace {
constexpr uint64_t kRepairEveryMs = 250;  // reconciliation and repair ticks
constexpr size_t kMaxRounds = 16;         // verify rounds in progress at once
constexpr auto kVerifyWait = std::chrono::seconds(60);
// Verify counts a chunk whose newest record is younger than this as in flight (verify_round.h).
constexpr uint64_t kVerifyInFlightMs = 10000;
// The co-location figure covers the windows of the last hour (PlacementBook::Measure).
constexpr uint64_t kPlacementPeriodMs = 3'600'000;
}  // namespace

void Core::Impl::RouteRepair() {
  stored_.On<msg::BlockReport>([this](const msg::BlockReport& p, const std::string& t) {
    Apply(reconciler_->OnPage(p, SenderOf(t), t, MonotonicMs(), WallMs()));
  });
  stored_.On<msg::Corrupt>([this](const msg::Corrupt& c, const std::string& t) {
    Apply(reconciler_->OnCorrupt(c, SenderOf(t), t));
  });
  peer_.On<msg::RestateNack>([this](const msg::RestateNack& n, const std::string& t) {
    Apply(reconciler_->OnRestateNack(n, SenderOf(t)));
  });
  peer_.On<msg::CopyNack>([this](const msg::CopyNack& n, const std::string& t) {
    const uint32_t from = SenderOf(t);
    if (n.holder != from || !repairer_->OnCopyNack(n, from, MonotonicMs())) {
      msg::Reject(m_, "core", "peer", "copy_nack for no copy of the sender's on " + t);
    }
  });
}

void Core::Impl::OnStoredForRepair(const msg::Stored& n, uint32_t from) {
  if (from == 0 || n.holder != from) return;  // the ledger refused it
  repairer_->OnStored(n.id, from, MonotonicMs());
  reconciler_->OnStored(n.id, from);
}

void Core::Impl::Apply(Reconciler::Outcome o) {
  batch_->PublishAll(std::move(o.out));
  const uint64_t now = MonotonicMs();
  for (const ChunkId& id : o.changed) {
    batch_->Touch(id);  // settled again (an ack is not taken back; excess is recounted)
    if (auto r = db_->Chunk(id); r.ok() && r->has_value()) repairer_->Consider(**r, now);
  }
  if (o.complete) {
    for (auto& round : rounds_) round->OnReport(*o.complete);
  }
}

void Core::Impl::NodeStateChanged(const StateChange& c) {
  if (c.to == NodeState::kDead) {
    repairer_->ScanSoon();  // its copies no longer count
  } else if (c.from == NodeState::kDead && c.to == NodeState::kLive) {
    returned_.insert(c.addr);  // its copies count again: some may now be excess
    repairer_->ScanSoon();
  }
}

void Core::Impl::TouchReturned(Batch& b) {
  for (uint32_t addr : returned_) {
    auto ids = db_->holders().HeldBy(addr);
    if (!ids.ok()) {
      m_.Add("manifest_errors");
      spdlog::error("core: chunks of returned node {}: {}", members_.NameOf(addr),
                    ids.status().ToString());
      continue;
    }
    for (const ChunkId& id : *ids) b.Touch(id);
  }
  returned_.clear();
}

void Core::Impl::RepairTurn(Batch& b, uint64_t now) {
  if (now - last_repair_ms_ < kRepairEveryMs) return;
  last_repair_ms_ = now;
  const uint64_t full = reconciler_->LastFullMs();
  m_.Set("reconcile_age_s", full == 0 ? -1 : static_cast<int64_t>((WallMs() - full) / 1000));
  // Nothing is asked of the stores while the core cannot hear the broker: their answers
  // would be lost, and liveness (what counts as a good copy) is paused.
  if (!transport_->connected() || !hearing_.heard()) return;
  b.PublishAll(reconciler_->Tick(now));
  if (repairer_->ScanDue(now)) {
    auto all = db_->All();
    if (all.ok()) {
      repairer_->Scan(*all, now);
      MeasurePlacement(*all);
    } else {
      m_.Add("manifest_errors");
      spdlog::error("core: repair scan: {}", all.status().ToString());
    }
  }
  b.PublishAll(repairer_->Tick(now, [this](const ChunkId& id) -> std::optional<ChunkRecord> {
    auto r = db_->Chunk(id);
    if (!r.ok() || !r->has_value()) return std::nullopt;
    return std::move(**r);
  }));
}

void Core::Impl::MeasurePlacement(const std::vector<ChunkRecord>& all) {
  placement_quality_ = placement_.Measure(
      all, [this](uint32_t a) { return repairer_->IsGood(a); }, o_.copies, core_addr_, WallMs(),
      kPlacementPeriodMs);
  m_.Set("placement_windows", placement_quality_.windows);
  m_.Set("placement_colocated_windows", placement_quality_.colocated);
  m_.Set("placement_colocated_permille", placement_quality_.Permille());
}

Result<nlohmann::json> Core::Impl::NodeAction(const std::string& action, const std::string& name) {
  return OnWorker<nlohmann::json>([this, action, name](Batch&) -> Result<nlohmann::json> {
    const uint32_t addr = members_.AddrOf(name);
    if (addr == 0) return Status::NotFound("node '" + name + "' is not registered");
    if (action == "drain") {
      TERN_RETURN_IF_ERROR(db_->registry().SetDraining(addr, true));
      members_.SetDraining(addr, true);
      repairer_->ScanSoon();
      // Settle each of its chunks again: one that already has three good copies elsewhere
      // (no repair copy, so no new statement would settle it) is asked to leave now.
      returned_.insert(addr);
      m_.Add("nodes_drained");
      spdlog::warn("core: node {} ({}) is draining: its copies move to other stores", name, addr);
      return nlohmann::json{{"name", name}, {"draining", true}};
    }
    const Member* mb = members_.Find(addr);
    if (mb && mb->state == NodeState::kLive) {
      return Status::FailedPrecondition("node '" + name +
                                        "' is live; only a node that is gone can be forgotten");
    }
    TERN_ASSIGN_OR_RETURN(int64_t rows, db_->holders().RemoveAllOf(addr));
    TERN_RETURN_IF_ERROR(db_->registry().Remove(name));
    members_.Remove(addr);
    reconciler_->Forget(addr);
    repairer_->ScanSoon();
    m_.Add("nodes_forgotten");
    spdlog::warn(
        "core: node {} (address {}, retired) forgotten: its {} copies are no longer counted", name,
        addr, rows);
    return nlohmann::json{{"name", name}, {"forgotten", true}};
  });
}

Result<nlohmann::json> Core::Impl::ReportDoc() {
  return OnWorker<nlohmann::json>([this](Batch&) -> Result<nlohmann::json> {
    TERN_ASSIGN_OR_RETURN(auto records, db_->Nodes());
    std::map<uint32_t, int64_t> registered_capacity;
    for (const auto& n : records) registered_capacity[n.addr] = n.capacity;
    const CopyCensus& c = repairer_->census();
    nlohmann::json nodes = nlohmann::json::array();
    int64_t live = 0, capacity = 0, used = 0;
    for (const auto& [addr, mb] : members_.members()) {
      auto pn = c.per_node.find(addr);
      const int64_t cap = mb.capacity > 0 ? mb.capacity : registered_capacity[addr];
      int64_t chunks = pn == c.per_node.end() ? 0 : pn->second.first;
      // What the store itself says it holds (its last heartbeat); null until it said.
      nlohmann::json held = nullptr;
      if (mb.counters.is_object() && mb.counters.contains("store_chunks") &&
          mb.counters["store_chunks"].is_number_integer()) {
        held = mb.counters["store_chunks"];
      }
      if (mb.draining) {  // drain progress: the manifest now, not the last census
        if (auto ids = db_->holders().HeldBy(addr); ids.ok()) {
          chunks = static_cast<int64_t>(ids->size());
        }
      }
      const bool drained =
          mb.draining && chunks == 0 && held.is_number_integer() && held.get<int64_t>() == 0;
      nodes.push_back({{"name", mb.name},
                       {"addr", addr},
                       {"state", std::string(NodeStateName(mb.state))},
                       {"draining", mb.draining},
                       {"capacity", cap},
                       {"used", mb.used},
                       {"chunks", chunks},
                       {"store_chunks", held},
                       {"drained", drained},
                       {"bytes", pn == c.per_node.end() ? 0 : pn->second.second},
                       {"disk_full", mb.disk_full},
                       {"pressure", PressureName(mb.pressure)},
                       {"last_heartbeat_ms", mb.last_hb_wall_ms},
                       {"last_report_ms", reconciler_->LastReportMs(addr)}});
      if (mb.state == NodeState::kLive) ++live;
      capacity += cap;
      used += mb.used;
    }
    const uint64_t now = MonotonicMs(), full = reconciler_->LastFullMs();
    return nlohmann::json{
        {"nodes", std::move(nodes)},
        {"totals",
         {{"nodes", members_.members().size()},
          {"live", live},
          {"capacity", capacity},
          {"used", used},
          {"chunks", c.chunks},
          {"bytes", c.bytes}}},
        {"copies",
         {{"0", c.by_good[0]},
          {"1", c.by_good[1]},
          {"2", c.by_good[2]},
          {"3", c.by_good[3]},
          {"4+", c.by_good[4]}}},
        {"repair",
         {{"queue", repairer_->queued()},
          {"in_flight", repairer_->in_flight()},
          {"done", m_.Get("repair_copies_done")},
          {"failed", m_.Get("repair_copy_failures")},
          {"bytes", m_.Get("repair_bytes")},
          {"bytes_per_s", repairer_->BytesPerSecond(now)},
          {"blocked_reason", repairer_->blocked_reason()}}},
        {"placement",
         {{"windows", placement_quality_.windows},
          {"colocated", placement_quality_.colocated},
          {"ratio", placement_quality_.windows == 0
                        ? nlohmann::json(nullptr)
                        : nlohmann::json(static_cast<double>(placement_quality_.colocated) /
                                         static_cast<double>(placement_quality_.windows))},
          {"period_s", kPlacementPeriodMs / 1000}}},
        {"reconcile",
         {{"last_full_ms", full},
          {"age_s", full == 0 ? int64_t{-1} : static_cast<int64_t>((WallMs() - full) / 1000)}}}};
  });
}

Result<nlohmann::json> Core::Impl::RepairDoc() {
  return OnWorker<nlohmann::json>([this](Batch&) -> Result<nlohmann::json> {
    nlohmann::json j = repairer_->Json(100, MonotonicMs());
    j["corrupt"] = m_.Get("corrupt_copies");
    return j;
  });
}

Result<nlohmann::json> Core::Impl::Verify(bool rehash) {
  using RoundPtr = std::shared_ptr<VerifyRound>;
  auto round = OnWorker<RoundPtr>([this, rehash](Batch& b) -> Result<RoundPtr> {
    if (rounds_.size() >= kMaxRounds) {
      return Status::Unavailable("too many verify rounds in progress; try again later");
    }
    std::map<uint64_t, std::pair<uint32_t, std::string>> asked;
    for (const auto& [addr, mb] : members_.members()) {
      if (mb.state != NodeState::kLive) continue;
      uint64_t report = 0;
      b.Publish(reconciler_->Request(addr, rehash, MonotonicMs(), &report));
      asked[report] = {addr, mb.name};
    }
    auto r = std::make_shared<VerifyRound>(std::move(asked));
    rounds_.push_back(r);
    return r;
  });
  if (!round.ok()) return round.status();
  spdlog::info("core: verify{}: asked every live store for a block report",
               rehash ? " (rehash)" : "");
  // The HTTP thread waits; the worker goes on, recording the reports as they complete.
  (*round)->Wait(kVerifyWait, stopped_);
  return OnWorker<nlohmann::json>([this, r = *round](Batch&) -> Result<nlohmann::json> {
    rounds_.erase(std::remove(rounds_.begin(), rounds_.end(), r), rounds_.end());
    TERN_ASSIGN_OR_RETURN(auto all, db_->All());
    return r->Document(
        all, [this](uint32_t a) { return repairer_->IsGood(a); }, o_.copies,
        InFlightRule{WallMs(), kVerifyInFlightMs, core_addr_});
  });
}

}  // namespace tern::core
