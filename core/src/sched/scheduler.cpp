// The core's scheduler: lanes (live, backlog) and classes with byte-credit minimum shares,
// deficit round robin across edges within a (lane, class). See scheduler.h for the policy.
#include "tern/core/scheduler.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tern::core {

namespace {

constexpr const char* kLaneNames[2] = {"live", "backlog"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

const char* SchedClassName(int cls) {
  static constexpr const char* kNames[kSchedClasses] = {"alarm", "high", "normal", "bulk"};
  return cls >= 0 && cls < kSchedClasses ? kNames[cls] : "?";
}

Status SchedulerConfig::Validate() const {
  double sum = 0;
  for (int c = 0; c < kSchedClasses; ++c) {
    const double s = class_min_share[static_cast<size_t>(c)];
    if (!std::isfinite(s) || s <= 0 || s > 1) {
      return Status::InvalidArgument("class_min_share[" + std::to_string(c) + "] (" +
                                     SchedClassName(c) + ") must be in (0, 1], got " + Num(s));
    }
    sum += s;
  }
  if (sum > 1 + 1e-9) {
    return Status::InvalidArgument("class_min_share must sum to at most 1, got " + Num(sum));
  }
  if (!std::isfinite(backlog_min_share) || backlog_min_share <= 0 || backlog_min_share >= 1) {
    return Status::InvalidArgument("backlog_min_share must be in (0, 1), got " +
                                   Num(backlog_min_share));
  }
  if (quantum_bytes == 0) return Status::InvalidArgument("quantum_bytes must be > 0, got 0");
  return Status::Ok();
}

nlohmann::json SchedulerConfig::ToJson() const {
  nlohmann::json shares = nlohmann::json::object();
  for (int c = 0; c < kSchedClasses; ++c) {
    shares[SchedClassName(c)] = class_min_share[static_cast<size_t>(c)];
  }
  return {{"class_min_share", shares},
          {"backlog_min_share", backlog_min_share},
          {"quantum_bytes", quantum_bytes},
          {"backlog_age_ms", backlog_age_ms}};
}

Scheduler::Scheduler(SchedulerConfig config) : config_(config) {
  assert(config_.Validate().ok() && "invalid SchedulerConfig");
}

Result<Scheduler> Scheduler::Create(SchedulerConfig config) {
  TERN_RETURN_IF_ERROR(config.Validate());
  return Scheduler(config);
}

Status Scheduler::Enqueue(SchedItem item) {
  if (item.cls < 0 || item.cls >= kSchedClasses) {
    return Status::InvalidArgument("scheduler: item " + item.id + " has class " +
                                   std::to_string(item.cls) + ", expected 0..3");
  }
  if (index_.count(item.id) != 0) {
    return Status::InvalidArgument("scheduler: item " + item.id + " is already queued");
  }
  const bool old = config_.backlog_age_ms > 0 && item.data_ms > 0 &&
                   item.enqueued_ms > item.data_ms &&
                   item.enqueued_ms - item.data_ms > config_.backlog_age_ms;
  const int lane_no = item.backlog || old ? 1 : 0;
  if (old) item.backlog = true;
  Lane& lane = lanes_[static_cast<size_t>(lane_no)];
  ClassQueue& cq = lanes_[static_cast<size_t>(lane_no)].classes[static_cast<size_t>(item.cls)];
  EdgeQueue& q = cq.edges[item.edge];
  if (!q.in_ring) {
    // A newly active edge joins at the end of the current round.
    q.in_ring = true;
    q.turn_started = false;
    q.deficit = 0;
    if (cq.ring.empty()) {
      cq.ring.push_back(item.edge);
      cq.ring_pos = 0;
    } else {
      cq.ring_pos = std::min(cq.ring_pos, cq.ring.size());
      cq.ring.insert(cq.ring.begin() + static_cast<std::ptrdiff_t>(cq.ring_pos), item.edge);
      ++cq.ring_pos;
    }
  }
  Counters& k = counters_[{item.edge, item.cls}];
  k.depth += 1;
  k.queued_bytes += item.bytes;
  q.bytes += item.bytes;
  cq.items += 1;
  lane.items += 1;
  items_ += 1;
  bytes_ += item.bytes;
  const std::string id = item.id;
  const int cls = item.cls;
  q.items.push_back(std::move(item));
  index_.emplace(id, Where{lane_no, cls, std::prev(q.items.end())});
  return Status::Ok();
}

void Scheduler::Unlink(int lane_no, int cls, ItemList::iterator it) {
  Lane& lane = lanes_[static_cast<size_t>(lane_no)];
  ClassQueue& cq = lane.classes[static_cast<size_t>(cls)];
  const uint32_t edge = it->edge;
  EdgeQueue& q = cq.edges[edge];
  Counters& k = counters_[{edge, cls}];
  k.depth -= 1;
  k.queued_bytes -= it->bytes;
  q.bytes -= it->bytes;
  cq.items -= 1;
  lane.items -= 1;
  items_ -= 1;
  bytes_ -= it->bytes;
  index_.erase(it->id);
  q.items.erase(it);
  if (q.items.empty()) {
    // DRR: an edge that runs dry keeps no deficit and leaves the round.
    q.deficit = 0;
    q.turn_started = false;
    q.in_ring = false;
    auto pos = std::find(cq.ring.begin(), cq.ring.end(), edge);
    assert(pos != cq.ring.end());
    const size_t idx = static_cast<size_t>(pos - cq.ring.begin());
    cq.ring.erase(pos);
    if (idx < cq.ring_pos) --cq.ring_pos;
    if (cq.ring_pos >= cq.ring.size()) cq.ring_pos = 0;
    cq.edges.erase(edge);
  }
  if (cq.items == 0) cq.credit = std::min(cq.credit, 0.0);
  if (lane.items == 0) lane.credit = std::min(lane.credit, 0.0);
}

bool Scheduler::Remove(const std::string& id) {
  auto w = index_.find(id);
  if (w == index_.end()) return false;
  const Where where = w->second;
  Unlink(where.lane, where.cls, where.it);
  return true;
}

Status Scheduler::SetEdgeWeight(uint32_t edge, double weight) {
  if (!std::isfinite(weight) || weight <= 0) {
    return Status::InvalidArgument("scheduler: weight for edge " + std::to_string(edge) +
                                   " must be > 0, got " + Num(weight));
  }
  weights_[edge] = weight;
  return Status::Ok();
}

double Scheduler::EdgeWeight(uint32_t edge) const {
  auto it = weights_.find(edge);
  return it == weights_.end() ? 1.0 : it->second;
}

int Scheduler::PickLane() const {
  // Live (0) before backlog (1) among those owed service; else the first waiting.
  for (int l = 0; l < 2; ++l) {
    const Lane& lane = lanes_[static_cast<size_t>(l)];
    if (lane.items > 0 && lane.credit >= 0) return l;
  }
  return lanes_[0].items > 0 ? 0 : 1;
}

int Scheduler::PickClass(const Lane& lane) const {
  int first = -1;
  for (int c = 0; c < kSchedClasses; ++c) {
    const ClassQueue& cq = lane.classes[static_cast<size_t>(c)];
    if (cq.items == 0) continue;
    if (cq.credit >= 0) return c;
    if (first < 0) first = c;
  }
  return first;
}

Scheduler::ItemList::iterator Scheduler::PickDrr(ClassQueue& cq) {
  assert(!cq.ring.empty());
  const double quantum = static_cast<double>(config_.quantum_bytes);
  size_t misses = 0;
  for (;;) {
    if (cq.ring_pos >= cq.ring.size()) cq.ring_pos = 0;
    EdgeQueue& q = cq.edges[cq.ring[cq.ring_pos]];
    if (!q.turn_started) {
      q.deficit += quantum * EdgeWeight(cq.ring[cq.ring_pos]);
      q.turn_started = true;
    }
    const double cost = static_cast<double>(Cost(q.items.front()));
    if (cost <= q.deficit) {
      q.deficit -= cost;
      return q.items.begin();
    }
    // Turn over: the edge keeps its deficit for the next round.
    q.turn_started = false;
    ++cq.ring_pos;
    if (++misses < cq.ring.size()) continue;
    // A whole round served nothing (items larger than a quantum): skip the empty rounds.
    misses = 0;
    double rounds = std::numeric_limits<double>::infinity();
    for (uint32_t e : cq.ring) {
      const EdgeQueue& eq = cq.edges[e];
      const double need = static_cast<double>(Cost(eq.items.front())) - eq.deficit;
      rounds = std::min(rounds, std::ceil(need / (quantum * EdgeWeight(e))));
    }
    if (rounds > 1) {
      for (uint32_t e : cq.ring) cq.edges[e].deficit += (rounds - 1) * quantum * EdgeWeight(e);
    }
  }
}

void Scheduler::Account(int lane_no, int cls, uint64_t cost) {
  const double b = static_cast<double>(cost);
  const double cap = static_cast<double>(config_.quantum_bytes);
  auto settle = [&](double& credit, double share, bool served, bool waiting) {
    credit += share * b - (served ? b : 0.0);
    if (!waiting) credit = std::min(credit, 0.0);
    credit = std::max(credit, -cap);
  };
  for (int l = 0; l < 2; ++l) {
    Lane& lane = lanes_[static_cast<size_t>(l)];
    const double share = l == 1 ? config_.backlog_min_share : 1.0 - config_.backlog_min_share;
    settle(lane.credit, share, l == lane_no, lane.items > 0);
  }
  Lane& lane = lanes_[static_cast<size_t>(lane_no)];
  for (int c = 0; c < kSchedClasses; ++c) {
    ClassQueue& cq = lane.classes[static_cast<size_t>(c)];
    settle(cq.credit, config_.class_min_share[static_cast<size_t>(c)], c == cls, cq.items > 0);
  }
}

std::optional<SchedItem> Scheduler::Next(uint64_t now_ms) {
  (void)now_ms;
  if (items_ == 0) return std::nullopt;
  const int lane_no = PickLane();
  Lane& lane = lanes_[static_cast<size_t>(lane_no)];
  const int cls = PickClass(lane);
  assert(cls >= 0);
  ItemList::iterator it = PickDrr(lane.classes[static_cast<size_t>(cls)]);
  SchedItem item = *it;
  Unlink(lane_no, cls, it);
  const uint64_t cost = Cost(item);
  Account(lane_no, cls, cost);
  Counters& k = counters_[{item.edge, cls}];
  k.served_items += 1;
  k.served_bytes += item.bytes;
  lane_served_bytes_[static_cast<size_t>(lane_no)] += item.bytes;
  return item;
}

uint64_t Scheduler::OldestEnqueued(uint32_t edge, int cls, bool* any) const {
  uint64_t oldest = std::numeric_limits<uint64_t>::max();
  *any = false;
  for (const Lane& lane : lanes_) {
    const ClassQueue& cq = lane.classes[static_cast<size_t>(cls)];
    auto it = cq.edges.find(edge);
    if (it == cq.edges.end() || it->second.items.empty()) continue;
    *any = true;
    oldest = std::min(oldest, it->second.items.front().enqueued_ms);
  }
  return oldest;
}

SchedStats Scheduler::Stats(uint32_t edge, int cls, uint64_t now_ms) const {
  SchedStats s;
  if (cls < 0 || cls >= kSchedClasses) return s;
  auto it = counters_.find({edge, cls});
  if (it == counters_.end()) return s;
  s.depth = it->second.depth;
  s.queued_bytes = it->second.queued_bytes;
  s.served_items = it->second.served_items;
  s.served_bytes = it->second.served_bytes;
  bool any = false;
  const uint64_t oldest = OldestEnqueued(edge, cls, &any);
  if (any && now_ms > oldest) s.oldest_age_ms = now_ms - oldest;
  return s;
}

nlohmann::json Scheduler::Snapshot(uint64_t now_ms) const {
  nlohmann::json j;
  j["now_ms"] = now_ms;
  j["items"] = items_;
  j["queued_bytes"] = bytes_;
  j["config"] = config_.ToJson();
  for (int l = 0; l < 2; ++l) {
    const Lane& lane = lanes_[static_cast<size_t>(l)];
    nlohmann::json lj{{"items", lane.items},
                      {"served_bytes", lane_served_bytes_[static_cast<size_t>(l)]},
                      {"credit_bytes", lane.credit}};
    for (int c = 0; c < kSchedClasses; ++c) {
      const ClassQueue& cq = lane.classes[static_cast<size_t>(c)];
      lj["classes"][SchedClassName(c)] = {
          {"items", cq.items}, {"active_edges", cq.ring.size()}, {"credit_bytes", cq.credit}};
    }
    j["lanes"][kLaneNames[l]] = std::move(lj);
  }
  // Per edge, then per class; an edge appears once anything of it was queued.
  nlohmann::json edges = nlohmann::json::array();
  nlohmann::json* cur = nullptr;
  uint32_t cur_edge = 0;
  for (const auto& [key, k] : counters_) {
    if (cur == nullptr || key.first != cur_edge) {
      cur_edge = key.first;
      edges.push_back({{"edge", cur_edge},
                       {"weight", EdgeWeight(cur_edge)},
                       {"classes", nlohmann::json::object()}});
      cur = &edges.back();
    }
    const SchedStats s = Stats(key.first, key.second, now_ms);
    (*cur)["classes"][SchedClassName(key.second)] = {{"depth", s.depth},
                                                     {"queued_bytes", s.queued_bytes},
                                                     {"oldest_age_ms", s.oldest_age_ms},
                                                     {"served_items", s.served_items},
                                                     {"served_bytes", s.served_bytes}};
  }
  j["edges"] = std::move(edges);
  return j;
}

}  // namespace tern::core
