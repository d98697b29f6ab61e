// The fault battery's invariant check (see invariants.h).
#include "invariants.h"

#include <algorithm>
#include <utility>

#include "tern/common/bytes.h"
#include "tern/core/manifest.h"

namespace tern::testing {
namespace {

constexpr size_t kListMax = 200;  // per list; the counts stay exact

std::string Short(const ChunkId& id) { return ToHex(id).substr(0, 16); }

void Add(std::vector<std::string>& list, std::string item) {
  if (list.size() < kListMax) list.push_back(std::move(item));
}

}  // namespace

std::string InvariantResult::Report() const {
  std::string r = "acked " + std::to_string(acked) + ", on three stores " +
                  std::to_string(on_three) + ", under-replicated " +
                  std::to_string(under_replicated.size()) + ", missing " +
                  std::to_string(missing.size()) + ", records " + std::to_string(records) +
                  ", stored but not acked " + std::to_string(stored_unacked) + ", violations " +
                  std::to_string(violation_count);
  auto list = [&](const char* what, const std::vector<std::string>& items) {
    if (items.empty()) return;
    r += std::string("\n") + what + ":";
    for (const auto& i : items) r += "\n  " + i;
  };
  list("violations", violations);
  list("under-replicated", under_replicated);
  list("missing", missing);
  return r;
}

InvariantResult CheckInvariants(const Site& site, const InvariantOptions& options) {
  InvariantResult res;
  auto violation = [&](std::string v) {
    ++res.violation_count;
    Add(res.violations, std::move(v));
  };

  // What each store really holds: id -> stores with a copy whose bytes hash to the id.
  std::map<uint32_t, int> edge_of;  // address -> edge index
  std::map<ChunkId, std::set<uint32_t>> good;
  std::map<ChunkId, std::string> wire_of;
  for (int i = 0; i < site.edges(); ++i) {
    const uint32_t addr = site.EdgeAddr(i);
    if (addr == 0) {
      if (!options.lost_stores.count(i)) violation("edge-" + std::to_string(i) + ": no address");
      continue;
    }
    edge_of[addr] = i;
    for (auto& sc : site.ReadStore(i)) {
      if (ChunkIdOf(sc.wire) != sc.id) {
        violation("chunk " + Short(sc.id) + ": the copy at edge-" + std::to_string(i) +
                  " hashes to " + Short(ChunkIdOf(sc.wire)));
        continue;
      }
      good[sc.id].insert(addr);
      wire_of.emplace(sc.id, std::move(sc.wire));
    }
  }
  auto name_of = [&](uint32_t addr) {
    auto e = edge_of.find(addr);
    return e == edge_of.end()
               ? "addr " + std::to_string(addr)
               : "edge-" + std::to_string(e->second) + " (addr " + std::to_string(addr) + ")";
  };

  auto m = core::Manifest::Open(site.CoreDir() + "/core.db", /*read_only=*/true);
  if (!m.ok()) {
    violation("manifest unreadable: " + m.status().ToString());
    return res;
  }
  auto all = (*m)->All();
  if (!all.ok()) {
    violation("manifest unreadable: " + all.status().ToString());
    return res;
  }

  // Copies of every acked chunk.
  std::set<ChunkId> acked_ids;
  std::map<std::tuple<uint32_t, std::string, uint64_t>, ChunkId> by_seq;
  for (const auto& c : *all) {
    // Analysis results are never "acked" (the core places them itself): checked alike.
    const bool result = c.kind == static_cast<int>(RecordKind::kResult);
    if (!c.acked && !(result && !c.holders.empty())) continue;
    ++res.acked;
    acked_ids.insert(c.id);
    if (c.kind != static_cast<int>(RecordKind::kResult)) {
      auto [it, fresh] = by_seq.emplace(std::make_tuple(c.origin, c.source, c.seq), c.id);
      if (!fresh) {
        violation("(origin " + std::to_string(c.origin) + ", " + c.source + ", seq " +
                  std::to_string(c.seq) + ") acked as " + Short(it->second) + " and " +
                  Short(c.id));
      }
    }
    const std::set<uint32_t>& have = good[c.id];
    if (have.size() >= 3) {
      ++res.on_three;
      // At rest the manifest names no holder without a copy (unless the test lost it).
      for (uint32_t addr : c.holders) {
        if (have.count(addr)) continue;
        auto e = edge_of.find(addr);
        if (e != edge_of.end() && options.lost_stores.count(e->second)) continue;
        violation("chunk " + Short(c.id) + ": the manifest lists " + name_of(addr) +
                  " as a holder, its store has no copy");
      }
      continue;
    }
    // Who should hold it and does not, and why.
    std::set<uint32_t> expected(c.holders.begin(), c.holders.end());
    if (c.kind != static_cast<int>(RecordKind::kResult)) expected.insert(c.origin);
    std::string why;
    bool explained = true;
    for (uint32_t addr : expected) {
      if (have.count(addr)) continue;
      auto e = edge_of.find(addr);
      auto lost =
          e == edge_of.end() ? options.lost_stores.end() : options.lost_stores.find(e->second);
      if (lost != options.lost_stores.end()) {
        why += "; lacks " + name_of(addr) + ": " + lost->second;
      } else {
        why += "; lacks " + name_of(addr) + ": no copy in its store";
        explained = false;
      }
    }
    if (expected.size() < 3) {
      why += "; manifest names only " + std::to_string(c.holders.size()) + " holders";
      explained = false;
    }
    const std::string line = "chunk " + Short(c.id) + " (origin " + std::to_string(c.origin) +
                             ", " + c.source + " seq " + std::to_string(c.seq) +
                             "): " + std::to_string(have.size()) + " good copies" + why;
    if (!explained) {
      violation("acked " + line);
    } else if (have.empty()) {
      Add(res.missing, line);
    } else {
      Add(res.under_replicated, line);
    }
  }

  // Records of acked chunks, once per chunk: no duplicate, no gap unless allowed. (A chunk
  // stored but never acked, e.g. a replica orphaned by a wiped origin, is only counted.)
  std::map<std::pair<uint32_t, std::string>, std::vector<uint64_t>> seqs;
  for (const auto& [id, wire] : wire_of) {
    if (!acked_ids.count(id)) {
      ++res.stored_unacked;
      continue;
    }
    auto v = DecodeChunk(wire);
    if (!v.ok()) {
      violation("chunk " + Short(id) + ": undecodable: " + v.status().ToString());
      continue;
    }
    if (v->header.kind == RecordKind::kResult) continue;
    auto recs = DecodeRecords(*v);
    if (!recs.ok()) {
      violation("chunk " + Short(id) + ": undecodable records: " + recs.status().ToString());
      continue;
    }
    auto& s = seqs[{v->header.origin, v->header.source}];
    for (const auto& r : *recs) s.push_back(r.seq);
  }
  for (auto& [key, s] : seqs) {
    std::sort(s.begin(), s.end());
    res.records += static_cast<int64_t>(s.size());
    const std::string src = name_of(key.first) + " source " + key.second;
    const bool gaps_ok = options.gaps_allowed.count(key.first) > 0;
    if (!gaps_ok && !s.empty() && s.front() != 0) {
      violation(src + ": records start at seq " + std::to_string(s.front()));
    }
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == s[i - 1]) {
        violation(src + ": record seq " + std::to_string(s[i]) + " stored twice");
      } else if (s[i] != s[i - 1] + 1 && !gaps_ok) {
        violation(src + ": record seq gap " + std::to_string(s[i - 1]) + " -> " +
                  std::to_string(s[i]));
      }
    }
  }
  return res;
}

}  // namespace tern::testing
