// Site inspection: node listing, chunk location and verified chunk fetches (verification is
// in verify.cpp). Opens every database read-only, core.db through core::Manifest and each
// edge.db through edge::LocalStore::OpenReadOnly (store_access.h; no SQL here); see inspect.h.
#include "tern/tools/inspect.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "store_access.h"
#include "tern/common/bytes.h"

namespace tern::tools {

// ---------------------------------------------------------------------------------------
// Opening the databases (store_access.h)

Result<std::unique_ptr<core::Manifest>> OpenCore(const std::string& core_db) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(core_db, ec)) {
    return Status::NotFound("core database " + core_db +
                            ": no such file (pass --core-db PATH or --site DIR)");
  }
  auto m = core::Manifest::Open(core_db, /*read_only=*/true);
  if (!m.ok()) return m.status().WithContext("core database " + core_db);
  return m;
}

Result<std::unique_ptr<edge::LocalStoreReader>> OpenStore(const std::string& path) {
  if (path.empty()) return Status::NotFound("no store path registered");
  return edge::LocalStore::OpenReadOnly(path);
}

namespace {

using core::ChunkRecord;
using core::NodeRecord;

std::map<uint32_t, NodeRecord> NodeMap(const std::vector<NodeRecord>& nodes) {
  std::map<uint32_t, NodeRecord> m;
  for (const auto& n : nodes) m[n.addr] = n;
  return m;
}

HolderInfo MakeHolder(uint32_t addr, const std::map<uint32_t, NodeRecord>& nodes) {
  HolderInfo h;
  h.addr = addr;
  auto it = nodes.find(addr);
  if (it != nodes.end()) {
    h.registered = true;
    h.name = it->second.name;
    h.state = it->second.state;
    h.store_path = it->second.store_path;
  }
  return h;
}

LocatedChunk MakeLocated(ChunkRecord c, const std::map<uint32_t, NodeRecord>& nodes) {
  LocatedChunk out;
  for (uint32_t h : c.holders) out.holders.push_back(MakeHolder(h, nodes));
  out.chunk = std::move(c);
  return out;
}

std::string HolderLabel(const HolderInfo& h) {
  std::string s = "holder " + std::to_string(h.addr);
  if (!h.registered) return s + " (not registered)";
  s += " (" + h.name + ", " + h.state + ", " + h.store_path + ")";
  return s;
}

const char* SafeKindName(int k) {
  return k >= 0 && k <= 3 ? KindName(static_cast<RecordKind>(k)) : "unknown";
}
const char* SafePriorityName(int p) {
  return p >= 0 && p < kNumPriorities ? PriorityName(static_cast<Priority>(p)) : "unknown";
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<std::vector<NodeInfo>> Nodes(const std::string& core_db) {
  TERN_ASSIGN_OR_RETURN(auto m, OpenCore(core_db));
  TERN_ASSIGN_OR_RETURN(auto nodes, m->Nodes());
  std::vector<NodeInfo> out;
  for (auto& n : nodes) {
    NodeInfo info;
    info.node = std::move(n);
    auto store = OpenStore(info.node.store_path);
    if (!store.ok()) {
      info.store_error = store.status().message();
    } else {
      auto totals = (*store)->Totals();
      if (totals.ok()) {
        info.store_readable = true;
        info.chunks = totals->first;
        info.bytes = totals->second;
      } else {
        info.store_error = totals.status().message();
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

// ---------------------------------------------------------------------------------------

Result<LocatedChunk> Locate(const std::string& core_db, std::string_view id_hex_or_prefix) {
  std::string hex(id_hex_or_prefix);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (hex.empty() || hex.size() > 64 ||
      hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument("chunk id '" + std::string(id_hex_or_prefix) +
                                   "': expected 1 to 64 hex digits");
  }
  TERN_ASSIGN_OR_RETURN(auto m, OpenCore(core_db));
  TERN_ASSIGN_OR_RETURN(std::string lo, FromHex(hex + std::string(64 - hex.size(), '0')));
  TERN_ASSIGN_OR_RETURN(std::string hi, FromHex(hex + std::string(64 - hex.size(), 'f')));
  TERN_ASSIGN_OR_RETURN(auto ids, m->holders().IdsBetween(lo, hi, 2));
  if (ids.empty()) {
    return Status::NotFound("chunk " + hex + ": not in the manifest " + core_db);
  }
  if (ids.size() > 1) {
    return Status::InvalidArgument("chunk prefix " + hex + " is ambiguous (matches " +
                                   ToHex(ids[0]) + ", " + ToHex(ids[1]) +
                                   ", ...); give more digits");
  }
  TERN_ASSIGN_OR_RETURN(auto c, m->Chunk(ids[0]));
  if (!c) return Status::NotFound("chunk " + ToHex(ids[0]) + ": vanished from " + core_db);
  TERN_ASSIGN_OR_RETURN(auto nodes, m->Nodes());
  LocatedChunk l = MakeLocated(std::move(*c), NodeMap(nodes));
  // A core.db from before analysis results has no links table: no links then.
  auto sources = m->SourcesOf(l.chunk.id);
  auto results = m->ResultsOf(l.chunk.id);
  if (sources.ok()) l.sources = std::move(*sources);
  if (results.ok()) l.results = std::move(*results);
  return l;
}

Result<std::vector<LocatedChunk>> Locate(const std::string& core_db, const std::string& source,
                                         uint32_t origin, uint64_t from, uint64_t to) {
  if (source.empty()) return Status::InvalidArgument("locate: a source is required");
  TERN_ASSIGN_OR_RETURN(auto m, OpenCore(core_db));
  TERN_ASSIGN_OR_RETURN(auto found, m->Find(source, origin, from, to));
  TERN_ASSIGN_OR_RETURN(auto nodes, m->Nodes());
  auto nm = NodeMap(nodes);
  std::vector<LocatedChunk> out;
  out.reserve(found.size());
  for (auto& c : found) out.push_back(MakeLocated(std::move(c), nm));
  return out;
}

// ---------------------------------------------------------------------------------------

Result<FetchedChunk> GetChunk(const std::string& core_db, std::string_view id_hex_or_prefix) {
  TERN_ASSIGN_OR_RETURN(LocatedChunk loc, Locate(core_db, id_hex_or_prefix));
  const ChunkId& id = loc.chunk.id;
  // Live holders first; the manifest's order within each group.
  std::stable_partition(loc.holders.begin(), loc.holders.end(),
                        [](const HolderInfo& h) { return h.state == "live"; });
  FetchedChunk out;
  out.id = id;
  bool saw_corrupt = false;
  for (const HolderInfo& h : loc.holders) {
    std::string who = HolderLabel(h);
    if (!h.registered) {
      out.notes.push_back(who + ": skipped, no store path");
      continue;
    }
    auto store = OpenStore(h.store_path);
    if (!store.ok()) {
      out.notes.push_back(who + ": " + store.status().message());
      continue;
    }
    auto got = (*store)->GetChunk(id);
    if (!got.ok()) {
      out.notes.push_back(who + ": " + got.status().message());
      continue;
    }
    if (!*got) {
      out.notes.push_back(who + ": store lacks the chunk");
      continue;
    }
    std::string wire = std::move(**got);
    if (ChunkIdOf(wire) != id) {
      saw_corrupt = true;
      out.notes.push_back(who + ": corrupt copy (sha256 " + ToHex(ChunkIdOf(wire)) + ")");
      continue;
    }
    auto view = DecodeChunk(wire);
    if (!view.ok()) {
      saw_corrupt = true;
      out.notes.push_back(who + ": header does not decode: " + view.status().ToString());
      continue;
    }
    auto records = DecodeRecords(*view);
    if (!records.ok()) {
      saw_corrupt = true;
      out.notes.push_back(who + ": body does not decode: " + records.status().ToString());
      continue;
    }
    out.header = view->header;
    out.records = std::move(records).value();
    out.wire = std::move(wire);
    out.served_by = h.addr;
    out.served_by_name = h.name;
    out.store_path = h.store_path;
    return out;
  }
  std::string msg = "chunk " + ToHex(id) + ": no holder has a good copy";
  if (loc.holders.empty()) msg += " (the manifest lists no holders)";
  for (const auto& n : out.notes) msg += "; " + n;
  return saw_corrupt ? Status::Corruption(msg) : Status::Unavailable(msg);
}

// ---------------------------------------------------------------------------------------

nlohmann::json ToJson(const NodeInfo& n) {
  nlohmann::json j = {{"addr", n.node.addr},
                      {"name", n.node.name},
                      {"state", n.node.state},
                      {"store_path", n.node.store_path},
                      {"capacity", n.node.capacity},
                      {"last_seen_ms", n.node.last_seen_ms},
                      {"store_readable", n.store_readable}};
  if (n.store_readable) {
    j["chunks"] = n.chunks;
    j["bytes"] = n.bytes;
  } else {
    j["chunks"] = nullptr;
    j["bytes"] = nullptr;
    j["store_error"] = n.store_error;
  }
  return j;
}

namespace {
nlohmann::json HexList(const std::vector<ChunkId>& ids) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& id : ids) a.push_back(ToHex(id));
  return a;
}
}  // namespace

nlohmann::json ToJson(const LocatedChunk& l) {
  const ChunkRecord& c = l.chunk;
  nlohmann::json holders = nlohmann::json::array();
  for (const auto& h : l.holders) {
    holders.push_back({{"addr", h.addr},
                       {"name", h.name},
                       {"state", h.state},
                       {"store_path", h.store_path},
                       {"registered", h.registered}});
  }
  return {{"id", ToHex(c.id)},
          {"origin", c.origin},
          {"source", c.source},
          {"seq", c.seq},
          {"kind", SafeKindName(c.kind)},
          {"priority", SafePriorityName(c.priority)},
          {"t_first", c.t_first},
          {"t_last", c.t_last},
          {"t_first_ms", c.t_first >> 16},
          {"t_last_ms", c.t_last >> 16},
          {"records", c.records},
          {"bytes", c.bytes},
          {"spooled", c.spooled},
          {"acked", c.acked},
          {"copies", l.holders.size()},
          {"holders", std::move(holders)},
          {"sources", HexList(l.sources)},
          {"results", HexList(l.results)}};
}

}  // namespace tern::tools
