// TopModel: see top_model.h.
#include "top_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli_util.h"

namespace tern::tools {
namespace {

using json = nlohmann::json;

// Counter `key` of counter object `c`, or nullopt when absent or not an integer.
std::optional<int64_t> Counter(const json& c, const std::string& key) {
  if (!c.is_object()) return std::nullopt;
  auto it = c.find(key);
  if (it == c.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// The growth of a cumulative counter; one that went down (the daemon restarted) counts from
// zero, so a restart never shows as a negative rate.
int64_t Growth(int64_t before, int64_t now) { return now >= before ? now - before : now; }

json OrNull(const std::optional<double>& v) { return v ? json(*v) : json(); }

std::string Rate(const json& v) {
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v.get<double>());
  return buf;
}

}  // namespace

const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::optional<int64_t> AckQuantileMs(const json& prev, const json& cur, const std::string& grade,
                                     double q) {
  const std::string p = "ack_ms_" + grade + "_le_";
  // Per-bucket counts over the interval (the counters are cumulative "<= bound" counts).
  std::array<int64_t, kAckBoundsMs.size() + 1> cum{};
  for (size_t i = 0; i <= kAckBoundsMs.size(); ++i) {
    const std::string key = p + (i < kAckBoundsMs.size() ? std::to_string(kAckBoundsMs[i]) : "inf");
    const auto now = Counter(cur, key);
    if (!now) return std::nullopt;
    cum[i] = Growth(Counter(prev, key).value_or(0), *now);
  }
  // The cumulative counts must not go down from one bucket to the next; a restart between
  // polls can make them do so, the interval's figure is then the counts since the restart.
  const int64_t total = cum.back();
  if (total <= 0) return std::nullopt;
  const double need = std::max(1.0, std::ceil(q * static_cast<double>(total)));
  for (size_t i = 0; i < kAckBoundsMs.size(); ++i) {
    if (static_cast<double>(cum[i]) >= need) return kAckBoundsMs[i];
  }
  return kAckOverMs;
}

std::string FormatAckBound(std::optional<int64_t> bound_ms) {
  if (!bound_ms) return "-";
  if (*bound_ms == kAckOverMs) return ">" + std::to_string(kAckBoundsMs.back()) + "ms";
  return "<=" + std::to_string(*bound_ms) + "ms";
}

std::optional<double> CounterRate(const json& prev, const json& cur, const char* key, double dt_s) {
  if (!prev.is_object() || dt_s <= 0) return std::nullopt;
  const auto now = Counter(cur, key);
  if (!now) return std::nullopt;
  return static_cast<double>(Growth(Counter(prev, key).value_or(0), *now)) / dt_s;
}

void StateTracker::Observe(const std::string& node, const std::string& state, int64_t now_ms) {
  auto [it, fresh] = nodes_.try_emplace(node);
  Entry& e = it->second;
  if (!fresh && e.state != state) e.changes.emplace_back(now_ms, e.state);
  e.state = state;
  while (!e.changes.empty() && now_ms - e.changes.front().first > kWindowMs) e.changes.pop_front();
}

StateTracker::View StateTracker::Get(const std::string& node, int64_t now_ms) const {
  View v;
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return v;
  v.state = it->second.state;
  for (const auto& [when, from] : it->second.changes) {
    if (now_ms - when > kWindowMs) continue;
    ++v.changes;
    v.from = from;
    v.ago_ms = now_ms - when;
  }
  v.flapping = v.changes >= kFlapChanges;
  return v;
}

std::string DescribeState(const StateTracker::View& v) {
  std::string s = v.state.empty() ? "?" : v.state;
  if (v.ago_ms >= 0) s += " <- " + v.from + " " + std::to_string(v.ago_ms / 1000) + "s ago";
  if (v.flapping) s += " FLAPPING (" + std::to_string(v.changes) + " changes/min)";
  return s;
}

json TopDocument(const TopPoll* prev, const TopPoll& cur, const StateTracker& tracker) {
  const double dt = prev ? static_cast<double>(cur.t_ms - prev->t_ms) / 1000.0 : 0;
  json doc{{"interval_s", prev ? json(dt) : json()}};
  if (!cur.error.empty()) doc["error"] = cur.error;

  // Each node's previous counters, by name.
  std::map<std::string, json> before;
  if (prev && prev->nodes.is_object()) {
    for (const auto& n : Field(prev->nodes, "nodes")) {
      before[Str(n, "name")] = Field(n, "counters");
    }
  }
  json edges = json::array();
  int live = 0, total = 0;
  if (cur.nodes.is_object()) {
    const json& core_addr = Field(cur.status, "addr");
    for (const auto& n : Field(cur.nodes, "nodes")) {
      // The core is registered too; it has no outbox or ingest of its own to show here.
      if (core_addr.is_number_integer() && Field(n, "addr") == core_addr) continue;
      const std::string name = Str(n, "name");
      const json c = Field(n, "counters");
      auto pb = before.find(name);
      const json& pc = pb == before.end() ? json() : pb->second;
      const auto sv = tracker.Get(name, cur.t_ms);
      ++total;
      if (sv.state == "live") ++live;
      json acks = json::object();
      for (const char* g : {"core", "peer2"}) {
        const auto p50 = AckQuantileMs(pc, c, g, 0.50), p99 = AckQuantileMs(pc, c, g, 0.99);
        acks[g] = {{"p50", FormatAckBound(p50)},
                   {"p99", FormatAckBound(p99)},
                   {"p50_le_ms", p50 && *p50 != kAckOverMs ? json(*p50) : json()},
                   {"p99_le_ms", p99 && *p99 != kAckOverMs ? json(*p99) : json()}};
      }
      // Not yet safe: sealed chunks the core has not acked (three copies in its manifest).
      json unsafe;
      if (auto sealed = Counter(c, "chunks_sealed"), core = Counter(c, "grade_core");
          sealed && core) {
        unsafe = std::max<int64_t>(0, *sealed - *core);
      } else if (n.contains("outbox_chunks") && n["outbox_chunks"].is_number_integer()) {
        unsafe = n["outbox_chunks"];
      }
      edges.push_back({{"name", name},
                       {"addr", Field(n, "addr")},
                       {"state", sv.state},
                       {"state_text", DescribeState(sv)},
                       {"changed_from", sv.ago_ms >= 0 ? json(sv.from) : json()},
                       {"changed_ago_s", sv.ago_ms >= 0 ? json(sv.ago_ms / 1000) : json()},
                       {"changes_last_min", sv.changes},
                       {"flapping", sv.flapping},
                       {"records_per_s", OrNull(CounterRate(pc, c, "records_local", dt))},
                       {"chunks_per_s", OrNull(CounterRate(pc, c, "chunks_sealed", dt))},
                       {"outbox_chunks", Field(n, "outbox_chunks")},
                       {"outbox_bytes", Field(n, "outbox_bytes")},
                       {"not_safe", unsafe},
                       {"ack", acks}});
    }
  }
  doc["edges"] = std::move(edges);

  const json& st = cur.status;
  const json& rep = cur.report;
  json core{{"live", live}, {"total", total}};
  core["manifest_chunks"] = Field(st, "manifest_chunks");
  const json copies = Field(rep, "copies");
  core["under_replicated"] = {{"1", Field(copies, "1")}, {"2", Field(copies, "2")}};
  const json repair = Field(rep, "repair");
  core["repair"] = {{"queue", Field(repair, "queue")},
                    {"in_flight", Field(repair, "in_flight")},
                    {"blocked_reason", Str(repair, "blocked_reason")}};
  // Scheduler queues per class, over every edge: depth and the oldest item's age.
  json classes = json::object();
  {
    for (const auto& e : Field(cur.scheduler, "edges")) {
      for (const auto& [cls, q] : Field(e, "classes").items()) {
        json& k = classes[cls];
        k["depth"] = Num(k, "depth") + Num(q, "depth");
        k["oldest_age_ms"] = std::max(Num(k, "oldest_age_ms"), Num(q, "oldest_age_ms"));
      }
    }
  }
  core["scheduler"] = std::move(classes);
  const json cc = Field(st, "counters");
  const json pcc = prev ? Field(prev->status, "counters") : json();
  core["results"] = Field(cc, "results");
  core["alarms"] = Field(cc, "alarms");
  core["ingest_chunks_per_s"] = OrNull(CounterRate(pcc, cc, "uplinks", dt));
  core["records_processed_per_s"] = OrNull(CounterRate(pcc, cc, "records_processed", dt));
  json latest;
  if (cur.alarm.is_object()) {
    const json& a = cur.alarm;
    latest = Str(a, "processor") + " found " + std::to_string(Num(a, "anomalies")) +
             " anomalies in " + Str(a, "origin_name") + "/" + Str(a, "source") + " at " +
             FormatMs(Num(a, "t_first_ms"));
  }
  core["latest_alarm"] = latest;
  doc["core"] = std::move(core);
  doc["board"] = cur.board;
  return doc;
}

std::vector<std::string> RenderTop(const json& doc) {
  std::vector<std::string> out;
  char line[256];
  const json& iv = doc["interval_s"];
  out.push_back(iv.is_number()
                    ? "ternctl top: rates and ack percentiles over the last " + Rate(iv) + " s"
                    : "ternctl top: rates from the second poll on");
  if (doc.contains("error")) out.push_back("core not answering: " + Str(doc, "error"));
  std::snprintf(line, sizeof line, "%-10s %-34s %9s %8s %16s %7s %19s %19s", "EDGE", "STATE",
                "records/s", "chunks/s", "outbox", "unsafe", "core ack p50/p99",
                "peer2 ack p50/p99");
  out.emplace_back(line);
  for (const auto& e : doc["edges"]) {
    std::string outbox = "-";
    if (e["outbox_chunks"].is_number()) {
      outbox = std::to_string(Num(e, "outbox_chunks")) + " / " +
               HumanBytes(static_cast<double>(Num(e, "outbox_bytes")));
    }
    const json& a = e["ack"];
    const std::string core_ack = Str(a["core"], "p50") + "/" + Str(a["core"], "p99");
    const std::string peer_ack = Str(a["peer2"], "p50") + "/" + Str(a["peer2"], "p99");
    std::snprintf(line, sizeof line, "%-10s %-34s %9s %8s %16s %7s %19s %19s",
                  Str(e, "name").c_str(), Str(e, "state_text").c_str(),
                  Rate(e["records_per_s"]).c_str(), Rate(e["chunks_per_s"]).c_str(), outbox.c_str(),
                  e["not_safe"].is_number() ? std::to_string(Num(e, "not_safe")).c_str() : "-",
                  core_ack.c_str(), peer_ack.c_str());
    out.emplace_back(line);
  }
  const json& c = doc["core"];
  auto n = [](const json& v) { return v.is_number() ? std::to_string(v.get<int64_t>()) : "-"; };
  std::snprintf(line, sizeof line,
                "core: %s/%s nodes live, manifest %s chunks, under-replicated %s with 1 copy, %s "
                "with 2, repair backlog %s (%s in flight)",
                n(c["live"]).c_str(), n(c["total"]).c_str(), n(c["manifest_chunks"]).c_str(),
                n(c["under_replicated"]["1"]).c_str(), n(c["under_replicated"]["2"]).c_str(),
                n(c["repair"]["queue"]).c_str(), n(c["repair"]["in_flight"]).c_str());
  out.emplace_back(line);
  if (!Str(c["repair"], "blocked_reason").empty()) {
    out.push_back("  repair blocked: " + Str(c["repair"], "blocked_reason"));
  }
  std::string sched = "  scheduler queues:";
  if (c["scheduler"].empty()) sched += " none";
  for (const char* cls : {"alarm", "high", "normal", "bulk"}) {
    if (!c["scheduler"].contains(cls)) continue;
    const json& q = c["scheduler"][cls];
    std::snprintf(line, sizeof line, " %s %lld (oldest %.1fs)", cls,
                  static_cast<long long>(Num(q, "depth")),
                  static_cast<double>(Num(q, "oldest_age_ms")) / 1000.0);
    sched += line;
  }
  out.push_back(sched);
  std::snprintf(line, sizeof line,
                "  ingest %s chunks/s, processed %s records/s; results %s, alarms %s",
                Rate(c["ingest_chunks_per_s"]).c_str(), Rate(c["records_processed_per_s"]).c_str(),
                n(c["results"]).c_str(), n(c["alarms"]).c_str());
  out.emplace_back(line);
  if (c["latest_alarm"].is_string()) out.push_back("  latest alarm: " + Str(c, "latest_alarm"));
  return out;
}

}  // namespace tern::tools
