// Core worker: group-committed manifest updates, acks after commit, membership, spool drain.
#include "tern/core/core.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tern/common/bytes.h"
#include "tern/common/files.h"
#include "tern/common/hlc.h"
#include "tern/common/mqtt.h"
#include "tern/common/protocol.h"
#include "board_control.h"
#include "tern/core/http_api.h"
#include "tern/core/manifest.h"
#include "tern/core/processing.h"
#include "tern/core/scheduler.h"

namespace tern::core {
namespace fs = std::filesystem;

namespace {
struct Member {
  std::string name;
  std::string state = "unknown";
  uint64_t last_hb_ms = 0;  // monotonic
  double load = 0.5;
  nlohmann::json counters;
};

// Uplink byte budget per edge: `rate` bytes/s with two seconds of burst.
struct TokenBucket {
  double tokens = 0;
  uint64_t last_ms = 0;
  // Takes `bytes` if available; otherwise returns how long until they would be (ms).
  uint64_t Take(uint64_t bytes, int64_t rate, uint64_t now) {
    if (rate <= 0) return 0;
    double cap = 2.0 * static_cast<double>(rate);
    if (last_ms == 0) tokens = cap;
    tokens = std::min(cap, tokens + static_cast<double>(now - last_ms) * static_cast<double>(rate) / 1000.0);
    last_ms = now;
    if (tokens >= static_cast<double>(bytes)) {
      tokens -= static_cast<double>(bytes);
      return 0;
    }
    return static_cast<uint64_t>((static_cast<double>(bytes) - tokens) * 1000.0 / static_cast<double>(rate)) + 1;
  }
};

struct Outgoing {
  std::string topic;
  std::string payload;
  bool retain = false;
};

bool ValidName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

class Core::Impl {
 public:
  explicit Impl(CoreOptions o) : o_(std::move(o)), topics_(o_.topic_prefix) {}
  Status Start();
  void Stop();
  nlohmann::json StatusJson() const;
  Metrics m_;

 private:
  void Enqueue(const std::string& topic, std::string_view payload);
  void WorkerMain();
  void HandleOne(const std::string& topic, const std::string& payload);
  void HandleRegister(const std::string& topic, const std::string& payload);
  void HandleUp(const std::string& topic, const std::string& payload);
  void HandleStored(const std::string& payload);
  void HandleHeartbeat(const std::string& topic, const std::string& payload);
  void Settle(const ChunkId& id);
  void CheckLiveness();
  void ReloadSettings(bool announce);
  const EdgeSettings& SettingsOf(uint32_t addr);
  void ReplyToUplink(uint32_t to, const char* type, const ChunkId& id, const std::string& reason,
                     uint64_t retry_after_ms = 0);
  void PublishMembers();
  void PostTask(std::function<void()> task);
  void Schedule(const ChunkId& id, uint32_t origin, int priority, uint64_t bytes, uint64_t t_last);
  void ProcessMain();
  void OnProcessed(const ChunkId& id, const ChunkHeader& h, std::vector<ProcessorOutput> outs);
  void PlaceResults(uint64_t now);
  void SendResultCopies(const ChunkId& id, uint64_t now);
  std::vector<uint32_t> ChooseStores(uint32_t prefer, const std::set<uint32_t>& exclude, size_t n);
  void HandleCoreDown(const std::string& payload);
  void WriteStatus();
  void Reject(const char* what, const std::string& detail);

  CoreOptions o_;
  Topics topics_;
  std::unique_ptr<Manifest> db_;
  std::unique_ptr<MqttClient> mqtt_;
  std::thread worker_, processor_;
  std::atomic<bool> stop_{false};
  uint32_t core_addr_ = 0;  // the core's own registry entry: origin of result chunks
  std::unique_ptr<HttpApi> http_;
  std::unique_ptr<BoardControl> board_;
  std::atomic<uint8_t> board_live_{0};
  std::atomic<bool> board_edge_down_{false};
  // Scheduler, shared by the worker (enqueue) and the processing thread (next).
  std::mutex sched_mu_;
  std::condition_variable sched_cv_;
  std::unique_ptr<Scheduler> sched_;
  std::deque<std::function<void()>> tasks_;  // run by the worker inside its transaction
  std::mutex qmu_;
  std::condition_variable qcv_;
  std::deque<std::pair<std::string, std::string>> queue_;

