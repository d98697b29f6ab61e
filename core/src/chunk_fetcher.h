// ChunkFetcher: a chunk's bytes for a reader (GET /api/v1/chunks/{id}/bytes, `ternctl get`)
// without anyone opening another node's files. The manifest first (a chunk it lacks is
// NotFound, cached or not); then the core's own spool if it still has the chunk; then the
// read cache (chunk_cache.h, if on); else the core asks one live holder at a time, nearest
// first (OrderHolders: the core's own zone first, then lowest load, then name), with a
// msg::Get on down/<holder> and waits for its answer: the kGot envelope (request = the Get's
// req) on peer/<holder>/<core>, or a GetNack. An answer is used only if it comes from the
// holder asked and its bytes hash to the id (DecodeEnvelope checks the hash, Fetch checks the
// id); a nack, a mismatch or 5 s of silence moves on to the next live holder. Good bytes
// from a holder go into the cache.
//
// Fetch blocks its caller (an HTTP request thread) on a condition variable; OnGot/OnGetNack
// are called from the core's commit worker and only hand the answer over, so the worker is
// never held up by a reader. Counters: chunk_reads (served), chunk_read_failures (no good
// copy from anyone asked), chunk_read_refused (answers dropped: wrong sender, unknown or
// finished request, wrong id).
// Thread-safety: Fetch from any number of threads at once; OnGot/OnGetNack from any thread;
// the callbacks in ChunkFetcherDeps are called without the fetcher's lock held, from the
// thread calling Fetch.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/metrics.h"
#include "tern/common/status.h"
#include "tern/common/store_messages.h"

namespace tern::core {

// What the manifest says about one chunk: its holders (addresses) and the spooled bytes if
// the core still keeps them.
struct ChunkWhere {
  std::vector<uint32_t> holders;
  std::optional<std::string> spooled;
};

// A node the core's live membership knows now.
struct LiveNode {
  uint32_t addr = 0;
  std::string name;
  double load = 0;
  std::string zone;  // its heartbeats' node.zone ("" = none)
  double cpu = 0;    // its heartbeats' CPU share (0..1)
};

// The live ones among `holders`, in the order a read asks them: those whose zone is `zone`
// first (only when `zone` is not empty), then lower load, then name.
std::vector<LiveNode> OrderHolders(const std::vector<uint32_t>& holders,
                                   const std::vector<LiveNode>& live, const std::string& zone);

class ChunkCache;

struct ChunkFetcherDeps {
  // nullopt: the manifest lacks the chunk (Fetch answers NotFound).
  std::function<Result<std::optional<ChunkWhere>>(const ChunkId&)> where;
  // The nodes whose state is live now.
  std::function<std::vector<LiveNode>()> live;
  // Publishes a control message (sealed by the core like every statement) on `topic`.
  std::function<void(const std::string& topic, const std::string& payload)> send;
  std::string down_prefix;      // topics_.Down(""): the holder's name is appended
  std::string core_name;        // what X-Tern-Holder says for bytes from the spool
  std::string zone;             // the core's node.zone: holders there are asked first
  ChunkCache* cache = nullptr;  // the read cache (null: none); must outlive the fetcher
  int timeout_ms = 5000;        // per holder asked
  Metrics* metrics = nullptr;
};

struct FetchedBytes {
  std::string wire;  // SHA-256(wire) == the id asked for
  // The holder that sent them, the core's name (spool), or kFromCache (the read cache).
  std::string holder;
};

// FetchedBytes::holder (and X-Tern-Holder) for bytes served from the read cache.
inline constexpr const char* kFromCache = "cache";

class ChunkFetcher {
 public:
  explicit ChunkFetcher(ChunkFetcherDeps d) : d_(std::move(d)) {}

  // NotFound if the manifest lacks `id`; Unavailable naming every holder tried and why (or
  // "no live holder") if none sent good bytes.
  [[nodiscard]] Result<FetchedBytes> Fetch(const ChunkId& id);

  // A binary envelope on peer/<from>/<core> (the caller checked the topic's receiver).
  // Returns true if it answered a pending Get.
  bool OnGot(const std::string& from, std::string_view payload);
  bool OnGetNack(const msg::GetNack& n, const std::string& from);

  // A ChunkFetcherDeps::where reading core.db at `core_db` through its own read-only
  // Manifest, opened on first use (and re-tried while it cannot be).
  static std::function<Result<std::optional<ChunkWhere>>(const ChunkId&)> ManifestWhere(
      std::string core_db);
  // A ChunkFetcherDeps::live reading a status document shaped like Core::StatusJson().
  static std::function<std::vector<LiveNode>()> LiveFromStatus(
      std::function<nlohmann::json()> status);

 private:
  struct Pending {
    ChunkId id;
    std::string holder;
    bool done = false;
    std::string wire;    // on success
    std::string reason;  // on a nack
  };
  void Count(const char* name);

  ChunkFetcherDeps d_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_req_ = 1;                // guarded by mu_
  std::map<uint64_t, Pending> pending_;  // guarded by mu_
};

}  // namespace tern::core
