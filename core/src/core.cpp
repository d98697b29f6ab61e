// Core worker: group-committed manifest updates, acks after commit, membership, spool drain.
#include "tern/core/core.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tern/common/bytes.h"
#include "tern/common/hlc.h"
#include "tern/common/mqtt.h"
#include "tern/common/protocol.h"
#include "tern/core/manifest.h"

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
  void DrainSpool();
  void WriteStatus();
  void Reject(const char* what, const std::string& detail);

  CoreOptions o_;
  Topics topics_;
  std::unique_ptr<Manifest> db_;
  std::unique_ptr<MqttClient> mqtt_;
  std::thread worker_;
  std::atomic<bool> stop_{false};
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
  std::map<ChunkId, uint64_t> delete_requested_;  // id -> monotonic ms
  mutable std::mutex status_mu_;
  nlohmann::json status_;
};

Status Core::Impl::Start() {
  std::error_code ec;
  fs::create_directories(o_.data_dir, ec);
  if (ec) return Status::IoError("data dir " + o_.data_dir + ": " + ec.message());
  TERN_ASSIGN_OR_RETURN(db_, Manifest::Open(o_.data_dir + "/core.db"));
  TERN_ASSIGN_OR_RETURN(auto nodes, db_->Nodes());
  for (const auto& n : nodes) members_[n.addr].name = n.name;  // state unknown until heard
  ReloadSettings(false);

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
  for (const auto& t : {topics_.RegAll(), topics_.UpAll(), topics_.Stored(), topics_.HbAll()}) {
    TERN_RETURN_IF_ERROR(mqtt_->Subscribe(t));
  }
  worker_ = std::thread([this] { WorkerMain(); });
  TERN_RETURN_IF_ERROR(mqtt_->Start());
  spdlog::info("core {} started: {} known nodes, db {}", o_.name, nodes.size(),
               o_.data_dir + "/core.db");
  return Status::Ok();
}

void Core::Impl::Stop() {
  if (stop_.exchange(true)) return;
  qcv_.notify_all();
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
    {
      std::unique_lock<std::mutex> lk(qmu_);
      qcv_.wait_for(lk, std::chrono::milliseconds(50), [this] { return stop_ || !queue_.empty(); });
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
      for (const auto& id : touched_) Settle(id);
      if (now - last_live >= 250) {
        CheckLiveness();
        auto v = db_->SettingsVersion();
        if (v.ok() && *v != settings_version_) ReloadSettings(true);
        last_live = now;
      }
      DrainSpool();
      s = db_->Commit();
    }
    touched_.clear();
    reack_.clear();
    if (!s.ok()) {
      (void)db_->Rollback();
      m_.Add("manifest_commit_errors");
      spdlog::error("core: manifest transaction of {} messages failed, senders will resend: {}",
                    batch.size(), s.ToString());
      after_commit_.clear();
      continue;
    }
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
  if (s.ok()) s = db_->Spool(id, view->header, env->chunk);
  if (!s.ok()) {
    m_.Add("manifest_errors");
    spdlog::error("core: spooling chunk from {}: {}", from, s.ToString());
    return;
  }
  m_.Add("uplinks");
  touched_.insert(id);
  reack_.insert(id);
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

// Decides what the manifest now justifies for one chunk: the ack, or an excess-copy delete.
void Core::Impl::Settle(const ChunkId& id) {
  auto c = db_->Chunk(id);
  if (!c.ok() || !c->has_value()) return;
  ChunkRecord& r = **c;
  if (!r.spooled || static_cast<int>(r.holders.size()) < o_.copies) return;
  if (!r.acked || reack_.count(id)) {
    if (!r.acked) (void)db_->MarkAcked(id);
    auto ack = Control("ack");
    ack["id"] = ToHex(id);
    ack["holders"] = r.holders;
    after_commit_.push_back({topics_.Down(r.origin), ack.dump()});
    m_.Add(r.acked ? "acks_repeated" : "acks");
  }
  if (static_cast<int>(r.holders.size()) > o_.copies) {
    uint64_t now = MonotonicMs();
    auto it = delete_requested_.find(id);
    if (it != delete_requested_.end() && now - it->second < 10000) return;
    for (auto h = r.holders.rbegin(); h != r.holders.rend(); ++h) {  // newest first
      if (*h == r.origin) continue;
      auto del = Control("delete");
      del["id"] = ToHex(id);
      after_commit_.push_back({topics_.Down(*h), del.dump()});
      delete_requested_[id] = now;
      m_.Add("excess_copies_found");
      break;
    }
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

// Until the scheduler and processors land, the spool's consumer checks each chunk decodes
// and counts its records per source; then the spool entry goes (the chunk itself lives on
// in its three stores).
void Core::Impl::DrainSpool() {
  auto next = db_->NextSpooled(64);
  if (!next.ok()) return;
  for (auto& [id, wire] : *next) {
    auto v = DecodeChunk(wire);
    if (v.ok()) {
      m_.Add("records_processed", v->header.record_count);
      m_.Add("chunks_processed");
    } else {
      m_.Add("spool_corrupt");
    }
    (void)db_->Unspool(id);
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
  j["manifest_chunks"] = chunks.ok() ? *chunks : -1;
  j["nodes"] = nlohmann::json::array();
  for (const auto& [addr, mb] : members_) {
    j["nodes"].push_back({{"addr", addr}, {"name", mb.name}, {"state", mb.state},
                          {"load", mb.load}, {"counters", mb.counters}});
  }
  {
    std::lock_guard<std::mutex> lk(status_mu_);
    status_ = j;
  }
  std::string path = o_.data_dir + "/status.json";
  {
    std::ofstream out(path + ".tmp");
    out << j.dump(1) << "\n";
  }
  std::error_code ec;
  fs::rename(path + ".tmp", path, ec);
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
