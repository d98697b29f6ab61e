// ternctl verify: the manifest in core.db compared with what every registered store really
// holds (missing, extra, corrupt, under- and over-replicated copies), and its JSON report.
// Reads core.db through core::Manifest and each edge.db through
// edge::LocalStore::OpenReadOnly; see inspect.h.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "store_access.h"
#include "tern/common/bytes.h"
#include "tern/tools/inspect.h"

namespace tern::tools {
namespace {

using core::ChunkRecord;

nlohmann::json ToJson(const CopyProblem& p) {
  return {{"id", ToHex(p.id)},
          {"holder", p.holder},
          {"holder_name", p.holder_name},
          {"detail", p.detail}};
}

nlohmann::json ToJson(const ReplicationProblem& p) {
  return {{"id", ToHex(p.id)},
          {"real_copies", p.real_copies},
          {"real_holders", p.real_holders},
          {"manifest_holders", p.manifest_holders}};
}

nlohmann::json ToJson(const NodeVerify& n) {
  return {{"addr", n.addr},           {"name", n.name},
          {"state", n.state},         {"store_path", n.store_path},
          {"reachable", n.reachable}, {"error", n.error},
          {"stored", n.stored},       {"listed", n.listed},
          {"missing", n.missing},     {"extra", n.extra},
          {"corrupt", n.corrupt}};
}

template <typename T>
nlohmann::json Capped(const std::vector<T>& v, size_t max, bool* truncated) {
  nlohmann::json a = nlohmann::json::array();
  for (size_t i = 0; i < v.size() && i < max; ++i) a.push_back(ToJson(v[i]));
  if (v.size() > max) *truncated = true;
  return a;
}

}  // namespace

Result<VerifyReport> VerifySite(const std::string& core_db, bool check_hashes) {
  TERN_ASSIGN_OR_RETURN(auto m, OpenCore(core_db));
  TERN_ASSIGN_OR_RETURN(auto nodes, m->Nodes());
  TERN_ASSIGN_OR_RETURN(auto chunks, m->All());
  m.reset();  // the stores are read next; do not hold the core's read snapshot meanwhile

  VerifyReport r;
  r.hashes_checked = check_hashes;
  r.chunks = static_cast<int64_t>(chunks.size());

  struct Seen {
    std::vector<uint32_t> present;  // stores that have a row (good or corrupt)
    std::vector<uint32_t> good;     // stores whose row is good
  };
  std::unordered_map<std::string, size_t> index;
  index.reserve(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) index.emplace(chunks[i].id, i);
  std::vector<Seen> seen(chunks.size());

  std::map<uint32_t, size_t> node_index;
  for (const auto& n : nodes) {
    // The core registers itself (it is the origin of result chunks) but is no store.
    if (n.store_path.empty()) continue;
    NodeVerify v;
    v.addr = n.addr;
    v.name = n.name;
    v.state = n.state;
    v.store_path = n.store_path;
    node_index[n.addr] = r.nodes.size();
    r.nodes.push_back(std::move(v));
  }
  for (const auto& c : chunks) {
    for (uint32_t h : c.holders) {
      auto it = node_index.find(h);
      if (it != node_index.end()) ++r.nodes[it->second].listed;
    }
  }

  for (auto& v : r.nodes) {
    auto store = OpenStore(v.store_path);
    if (!store.ok()) {
      v.error = store.status().message();
      continue;
    }
    Status scan = (*store)->ScanChunks(check_hashes, [&](const edge::StoredChunkView& row) {
      ++v.stored;
      std::string id(row.id);
      bool good = true;
      if (check_hashes) {
        ChunkId actual = ChunkIdOf(row.data);
        if (actual != id) {
          good = false;
          ++v.corrupt;
          r.corrupt.push_back(
              {id, v.addr, v.name, "sha256 of data is " + ToHex(actual) + ", not the id"});
        }
      }
      auto it = index.find(id);
      bool listed = false;
      if (it != index.end()) {
        const auto& holders = chunks[it->second].holders;
        listed = std::find(holders.begin(), holders.end(), v.addr) != holders.end();
        seen[it->second].present.push_back(v.addr);
        if (good) seen[it->second].good.push_back(v.addr);
      }
      if (!listed) {
        ++v.extra;
        r.extra.push_back({id, v.addr, v.name,
                           it == index.end() ? "chunk not in the manifest"
                                             : "manifest does not list this holder"});
      }
    });
    if (!scan.ok()) {
      // A store that fails mid-scan is treated as unreachable: what it holds is unknown.
      v.error = scan.WithContext("store " + v.store_path).message();
      for (auto& s : seen) {
        std::erase(s.present, v.addr);
        std::erase(s.good, v.addr);
      }
      std::erase_if(r.extra, [&](const CopyProblem& p) { return p.holder == v.addr; });
      std::erase_if(r.corrupt, [&](const CopyProblem& p) { return p.holder == v.addr; });
      v.stored = v.extra = v.corrupt = 0;
      continue;
    }
    v.reachable = true;
  }

  // A chunk stored after the manifest was read shows up as extra while its "stored" notice
  // is in flight. Re-read the manifest for the (few) extras and keep only those still unlisted.
  if (!r.extra.empty()) {
    TERN_ASSIGN_OR_RETURN(auto again, OpenCore(core_db));
    std::vector<CopyProblem> still;
    for (auto& p : r.extra) {
      TERN_ASSIGN_OR_RETURN(auto holders, again->Holders(p.id));
      if (std::find(holders.begin(), holders.end(), p.holder) == holders.end()) {
        still.push_back(std::move(p));
      } else {
        --r.nodes[node_index[p.holder]].extra;
      }
    }
    r.extra = std::move(still);
  }

  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkRecord& c = chunks[i];
    const Seen& s = seen[i];
    for (uint32_t h : c.holders) {
      if (std::find(s.present.begin(), s.present.end(), h) != s.present.end()) continue;
      auto it = node_index.find(h);
      CopyProblem p{c.id, h, "", ""};
      if (it == node_index.end()) {
        p.detail = "holder not registered";
      } else {
        NodeVerify& v = r.nodes[it->second];
        p.holder_name = v.name;
        ++v.missing;
        p.detail = v.reachable ? "store lacks the chunk" : "store unreachable: " + v.error;
      }
      r.missing.push_back(std::move(p));
    }
    int real = static_cast<int>(s.good.size());
    if (real != r.copies_expected) {
      ReplicationProblem p{c.id, real, s.good, c.holders};
      if (real < r.copies_expected) {
        if (real == 0) r.lost.push_back(p);
        r.under_replicated.push_back(std::move(p));
      } else {
        r.over_replicated.push_back(std::move(p));
      }
    }
  }
  for (const auto& v : r.nodes) {
    if (!v.reachable) r.unreachable_stores.push_back(v);
  }
  return r;
}

