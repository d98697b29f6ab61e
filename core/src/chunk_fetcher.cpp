// ChunkFetcher: see chunk_fetcher.h.
#include "chunk_fetcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <tuple>

#include "chunk_cache.h"
#include "tern/common/bytes.h"
#include "tern/common/protocol.h"
#include "tern/core/manifest.h"

namespace tern::core {

std::vector<LiveNode> OrderHolders(const std::vector<uint32_t>& holders,
                                   const std::vector<LiveNode>& live, const std::string& zone) {
  std::vector<LiveNode> ask;
  for (uint32_t h : holders) {
    auto it =
        std::find_if(live.begin(), live.end(), [&](const LiveNode& n) { return n.addr == h; });
    if (it != live.end()) ask.push_back(*it);
  }
  auto far = [&](const LiveNode& n) { return zone.empty() || n.zone != zone; };
  std::sort(ask.begin(), ask.end(), [&](const LiveNode& a, const LiveNode& b) {
    return std::make_tuple(far(a), a.load, a.name) < std::make_tuple(far(b), b.load, b.name);
  });
  return ask;
}

void ChunkFetcher::Count(const char* name) {
  if (d_.metrics) d_.metrics->Add(name);
}

Result<FetchedBytes> ChunkFetcher::Fetch(const ChunkId& id) {
  const std::string hex = ToHex(id);
  if (!d_.where) return Status::Unavailable("chunk " + hex + ": no manifest to read");
  TERN_ASSIGN_OR_RETURN(std::optional<ChunkWhere> where, d_.where(id));
  if (!where) return Status::NotFound("chunk " + hex + " is not in the manifest");
  if (where->spooled && ChunkIdOf(*where->spooled) == id) {
    Count("chunk_reads");
    return FetchedBytes{std::move(*where->spooled), d_.core_name};
  }
  if (d_.cache) {
    if (auto hit = d_.cache->Get(id)) {
      Count("chunk_reads");
      return FetchedBytes{std::move(*hit), kFromCache};
    }
  }
  const std::vector<LiveNode> ask =
      OrderHolders(where->holders, d_.live ? d_.live() : std::vector<LiveNode>{}, d_.zone);
  std::string tried;
  for (const auto& n : ask) {
    uint64_t req;
    {
      std::lock_guard<std::mutex> lk(mu_);
      req = next_req_++;
      pending_[req] = Pending{id, n.name, false, "", ""};
    }
    msg::Get g;
    g.id = id;
    g.req = req;
    d_.send(d_.down_prefix + n.name, g.Encode());
    std::unique_lock<std::mutex> lk(mu_);
    const bool answered = cv_.wait_for(lk, std::chrono::milliseconds(d_.timeout_ms),
                                       [&] { return pending_[req].done; });
    Pending p = std::move(pending_[req]);
    pending_.erase(req);
    lk.unlock();
    if (answered && p.reason.empty()) {
      Count("chunk_reads");
      if (d_.cache) d_.cache->Put(id, p.wire);
      return FetchedBytes{std::move(p.wire), n.name};
    }
    const std::string why =
        answered ? p.reason : "no answer in " + std::to_string(d_.timeout_ms) + " ms";
    spdlog::warn("core: read of chunk {} from {}: {}", hex, n.name, why);
    tried += (tried.empty() ? "" : "; ") + n.name + ": " + why;
  }
  Count("chunk_read_failures");
  std::string holders;
  for (uint32_t h : where->holders) holders += (holders.empty() ? "" : ",") + std::to_string(h);
  if (ask.empty()) {
    return Status::Unavailable("chunk " + hex + ": no live holder (holders by address: " +
                               (holders.empty() ? "none" : holders) + ")");
  }
  return Status::Unavailable("chunk " + hex + ": no live holder sent a good copy (tried " + tried +
                             ")");
}

bool ChunkFetcher::OnGot(const std::string& from, std::string_view payload) {
  auto env = DecodeEnvelope(payload);  // checks that the bytes hash to the claimed id
  if (!env.ok() || env->type != EnvelopeType::kGot) {
    Count("chunk_read_refused");
    spdlog::warn("core: envelope on peer/{}: {}", from,
                 env.ok() ? "not a got envelope" : env.status().ToString());
    return false;
  }
  std::lock_guard<std::mutex> lk(mu_);
  auto it = pending_.find(env->request);
  if (it == pending_.end() || it->second.done || it->second.holder != from ||
      ChunkId(env->id) != it->second.id) {
    Count("chunk_read_refused");
    spdlog::warn(
        "core: got from {} for request {}: no such read pending from it (late, or "
        "for another chunk)",
        from, env->request);
    return false;
  }
  it->second.done = true;
  it->second.wire = std::string(env->chunk);
  cv_.notify_all();
  return true;
}

bool ChunkFetcher::OnGetNack(const msg::GetNack& n, const std::string& from) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = pending_.find(n.req);
  if (it == pending_.end() || it->second.done || it->second.holder != from ||
      n.id != it->second.id) {
    Count("chunk_read_refused");
    return false;
  }
  it->second.done = true;
  it->second.reason = "refused: " + (n.reason.empty() ? std::string("no reason") : n.reason);
  cv_.notify_all();
  return true;
}

std::function<Result<std::optional<ChunkWhere>>(const ChunkId&)> ChunkFetcher::ManifestWhere(
    std::string core_db) {
  struct Db {
    std::mutex mu;
    std::unique_ptr<Manifest> m;  // guarded by mu
  };
  auto db = std::make_shared<Db>();
  return [db, core_db](const ChunkId& id) -> Result<std::optional<ChunkWhere>> {
    std::lock_guard<std::mutex> lk(db->mu);
    if (!db->m) {
      auto m = Manifest::Open(core_db, /*read_only=*/true);
      if (!m.ok()) return Status::Unavailable("core database: " + m.status().message());
      db->m = std::move(m).value();
    }
    TERN_ASSIGN_OR_RETURN(auto c, db->m->Chunk(id));
    if (!c) return std::optional<ChunkWhere>();
    ChunkWhere w;
    TERN_ASSIGN_OR_RETURN(w.holders, db->m->Holders(id));
    TERN_ASSIGN_OR_RETURN(w.spooled, db->m->SpoolData(id));
    return std::optional<ChunkWhere>(std::move(w));
  };
}

std::function<std::vector<LiveNode>()> ChunkFetcher::LiveFromStatus(
    std::function<nlohmann::json()> status) {
  return [status = std::move(status)] {
    std::vector<LiveNode> out;
    nlohmann::json s = status ? status() : nlohmann::json();
    if (!s.is_object() || !s.contains("nodes") || !s["nodes"].is_array()) return out;
    for (const auto& n : s["nodes"]) {
      if (!n.is_object() || n.value("state", "") != "live") continue;
      if (!n.contains("addr") || !n["addr"].is_number_integer()) continue;
      LiveNode l;
      l.addr = n["addr"].get<uint32_t>();
      l.name = n.value("name", "");
      l.load = n.contains("load") && n["load"].is_number() ? n["load"].get<double>() : 0.0;
      l.cpu = n.contains("cpu") && n["cpu"].is_number() ? n["cpu"].get<double>() : 0.0;
      l.zone = n.contains("zone") && n["zone"].is_string() ? n["zone"].get<std::string>() : "";
      out.push_back(std::move(l));
    }
    return out;
  };
}

}  // namespace tern::core
