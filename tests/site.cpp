// Site fixture implementation and the invariant checker.
#include "site.h"

#include <thread>

#include "tern/common/bytes.h"
#include "tern/core/manifest.h"
#include "tern/edge/local_store.h"

namespace tern::testing {

Site::Site(int edges, std::vector<std::string> edge_overrides,
           std::vector<std::string> core_overrides, BrokerMode mode)
    : dir_("tern-site"),
      n_(edges),
      edge_overrides_(std::move(edge_overrides)),
      core_overrides_(std::move(core_overrides)),
      edges_(static_cast<size_t>(edges)),
      edge_ids_(static_cast<size_t>(edges)) {
  broker_ = std::make_unique<Broker>(dir_.path(), mode);
  if (mode == BrokerMode::kPki && broker_->ok()) {
    core_id_ = broker_->Issue("core", crypto::Role::kCore);
    for (int i = 0; i < edges; ++i) {
      edge_ids_[static_cast<size_t>(i)] =
          broker_->Issue("edge-" + std::to_string(i), crypto::Role::kEdge);
    }
  }
}

Site::~Site() {
  for (auto& e : edges_) e.Stop(std::chrono::milliseconds(3000));
  core_.Stop(std::chrono::milliseconds(3000));
}

std::string Site::EdgeDir(int i) const { return dir_.path() + "/edge-" + std::to_string(i); }
std::string Site::CoreDir() const { return dir_.path() + "/core"; }

bool Site::StartCore() {
  std::vector<std::string> argv = {TERN_CORE_BIN,
                                   "--set",
                                   MqttArg(/*core=*/true),
                                   "--set",
                                   "node.data_dir=" + CoreDir(),
                                   "--set",
                                   "status.interval=200ms",
                                   "--set",
                                   "http.port=0"};
  for (auto& a : broker_->DaemonSecurityArgs(core_id_, /*core=*/true)) argv.push_back(a);
  for (const auto& o : core_overrides_) {
    argv.push_back("--set");
    argv.push_back(o);
  }
  return core_.Start(argv, dir_.path() + "/core.log");
}

bool Site::StartEdge(int i) { return StartEdgeWith(i, {}); }

bool Site::StartEdgeWith(int i, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {TERN_EDGE_BIN,
                                   "--set",
                                   MqttArg(/*core=*/false),
                                   "--set",
                                   "node.name=edge-" + std::to_string(i),
                                   "--set",
                                   "node.data_dir=" + EdgeDir(i),
                                   "--set",
                                   "status.interval=200ms"};
  for (auto& a : broker_->DaemonSecurityArgs(edge_ids_[static_cast<size_t>(i)], false)) {
    argv.push_back(a);
  }
  for (const auto& o : edge_overrides_) {
    argv.push_back("--set");
    argv.push_back(o);
  }
  for (const auto& o : extra) {
    argv.push_back("--set");
    argv.push_back(o);
  }
  if (auto env = edge_env_.find(i); env != edge_env_.end() && !env->second.empty()) {
    std::vector<std::string> pre = {"env"};
    pre.insert(pre.end(), env->second.begin(), env->second.end());
    argv.insert(argv.begin(), pre.begin(), pre.end());
  }
  return edges_[static_cast<size_t>(i)].Start(argv,
                                              dir_.path() + "/edge-" + std::to_string(i) + ".log");
}

bool Site::StartAll() {
  if (!broker_->ok() || !StartCore()) return false;
  for (int i = 0; i < n_; ++i) {
    if (!StartEdge(i)) return false;
  }
  return true;
}

void Site::KillCore(int sig) {
  core_.Signal(sig);
  core_.Wait(std::chrono::milliseconds(10000));
}

void Site::KillEdge(int i, int sig) {
  edges_[static_cast<size_t>(i)].Signal(sig);
  edges_[static_cast<size_t>(i)].Wait(std::chrono::milliseconds(10000));
}

bool Site::SignalEdge(int i, int sig) { return edges_[static_cast<size_t>(i)].Signal(sig); }

void Site::SetEdgeEnv(int i, std::vector<std::string> env) { edge_env_[i] = std::move(env); }

void Site::StopAll() {
  for (auto& e : edges_) e.Stop(std::chrono::milliseconds(10000));
  core_.Stop(std::chrono::milliseconds(10000));
}

nlohmann::json Site::EdgeStatus(int i) const {
  auto j = nlohmann::json::parse(ReadFile(EdgeDir(i) + "/status.json"), nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

nlohmann::json Site::CoreStatus() const {
  auto j = nlohmann::json::parse(ReadFile(CoreDir() + "/status.json"), nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

namespace {
int64_t CounterIn(const nlohmann::json& s, const std::string& name) {
  auto c = s.find("counters");
  if (c == s.end() || !c->is_object()) return 0;
  auto v = c->find(name);
  return v != c->end() && v->is_number_integer() ? v->get<int64_t>() : 0;
}
}  // namespace

int64_t Site::EdgeCounter(int i, const std::string& name) const {
  return CounterIn(EdgeStatus(i), name);
}
int64_t Site::CoreCounter(const std::string& name) const { return CounterIn(CoreStatus(), name); }

bool Site::WaitFor(double seconds, const std::function<bool()>& pred) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

bool Site::Drained(int64_t records) const {
  int64_t total = 0;
  for (int i = 0; i < n_; ++i) {
    auto s = EdgeStatus(i);
    if (!s.contains("outbox_chunks") || s["outbox_chunks"].get<int64_t>() != 0) return false;
    total += EdgeCounter(i, "records_local");
  }
  return total >= records;
}

bool Site::Settled(int64_t records) const {
  if (!Drained(records)) return false;
  auto c = CoreStatus();
  if (!c.contains("scheduler") || c["scheduler"].value("queued", 1) != 0) return false;
  return c.value("results_placing", 1) == 0 && c.value("spool_depth", 1) == 0 &&
         c.value("excess_pending", 1) == 0;
}

uint32_t Site::EdgeAddr(int i) const { return EdgeStatus(i).value("addr", 0u); }

std::string Site::LogOf(const std::string& name) const {
  return ReadFile(dir_.path() + "/" + name + ".log");
}

std::string Site::LogTail(const std::string& name, size_t lines) const {
  const std::string log = LogOf(name);
  size_t at = log.size();
  for (size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n) {
    at = log.rfind('\n', at - 1);
  }
  return name + ": ..." + (at == std::string::npos ? log : log.substr(at));
}

std::vector<Site::StoreChunk> Site::ReadStore(int i) const {
  // Through the store's own read-only API: edge.db has one owner, LocalStore.
  std::vector<StoreChunk> out;
  auto db = edge::LocalStore::OpenReadOnly(EdgeDir(i) + "/edge.db");
  if (!db.ok()) return out;
  Status s = (*db)->ScanChunks(true, [&](const edge::StoredChunkView& v) {
    out.push_back({std::string(v.id), v.origin, v.own, std::string(v.data)});
  });
  if (!s.ok()) out.clear();  // a partial scan would read as missing copies
  return out;
}

std::map<ChunkId, std::set<uint32_t>> Site::ReadManifest(std::set<ChunkId>* acked) const {
  // Through the core's own read-only API: core.db has one owner, the core's store classes.
  std::map<ChunkId, std::set<uint32_t>> out;
  auto m = core::Manifest::Open(CoreDir() + "/core.db", /*read_only=*/true);
  if (!m.ok()) return out;
  auto all = (*m)->All();
  if (!all.ok()) return out;
  for (const auto& c : *all) {
    out[c.id].insert(c.holders.begin(), c.holders.end());
    if (acked && c.acked) acked->insert(c.id);
  }
  return out;
}

SiteCheck CheckSite(const Site& site) {
  SiteCheck c;
  auto problem = [&](const std::string& p) {
    if (c.problems.size() < 20) c.problems.push_back(p);
  };
  std::map<uint32_t, int> addr_to_edge;
  for (int i = 0; i < site.edges(); ++i) addr_to_edge[site.EdgeAddr(i)] = i;
  // Where each chunk really is, read from every store's database.
  std::map<ChunkId, std::set<uint32_t>> real;
  std::map<ChunkId, std::string> wire_of;
  std::map<ChunkId, uint32_t> origin_of;
  for (int i = 0; i < site.edges(); ++i) {
    uint32_t addr = site.EdgeAddr(i);
    for (auto& sc : site.ReadStore(i)) {
      if (ChunkIdOf(sc.wire) != sc.id)
        problem("corrupt copy of " + ToHex(sc.id).substr(0, 12) + " at edge " +
                std::to_string(addr));
      if (!real[sc.id].insert(addr).second) problem("duplicate row");
      if (sc.own && sc.origin != addr) problem("own chunk with foreign origin");
      origin_of[sc.id] = sc.origin;
      wire_of.emplace(sc.id, std::move(sc.wire));
    }
  }
  auto manifest = site.ReadManifest();
  for (const auto& [id, holders] : real) {
    if (holders.size() != 3) {
      problem("chunk " + ToHex(id).substr(0, 12) + " on " + std::to_string(holders.size()) +
              " stores");
    }
    // Results come from the core, which is not a store; data chunks keep their origin copy.
    bool result = !addr_to_edge.count(origin_of[id]);
    if (!result && !holders.count(origin_of[id])) problem("chunk missing at its origin");
    auto m = manifest.find(id);
    if (m == manifest.end()) {
      problem("chunk " + ToHex(id).substr(0, 12) + " not in the manifest");
    } else if (m->second != holders) {
      auto list = [](const std::set<uint32_t>& s) {
        std::string out;
        for (uint32_t a : s) out += (out.empty() ? "" : ",") + std::to_string(a);
        return out;
      };
      problem("manifest holders differ from stores for " + ToHex(id).substr(0, 12) +
              ": manifest {" + list(m->second) + "}, stores {" + list(holders) + "}" +
              (result ? " (a result)" : ""));
    }
  }
  for (const auto& [id, holders] : manifest) {
    if (!real.count(id))
      problem("manifest lists " + ToHex(id).substr(0, 12) + " that no store has");
  }
  // Per-source sequence check: every record number exactly once, no gaps.
  std::map<std::string, std::vector<uint64_t>> seqs;
  for (const auto& [id, wire] : wire_of) {
    auto v = DecodeChunk(wire);
    if (!v.ok()) {
      problem("undecodable chunk");
      continue;
    }
    auto recs = DecodeRecords(*v);
    if (!recs.ok()) {
      problem("undecodable records");
      continue;
    }
    if (v->header.kind == RecordKind::kResult) {
      ++c.result_chunks;
      continue;
    }
    std::string key = std::to_string(v->header.origin) + "/" + v->header.source;
    for (const auto& r : *recs) seqs[key].push_back(r.seq);
    ++c.chunks;
  }
  for (auto& [key, s] : seqs) {
    std::sort(s.begin(), s.end());
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != i) {
        problem(key + ": record sequence broken at position " + std::to_string(i) + " (found " +
                std::to_string(s[i]) + ")");
        break;
      }
    }
    c.records_per_source[key] = static_cast<int64_t>(s.size());
    c.records += static_cast<int64_t>(s.size());
  }
  return c;
}

DrainResult DrainStopAndCheck(Site& site, int64_t records, double seconds) {
  DrainResult r;
  r.drained = Site::WaitFor(seconds, [&] { return site.Settled(records); });
  site.StopAll();
  r.check = CheckSite(site);
  return r;
}

}  // namespace tern::testing