nlohmann::json ToJson(const VerifyReport& r, size_t max_details) {
  bool truncated = false;
  nlohmann::json details = {
      {"missing", Capped(r.missing, max_details, &truncated)},
      {"under_replicated", Capped(r.under_replicated, max_details, &truncated)},
      {"lost", Capped(r.lost, max_details, &truncated)},
      {"over_replicated", Capped(r.over_replicated, max_details, &truncated)},
      {"extra", Capped(r.extra, max_details, &truncated)},
      {"corrupt", Capped(r.corrupt, max_details, &truncated)},
      {"unreachable_stores", Capped(r.unreachable_stores, max_details, &truncated)},
  };
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : r.nodes) nodes.push_back(ToJson(n));
  nlohmann::json by_copies = nlohmann::json::object();
  for (const auto& [copies, n] : r.UnderByCopies()) by_copies[std::to_string(copies)] = n;
  return {{"ok", r.ok()},
          {"chunks", r.chunks},
          {"copies_expected", r.copies_expected},
          {"hashes_checked", r.hashes_checked},
          {"missing", r.missing.size()},
          {"under_replicated", r.under_replicated.size()},
          {"under_replicated_by_copies", std::move(by_copies)},
          {"lost", r.lost.size()},
          {"over_replicated", r.over_replicated.size()},
          {"extra", r.extra.size()},
          {"corrupt", r.corrupt.size()},
          {"unreachable_stores", r.unreachable_stores.size()},
          {"nodes", std::move(nodes)},
          {"details", std::move(details)},
          {"details_truncated", truncated}};
}

}  // namespace tern::tools