  // Worker-thread state.
  std::map<uint32_t, Member> members_;
  std::map<std::string, EdgeSettings> settings_;  // by node name
  std::map<uint32_t, TokenBucket> buckets_;
  int64_t settings_version_ = -1;
  bool members_dirty_ = true;
  uint64_t members_published_ms_ = 0;
  std::set<ChunkId> touched_, reack_;
  std::vector<Outgoing> after_commit_;
  std::vector<std::function<void()>> after_commit_work_;
  std::map<ChunkId, uint64_t> delete_requested_;  // id -> monotonic ms
  struct Placing {
    std::string wire;
    std::map<uint32_t, uint64_t> targets;  // store -> last send (monotonic ms)
    std::set<uint32_t> refused;
    uint32_t prefer = 0;  // the edge the data came from: it gets a copy of its own results
    bool recovered = false;    // loaded after a restart: ask the stores before placing
    uint64_t hold_until_ms = 0;
  };
  std::map<ChunkId, Placing> placing_;  // result chunks not yet on three stores
  int http_port_ = -1;
  mutable std::mutex status_mu_;
  nlohmann::json status_;
};

Status Core::Impl::Start() {
  std::error_code ec;
  fs::create_directories(o_.data_dir, ec);
  if (ec) return Status::IoError("data dir " + o_.data_dir + ": " + ec.message());
  TERN_ASSIGN_OR_RETURN(db_, Manifest::Open(o_.data_dir + "/core.db"));
  TERN_RETURN_IF_ERROR(db_->Begin());
  auto self = db_->Register(o_.name, "", 0);  // empty store path: not a store
  TERN_RETURN_IF_ERROR(self.status());
  TERN_RETURN_IF_ERROR(db_->Commit());
  core_addr_ = *self;
  TERN_ASSIGN_OR_RETURN(auto nodes, db_->Nodes());
  for (const auto& n : nodes) {
    if (n.addr != core_addr_) members_[n.addr].name = n.name;  // state unknown until heard
  }
  ReloadSettings(false);
  TERN_ASSIGN_OR_RETURN(auto sched, Scheduler::Create(o_.sched));
  sched_ = std::make_unique<Scheduler>(std::move(sched));
  for (const auto& [addr, mb] : members_) {
    auto it = settings_.find(mb.name);
    if (it != settings_.end()) (void)sched_->SetEdgeWeight(addr, it->second.weight);
  }
  TERN_ASSIGN_OR_RETURN(auto spooled, db_->SpoolIndex());
  for (const auto& e : spooled) Schedule(e.id, e.origin, e.priority, e.bytes, e.t_last);
  TERN_ASSIGN_OR_RETURN(auto unplaced, db_->UnplacedResults());
  for (auto& [id, wire] : unplaced) {
    placing_[id].wire = std::move(wire);
    placing_[id].recovered = true;
  }
  if (!spooled.empty() || !unplaced.empty()) {
    spdlog::info("core: {} spooled chunks queued again, {} results still being placed",
                 spooled.size(), unplaced.size());
  }

  MqttOptions mo;
  mo.host = o_.mqtt_host;
  mo.port = o_.mqtt_port;
  mo.client_id = "core-" + o_.name;
  mo.max_inflight = o_.mqtt_max_inflight;
  TERN_ASSIGN_OR_RETURN(mqtt_, MqttClient::Create(mo));
  mqtt_->OnMessage([this](const std::string& t, std::string_view p) { Enqueue(t, p); });
  mqtt_->OnConnect([this](bool up) {
    if (up) Enqueue("", "members");  // republish the retained list after a broker restart
  });
  for (const auto& t : {topics_.RegAll(), topics_.UpAll(), topics_.Stored(), topics_.HbAll(),
                        topics_.Down(core_addr_)}) {
    TERN_RETURN_IF_ERROR(mqtt_->Subscribe(t));
  }
  if (o_.http_port >= 0) {
    HttpApiOptions ho;
    ho.bind = o_.http_bind;
    ho.port = o_.http_port;
    ho.core_db = o_.data_dir + "/core.db";
    HttpApiSources hs;
    hs.status = [this] { return StatusJson(); };
    hs.scheduler = [this] {
      std::lock_guard<std::mutex> lk(sched_mu_);
      return sched_->Snapshot(static_cast<uint64_t>(WallMs()));
    };
    TERN_ASSIGN_OR_RETURN(http_, HttpApi::Start(ho, hs));
    http_port_ = http_->port();
    spdlog::info("core: HTTP API on http://{}:{}/api/v1/ (metrics: /metrics)", o_.http_bind, http_port_);
  }
  if (o_.board_mode != "off") {
    TERN_ASSIGN_OR_RETURN(board_, BoardControl::Start(o_.board_mode, [this] {
      BoardView v;
      v.alarms = m_.Get("alarms");
      v.live_edges = board_live_;
      v.edge_down = board_edge_down_;
      {
        std::lock_guard<std::mutex> lk(sched_mu_);
        v.queued = sched_->size();
      }
      v.connected = mqtt_ && mqtt_->connected();
      return v;
    }, &m_));
  }
  worker_ = std::thread([this] { WorkerMain(); });
  processor_ = std::thread([this] { ProcessMain(); });
  TERN_RETURN_IF_ERROR(mqtt_->Start());
  spdlog::info("core {} started: {} known nodes, db {}", o_.name, nodes.size(),
               o_.data_dir + "/core.db");
  return Status::Ok();
}

void Core::Impl::Stop() {
  if (stop_.exchange(true)) return;
  if (http_) http_->Stop();
  if (board_) board_->Stop();
  qcv_.notify_all();
  sched_cv_.notify_all();
  if (processor_.joinable()) processor_.join();
  if (worker_.joinable()) worker_.join();
  if (mqtt_) mqtt_->Stop();
  WriteStatus();
}

void Core::Impl::Enqueue(const std::string& topic, std::string_view payload) {
  {
    std::lock_guard<std::mutex> lk(qmu_);
    queue_.emplace_back(topic, std::string(payload));
  }
  qcv_.notify_one();
}

void Core::Impl::Reject(const char* what, const std::string& detail) {
  int64_t n = ++m_.Counter(std::string("rejected_") + what);
  if (n <= 10 || n % 1000 == 0) spdlog::warn("core: rejected {} message #{}: {}", what, n, detail);
}

void Core::Impl::WorkerMain() {
  uint64_t last_status = 0, last_live = 0;
  while (!stop_) {
    std::deque<std::pair<std::string, std::string>> batch;
    std::deque<std::function<void()>> tasks;
    {
      std::unique_lock<std::mutex> lk(qmu_);
      qcv_.wait_for(lk, std::chrono::milliseconds(50),
                    [this] { return stop_ || !queue_.empty() || !tasks_.empty(); });
      tasks.swap(tasks_);
      if (!queue_.empty() && o_.commit_tick_ms > 0 && queue_.size() < 256) {
        qcv_.wait_for(lk, std::chrono::milliseconds(o_.commit_tick_ms),
                      [this] { return stop_ || queue_.size() >= 256; });
      }
      while (!queue_.empty() && batch.size() < 4096) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    uint64_t now = MonotonicMs();
    Status s = db_->Begin();
    if (s.ok()) {
      for (auto& [topic, payload] : batch) HandleOne(topic, payload);
      for (auto& t : tasks) t();
      for (const auto& id : touched_) Settle(id);
      if (now - last_live >= 250) {
        CheckLiveness();
        auto v = db_->SettingsVersion();
        if (v.ok() && *v != settings_version_) ReloadSettings(true);
        last_live = now;
      }
      PlaceResults(now);
      s = db_->Commit();
    }
    touched_.clear();
    reack_.clear();
    if (!s.ok() && !tasks.empty()) {
      // Processed results were in the failed transaction: their chunks stay spooled and are
      // queued again, so the work is redone rather than lost.
      m_.Add("processing_redone");
    }
    if (!s.ok()) {
      (void)db_->Rollback();
      m_.Add("manifest_commit_errors");
      spdlog::error("core: manifest transaction of {} messages failed, senders will resend: {}",
                    batch.size(), s.ToString());
      after_commit_.clear();
      after_commit_work_.clear();
      continue;
    }
    for (auto& w : after_commit_work_) w();
    after_commit_work_.clear();
    // Only now is what these messages say durable; only now may anyone hear about it.
    for (auto& out : after_commit_) {
      Status ps = mqtt_->Publish(out.topic, out.payload, 1, out.retain);
      if (!ps.ok()) m_.Add("publish_failures");
    }
    after_commit_.clear();
    if (members_dirty_ || now - members_published_ms_ >= static_cast<uint64_t>(o_.members_interval_ms)) {
      PublishMembers();
    }
    if (now - last_status >= static_cast<uint64_t>(o_.status_ms)) {
      WriteStatus();
      last_status = now;
    }
  }
}

void Core::Impl::HandleOne(const std::string& topic, const std::string& payload) {
  const std::string& p = topics_.prefix();
  if (topic.empty()) {  // internal: we (re)connected to the broker
    // Silence while *we* were cut off says nothing about the nodes: restart their clocks.
    uint64_t now = MonotonicMs();
    for (auto& [addr, mb] : members_) mb.last_hb_ms = now;
    members_dirty_ = true;
    return;
  }
  if (topic.rfind(p + "/up/", 0) == 0) return HandleUp(topic, payload);
  if (topic == topics_.Stored()) return HandleStored(payload);
  if (topic == topics_.Down(core_addr_)) return HandleCoreDown(payload);
  if (topic.rfind(p + "/hb/", 0) == 0) return HandleHeartbeat(topic, payload);
  if (topic.rfind(p + "/reg/", 0) == 0) return HandleRegister(topic, payload);
  Reject("unknown", "topic " + topic);
}

void Core::Impl::HandleRegister(const std::string& topic, const std::string& payload) {
  std::string name = topic.substr(topics_.prefix().size() + 5);
  auto j = ParseControl(payload);
  if (!j.ok()) return Reject("register", j.status().message() + " on " + topic);
  if ((*j)["type"] != "register") return Reject("register", "type is not 'register' on " + topic);
  auto jn = FieldString(*j, "name", 64);
  auto refuse = [&](const std::string& why) {
    Reject("register", why + " on " + topic);
    auto r = Control("refused");
    r["reason"] = why;
    if (ValidName(name)) after_commit_.push_back({topics_.RegReply(name), r.dump()});
  };
  if (!jn.ok()) return refuse(jn.status().message());
  if (*jn != name) return refuse("name '" + *jn + "' does not match topic");
  if (!ValidName(name)) return refuse("name must be 1..64 of [A-Za-z0-9._-]");
  if (name == o_.name) return refuse("name '" + name + "' is the core's own");
  std::string store_path = j->value("store_path", "");
  int64_t capacity = (*j).contains("capacity") && (*j)["capacity"].is_number_integer()
                         ? (*j)["capacity"].get<int64_t>()
                         : 0;
  auto addr = db_->Register(name, store_path, capacity);
  if (!addr.ok()) {
    spdlog::error("core: registering '{}': {}", name, addr.status().ToString());
    return;
  }
  if (!members_.count(*addr)) {
    spdlog::info("core: new node '{}' gets address {}", name, *addr);
    m_.Add("nodes_registered");
  }
  members_[*addr].name = name;
  auto r = Control("registered");
  r["name"] = name;
  r["addr"] = *addr;
  r["protocol"] = kProtocolVersion;
  auto st = db_->Settings(name);
  if (st.ok()) {
    settings_[name] = *st;
    r["settings"] = st->ToJson();
  }
  after_commit_.push_back({topics_.RegReply(name), r.dump()});
}

void Core::Impl::HandleUp(const std::string& topic, const std::string& payload) {
  uint32_t from = Topics::AddrIn(topic);
  if (!members_.count(from)) return Reject("up", "unregistered address on " + topic);
  auto env = DecodeEnvelope(payload);
  if (!env.ok()) return Reject("up", env.status().message() + " on " + topic);
  if (env->type != EnvelopeType::kUp || env->sender != from) {
    return Reject("up", "envelope sender " + std::to_string(env->sender) + " on " + topic);
  }
  auto view = DecodeChunk(env->chunk);
  if (!view.ok()) return Reject("up", view.status().message() + " from " + std::to_string(from));
  if (view->header.origin != from) {
    return Reject("up", "chunk origin " + std::to_string(view->header.origin) + " sent by " +
                            std::to_string(from));
  }
  auto recs = DecodeRecords(*view);
  if (!recs.ok()) return Reject("up", recs.status().message() + " from " + std::to_string(from));
  ChunkId id(env->id);
  const EdgeSettings& perm = SettingsOf(from);
  if (!perm.Allows(view->header.kind)) {
    m_.Add("refused_permission");
    std::string why = std::string(KindName(view->header.kind)) + " data is not permitted for " +
                      perm.name + " (allowed: " + perm.kinds + ")";
    Reject("up", why);
    return ReplyToUplink(from, "refused", id, why);
  }
  auto known = db_->Chunk(id);
  bool already = known.ok() && known->has_value() && (*known)->spooled;
  if (!already) {
    uint64_t wait = buckets_[from].Take(env->chunk.size(), perm.max_bytes_per_s, MonotonicMs());
    if (wait > 0) {
      m_.Add("throttled");
      int64_t n = m_.Get("throttled");
      if (n <= 10 || n % 1000 == 0) {
        spdlog::warn("core: throttling {} (limit {} bytes/s), retry in {} ms", perm.name,
                     perm.max_bytes_per_s, wait);
      }
      return ReplyToUplink(from, "throttle", id, "byte-rate limit", wait);
    }
  }
  Status s = db_->RecordHolder(NoticeFor(id, from, view->header, env->chunk.size()));
  // A resend of a chunk spooled before (maybe processed and unspooled since) is not spooled
  // again: it only earns the edge another ack.
  if (s.ok() && !already) s = db_->Spool(id, view->header, env->chunk);
  if (!s.ok()) {
    m_.Add("manifest_errors");
    spdlog::error("core: spooling chunk from {}: {}", from, s.ToString());
    return;
  }
  m_.Add("uplinks");
  touched_.insert(id);
  reack_.insert(id);
  if (!already) {
    // Queued for processing only once the spool row is committed and readable.
    int cls = perm.priority >= 0 ? perm.priority : static_cast<int>(view->header.priority);
    after_commit_work_.push_back([this, id, from, cls, n = env->chunk.size(), t = view->header.t_last] {
      Schedule(id, from, cls, n, t);
    });
  }
}

void Core::Impl::ReplyToUplink(uint32_t to, const char* type, const ChunkId& id,
                               const std::string& reason, uint64_t retry_after_ms) {
  auto r = Control(type);
  r["id"] = ToHex(id);
  r["reason"] = reason;
  if (retry_after_ms) r["retry_after_ms"] = retry_after_ms;
  after_commit_.push_back({topics_.Down(to), r.dump()});
}

const EdgeSettings& Core::Impl::SettingsOf(uint32_t addr) {
  const std::string& name = members_[addr].name;
  auto it = settings_.find(name);
  if (it == settings_.end()) {
    EdgeSettings d;
    d.name = name;
    it = settings_.emplace(name, d).first;
  }
  return it->second;
}

// Picks up `ternctl edge set` changes: reload, and tell each edge its new settings.
void Core::Impl::ReloadSettings(bool announce) {
  auto v = db_->SettingsVersion();
  if (!v.ok()) return;
  settings_version_ = *v;
  for (const auto& [addr, mb] : members_) {
    auto st = db_->Settings(mb.name);
    if (!st.ok()) continue;
    bool changed = !settings_.count(mb.name) || settings_[mb.name].ToJson() != st->ToJson();
    settings_[mb.name] = *st;
    if (sched_) {
      std::lock_guard<std::mutex> lk(sched_mu_);
      (void)sched_->SetEdgeWeight(addr, st->weight);
    }
    if (announce && changed) {
      spdlog::info("core: settings of {} are now {}", mb.name, st->ToJson().dump());
      auto msg = Control("settings");
      msg["settings"] = st->ToJson();
      after_commit_.push_back({topics_.Down(addr), msg.dump()});
      m_.Add("settings_sent");
    }
  }
}

void Core::Impl::HandleStored(const std::string& payload) {
  auto j = ParseControl(payload);
  if (!j.ok()) return Reject("stored", j.status().message());
  if ((*j)["type"] == "dropped") {
    auto id = FieldChunkId(*j, "id");
    auto holder = FieldU64(*j, "holder");
    if (!id.ok() || !holder.ok()) return Reject("stored", "dropped notice without id/holder");
    (void)db_->RemoveHolder(*id, static_cast<uint32_t>(*holder));
    delete_requested_.erase(*id);
    m_.Add("excess_copies_removed");
    return;
  }
  auto n = StoredFromJson(*j);
  if (!n.ok()) return Reject("stored", n.status().message());
  if (!members_.count(n->holder)) {
    return Reject("stored", "holder " + std::to_string(n->holder) + " is not registered");
  }
  Status s = db_->RecordHolder(*n);
  if (!s.ok()) {
    m_.Add("manifest_errors");
    spdlog::error("core: recording holder {}: {}", n->holder, s.ToString());
    return;
  }
  m_.Add("stored_notices");
  touched_.insert(n->id);
}

// Decides what the manifest now justifies for one chunk: the ack to its edge (or, for a
// result, that it is placed), and a delete for a copy beyond the `copies` needed.
void Core::Impl::Settle(const ChunkId& id) {
  auto c = db_->Chunk(id);
  if (!c.ok() || !c->has_value()) return;
  ChunkRecord& r = **c;
  const bool result = r.origin == core_addr_;
  const bool enough = static_cast<int>(r.holders.size()) >= o_.copies;
  if (result) {
    auto p = placing_.find(id);
    if (p != placing_.end() && enough) {
      (void)db_->MarkResultPlaced(id);
      placing_.erase(p);
      m_.Add("results_placed");
    }
    if (!enough || placing_.count(id)) return;
  } else {
    if (!r.spooled && !r.acked) return;  // the origin's own statement (the uplink) is missing
    if (!enough) return;
    if (!r.acked || reack_.count(id)) {
      m_.Add(r.acked ? "acks_repeated" : "acks");
      if (!r.acked) (void)db_->MarkAcked(id);
      auto ack = Control("ack");
      ack["id"] = ToHex(id);
      ack["holders"] = r.holders;
      after_commit_.push_back({topics_.Down(r.origin), ack.dump()});
    }
  }
  if (static_cast<int>(r.holders.size()) <= o_.copies) return;
  uint64_t now = MonotonicMs();
  auto it = delete_requested_.find(id);
  if (it != delete_requested_.end() && now - it->second < 10000) return;
  for (auto h = r.holders.rbegin(); h != r.holders.rend(); ++h) {  // newest first
    if (*h == r.origin) continue;  // never the origin's own copy
    auto del = Control("delete");
    del["id"] = ToHex(id);
    after_commit_.push_back({topics_.Down(*h), del.dump()});
    delete_requested_[id] = now;
    m_.Add("excess_copies_found");
    break;
  }
}

void Core::Impl::HandleHeartbeat(const std::string& topic, const std::string& payload) {
  uint32_t addr = Topics::AddrIn(topic);
  auto j = ParseControl(payload);
  if (!j.ok()) return Reject("hb", j.status().message() + " on " + topic);
  auto it = members_.find(addr);
  if (it == members_.end()) return Reject("hb", "unregistered address on " + topic);
  Member& mb = it->second;
  std::string type = (*j)["type"];
  std::string before = mb.state;
  if (type == "offline") {
    mb.state = "offline";
  } else if (type == "hb") {
    double cpu = j->value("cpu", 0.5);
    double used = j->value("used", 0.0), cap = j->value("capacity", 0.0);
    mb.load = std::clamp(0.5 * cpu + 0.5 * (cap > 0 ? used / cap : 0.5), 0.0, 1.0);
    mb.last_hb_ms = MonotonicMs();
    mb.state = "live";
    if (j->contains("counters") && (*j)["counters"].is_object()) mb.counters = (*j)["counters"];
  } else {
    return Reject("hb", "unknown type on " + topic);
  }
  if (before != mb.state) {
    spdlog::info("core: node {} ({}) {} -> {}", addr, mb.name, before, mb.state);
    members_dirty_ = true;
    (void)db_->SetNodeState(addr, mb.state, WallMs());
  }
}

void Core::Impl::CheckLiveness() {
  if (!mqtt_->connected()) return;  // no news is not bad news while the core is cut off
  uint64_t now = MonotonicMs();
  for (auto& [addr, mb] : members_) {
    std::string next = mb.state;
    if (mb.state == "live" && now - mb.last_hb_ms > static_cast<uint64_t>(o_.suspect_after_ms)) {
      next = "suspect";
    }
    if (mb.state == "suspect" && now - mb.last_hb_ms > static_cast<uint64_t>(o_.dead_after_ms)) {
      next = "dead";
    }
    if (next != mb.state) {
      spdlog::warn("core: node {} ({}) {} -> {}", addr, mb.name, mb.state, next);
      mb.state = next;
      members_dirty_ = true;
      (void)db_->SetNodeState(addr, next, WallMs());
    }
  }
}

void Core::Impl::PublishMembers() {
  auto j = Control("members");
  j["nodes"] = nlohmann::json::array();
  for (const auto& [addr, mb] : members_) {
    j["nodes"].push_back({{"addr", addr}, {"name", mb.name}, {"state", mb.state}, {"load", mb.load}});
  }
  if (mqtt_->Publish(topics_.Members(), j.dump(), 1, true).ok()) {
    members_dirty_ = false;
    members_published_ms_ = MonotonicMs();
  }
}

// ---------------------------------------------------------------- scheduling and processing

void Core::Impl::PostTask(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lk(qmu_);
    tasks_.push_back(std::move(task));
  }
  qcv_.notify_one();
}

void Core::Impl::Schedule(const ChunkId& id, uint32_t origin, int priority, uint64_t bytes,
                          uint64_t t_last) {
  SchedItem it;
  it.id = id;
  it.edge = origin;
  it.cls = std::clamp(priority, 0, kSchedClasses - 1);
  it.bytes = bytes;
  it.enqueued_ms = static_cast<uint64_t>(WallMs());
  it.data_ms = HybridClock::PhysicalMs(t_last);
  {
    std::lock_guard<std::mutex> lk(sched_mu_);
    if (sched_->contains(id)) return;
    if (!sched_->Enqueue(std::move(it)).ok()) return;
  }
  sched_cv_.notify_one();
}

// The processing thread: takes chunks in the scheduler's order, runs the processors, and
// hands the results to the worker, which unspools the chunk and records the results in
// one transaction.
void Core::Impl::ProcessMain() {
  auto rdb = Manifest::Open(o_.data_dir + "/core.db", /*read_only=*/true);
  if (!rdb.ok()) {
    spdlog::critical("core: processing cannot read {}: {}", o_.data_dir, rdb.status().ToString());
    return;
  }
  ChunkProcessor proc(o_.processing);
  while (!stop_) {
    std::optional<SchedItem> item;
    {
      std::unique_lock<std::mutex> lk(sched_mu_);
      sched_cv_.wait_for(lk, std::chrono::milliseconds(100), [this] { return stop_ || !sched_->empty(); });
      if (stop_) break;
      item = sched_->Next(static_cast<uint64_t>(WallMs()));
    }
    if (!item) continue;
    ChunkId id = item->id;
    auto wire = (*rdb)->SpoolData(id);
    if (!wire.ok() || !wire->has_value()) continue;  // already processed (e.g. before a restart)
    auto view = DecodeChunk(**wire);
    if (!view.ok()) {
      m_.Add("spool_corrupt");
      PostTask([this, id] { (void)db_->Unspool(id); });
      continue;
    }
    auto recs = DecodeRecords(*view);
    std::vector<ProcessorOutput> outs;
    if (recs.ok()) {
      auto r = proc.Process(id, view->header, *recs, MonotonicMs());
      if (r.ok()) {
        outs = std::move(r).value();
      } else {
        m_.Add("processing_errors");
        spdlog::warn("core: processing chunk {} from {}: {}", ToHex(id).substr(0, 16), item->edge,
                     r.status().ToString());
      }
      m_.Add("records_processed", view->header.record_count);
    }
    m_.Add("chunks_processed");
    m_.Set("msmve_windows_skipped", static_cast<int64_t>(proc.msmve_windows_skipped()));
    PostTask([this, id, h = view->header, outs = std::move(outs)]() mutable {
      OnProcessed(id, h, std::move(outs));
    });
  }
}

// Worker thread, inside its transaction: unspool, build result chunks, record them.
void Core::Impl::OnProcessed(const ChunkId& id, const ChunkHeader& src, std::vector<ProcessorOutput> outs) {
  if (!db_->Unspool(id).ok()) return;
  const std::string origin_name = members_.count(src.origin) ? members_[src.origin].name : std::to_string(src.origin);
  for (auto& out : outs) {
    ChunkHeader h;
    h.origin = core_addr_;
    h.source = "r/" + std::to_string(src.origin) + "/" + src.source + "/" + out.processor;
    h.kind = RecordKind::kResult;
    h.priority = out.anomalies > 0 ? Priority::kAlarm : Priority::kNormal;
    h.codec = Codec::kRaw;
    h.seq = src.seq;
    h.t_first = out.t_first;
    h.t_last = out.t_last;
    h.parents = out.sources;
    nlohmann::json payload = {{"processor", out.processor}, {"origin", src.origin},
                              {"origin_name", origin_name}, {"source", src.source},
                              {"source_chunk", ToHex(id)}, {"source_seq", src.seq},
                              {"source_chunks", out.sources.size()},
                              {"anomalies", out.anomalies}, {"summary", out.summary}};
    std::string text = payload.dump();
    auto wire = BuildChunk(h, {Record{src.t_last, src.seq, text}});
    if (!wire.ok()) continue;
    Manifest::ResultRow row;
    row.id = ChunkIdOf(*wire);
    row.origin = src.origin;
    row.source = src.source;
    row.processor = out.processor;
    row.t_first = out.t_first;
    row.t_last = out.t_last;
    row.anomalies = out.anomalies;
    row.summary = out.summary.dump();
    row.wire = *wire;
    row.sources = out.sources;
    if (!db_->InsertResult(row).ok()) continue;
    m_.Add("results");
    if (out.anomalies > 0) {
      m_.Add("alarms");
      spdlog::warn("core: {} anomalies in {}/{} chunk {} (seq {})", out.anomalies, origin_name,
                   src.source, ToHex(id).substr(0, 12), src.seq);
    }
    placing_[row.id].wire = row.wire;
    placing_[row.id].prefer = src.origin;
    // Tell the edge, and anyone outside, once the transaction holding the result commits.
    auto note = Control("result");
    note["id"] = ToHex(row.id);
    for (const auto& [k, v] : payload.items()) note[k] = v;
    after_commit_.push_back({topics_.Down(src.origin), note.dump()});
    after_commit_.push_back({topics_.Export("results/" + origin_name + "/" + src.source + "/" + out.processor), note.dump()});
    if (out.anomalies > 0) {
      after_commit_.push_back({topics_.Export("alarms/" + origin_name + "/" + src.source), note.dump()});
    }
  }
}

std::vector<uint32_t> Core::Impl::ChooseStores(uint32_t prefer, const std::set<uint32_t>& exclude, size_t n) {
  std::vector<std::pair<double, uint32_t>> cand;
  for (const auto& [addr, mb] : members_) {
    if (mb.state != "live" || exclude.count(addr)) continue;
    cand.emplace_back(addr == prefer ? -1.0 : mb.load, addr);  // the data's own edge first
  }
  std::sort(cand.begin(), cand.end());
  std::vector<uint32_t> out;
  for (size_t i = 0; i < cand.size() && out.size() < n; ++i) out.push_back(cand[i].second);
  return out;
}

// Worker thread, inside the transaction: the puts go out after it commits, so no store ever
// holds a result the core's database does not know.
void Core::Impl::SendResultCopies(const ChunkId& id, uint64_t now) {
  Placing& p = placing_[id];
  auto holders = db_->Holders(id);
  std::set<uint32_t> have;
  if (holders.ok()) have.insert(holders->begin(), holders->end());
  for (uint32_t h : have) p.targets.emplace(h, now);  // already there: counts as placed there
  for (auto it = p.targets.begin(); it != p.targets.end();) {
    auto m = members_.find(it->first);
    bool gone = m == members_.end() || m->second.state == "offline" || m->second.state == "dead";
    it = gone && !have.count(it->first) ? p.targets.erase(it) : std::next(it);
  }
  const size_t want = static_cast<size_t>(o_.copies);
  if (p.targets.size() < want) {
    std::set<uint32_t> exclude = p.refused;
    for (const auto& [t, sent] : p.targets) exclude.insert(t);
    for (uint32_t st : ChooseStores(p.prefer, exclude, want - p.targets.size())) p.targets[st] = 0;
  }
  for (auto& [store, sent] : p.targets) {
    if (have.count(store)) continue;
    if (sent != 0 && now - sent < static_cast<uint64_t>(o_.result_timeout_ms)) continue;
    if (sent != 0) m_.Add("result_resends");
    after_commit_.push_back({topics_.Put(store), EncodeEnvelope(EnvelopeType::kPut, core_addr_, 0, id, p.wire)});
    sent = now;
  }
}

void Core::Impl::PlaceResults(uint64_t now) {
  if (!mqtt_->connected()) return;
  for (auto& [id, p] : placing_) {
    if (p.recovered) {
      // Left over from before a restart: copies may already sit in stores whose "stored"
      // notices never arrived. Ask every live store first; place the rest afterwards.
      // Every registered store is asked, whatever we know of it yet: right after a restart
      // nobody's heartbeat has arrived.
      for (const auto& [addr, mb] : members_) {
        auto r = Control("restate");
        r["id"] = ToHex(id);
        r["to"] = core_addr_;
        after_commit_.push_back({topics_.Down(addr), r.dump()});
      }
      p.recovered = false;
      p.hold_until_ms = now + 3000;
      continue;
    }
    if (now < p.hold_until_ms) continue;
    if (p.targets.empty() || std::any_of(p.targets.begin(), p.targets.end(), [&](const auto& t) {
          return t.second == 0 || now - t.second >= static_cast<uint64_t>(o_.result_timeout_ms);
        })) {
      SendResultCopies(id, now);
    }
  }
}

// Replies from stores to the core's own puts (result copies).
void Core::Impl::HandleCoreDown(const std::string& payload) {
  auto j = ParseControl(payload);
  if (!j.ok()) return Reject("down", j.status().message());
  auto id = FieldChunkId(*j, "id");
  auto holder = FieldU64(*j, "holder");
  if (!id.ok() || !holder.ok()) return Reject("down", "reply without id/holder");
  auto it = placing_.find(*id);
  if (it == placing_.end()) return;
  if ((*j)["type"] == "put_nack") {
    it->second.targets.erase(static_cast<uint32_t>(*holder));
    it->second.refused.insert(static_cast<uint32_t>(*holder));
    m_.Add("result_refusals");
  }
}

nlohmann::json Core::Impl::StatusJson() const {
  std::lock_guard<std::mutex> lk(status_mu_);
  return status_;
}

void Core::Impl::WriteStatus() {
  nlohmann::json j;
  j["name"] = o_.name;
  j["connected"] = mqtt_ && mqtt_->connected();
  j["counters"] = m_.Snapshot();
  auto spool = db_ ? db_->SpoolDepth() : Result<int64_t>(Status::Unavailable("no db"));
  auto chunks = db_ ? db_->ChunkCount() : Result<int64_t>(Status::Unavailable("no db"));
  j["spool_depth"] = spool.ok() ? *spool : -1;
  j["addr"] = core_addr_;
  j["http_port"] = http_port_;
  j["results_placing"] = placing_.size();
  j["excess_pending"] = delete_requested_.size();
  {
    std::lock_guard<std::mutex> lk(sched_mu_);
    if (sched_) {
      j["scheduler"] = {{"queued", sched_->size()}, {"queued_bytes", sched_->queued_bytes()},
                        {"served_bytes_live", sched_->served_bytes_by_lane()[0]},
                        {"served_bytes_backlog", sched_->served_bytes_by_lane()[1]}};
    }
  }
  j["manifest_chunks"] = chunks.ok() ? *chunks : -1;
  j["nodes"] = nlohmann::json::array();
  uint8_t live = 0;
  bool down = false;
  int n = 0;
  for (const auto& [addr, mb] : members_) {
    j["nodes"].push_back({{"addr", addr}, {"name", mb.name}, {"state", mb.state},
                          {"load", mb.load}, {"counters", mb.counters}});
    if (mb.state == "live" && n < 8) live = static_cast<uint8_t>(live | (1u << n));
    down = down || mb.state == "dead" || mb.state == "offline";
    ++n;
  }
  board_live_ = live;
  board_edge_down_ = down;
  if (board_) j["board"] = board_->Snapshot();
  {
    std::lock_guard<std::mutex> lk(status_mu_);
    status_ = j;
  }
  std::string path = o_.data_dir + "/status.json";
  // A status file that cannot be written is not worth stopping for; count it.
  if (!WriteFileAtomic(path, j.dump(1) + "\n").ok()) m_.Add("status_write_errors");
}

Result<std::unique_ptr<Core>> Core::Create(const CoreOptions& opts) {
  return std::unique_ptr<Core>(new Core(std::make_unique<Impl>(opts)));
}
Core::Core(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Core::~Core() { Stop(); }
Status Core::Start() { return impl_->Start(); }
void Core::Stop() { impl_->Stop(); }
nlohmann::json Core::StatusJson() const { return impl_->StatusJson(); }
Metrics& Core::metrics() { return impl_->m_; }

}  // namespace tern::core
