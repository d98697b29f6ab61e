// Edge agent: wiring, registration, the replication/uplink window, the store service.
#include "tern/edge/agent.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tern/common/bytes.h"
#include "tern/common/files.h"
#include "tern/common/hlc.h"
#include "tern/common/mqtt.h"
#include "tern/common/protocol.h"
#include "tern/edge/chunker.h"
#include "tern/edge/collectors.h"
#include "tern/edge/local_store.h"
#include "tern/edge/peers.h"

namespace tern::edge {
namespace fs = std::filesystem;

namespace {
// One own chunk between its local commit and the core's ack.
struct Pending {
  ChunkId id;
  int priority = 0;
  uint64_t bytes = 0;
  std::string wire;  // loaded while in the window
  bool in_window = false;
  uint64_t first_collected_us = 0;  // 0 for chunks recovered after a restart
  std::map<uint32_t, uint64_t> targets;  // peer -> last send (monotonic ms)
  std::set<uint32_t> acked;
  std::set<uint32_t> refused;
  uint64_t core_sent_ms = 0;
};

double CpuLoad() {  // this process's share of the machine since the last call
  static uint64_t last_ticks = 0, last_us = 0;
  std::ifstream in("/proc/self/stat");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  size_t p = s.rfind(')');
  if (p == std::string::npos) return 0;
  std::istringstream is(s.substr(p + 2));
  std::string f;
  uint64_t ut = 0, st = 0;
  for (int i = 3; i <= 15 && is >> f; ++i) {
    if (i == 14) ut = std::stoull(f);
    if (i == 15) st = std::stoull(f);
  }
  uint64_t ticks = ut + st, now = MonotonicUs();
  double load = 0;
  if (last_us) {
    double cpu_s = static_cast<double>(ticks - last_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
    double wall_s = static_cast<double>(now - last_us) / 1e6;
    load = wall_s > 0 ? cpu_s / wall_s / static_cast<double>(std::thread::hardware_concurrency()) : 0;
  }
  last_ticks = ticks;
  last_us = now;
  return std::min(1.0, load);
}
}  // namespace

class EdgeAgent::Impl {
 public:
  explicit Impl(EdgeOptions o) : o_(std::move(o)), topics_(o_.topic_prefix) {}
  Status Start();
  void Stop();
  nlohmann::json StatusJson() const;

  EdgeOptions o_;
  Topics topics_;
  Metrics m_;
  HybridClock clock_;
  std::atomic<uint32_t> addr_{0};
  uint32_t boot_ = 0;

 private:
  Status Register();
  Status LoadSources();
  void OnMessage(const std::string& topic, std::string_view payload);
  void OnPut(std::string_view payload);
  void OnDown(std::string_view payload);
  void OnSealed(SealedChunk c);
  void Post(std::function<void()> task);
  void LoopMain();
  void Pump();
  void ReplicateStep(Pending& p, uint64_t now);
  void UplinkStep(Pending& p, uint64_t now);
  void Finish(const ChunkId& id, const std::vector<uint32_t>& holders);
  void Heartbeat();
  void AnnounceRecentReplicas();
  void Deliver(const std::string& topic, std::string payload, int attempt = 0);
  void WriteStatus();
  Status Admit(const SourceSpec& spec, size_t bytes);
  void ApplySettings(const nlohmann::json& settings);
  void DropFromOutbox(const ChunkId& id);
  void RejectLog(const char* what, const std::string& detail);

  std::unique_ptr<LocalStore> store_;
  std::unique_ptr<MqttClient> mqtt_;
  std::unique_ptr<Chunker> chunker_;
  std::vector<std::unique_ptr<Collector>> collectors_;
  PeerTable peers_;

  // Loop thread state (only the loop thread touches these).
  std::map<ChunkId, Pending> pending_;
  std::deque<ChunkId> live_, backlog_;
  std::multimap<uint64_t, std::function<void()>> timers_;  // due (monotonic ms) -> task
  std::vector<ChunkId> window_;
  uint64_t window_bytes_ = 0;
  bool prefer_backlog_ = false;
  uint64_t next_request_ = 1;
  std::mt19937_64 rng_{std::random_device{}()};

  std::atomic<int64_t> outbox_bytes_{0};
  std::atomic<int64_t> outbox_chunks_{0};
  std::atomic<bool> disk_full_{false};
  std::atomic<bool> announced_{false};
  std::atomic<bool> stop_{false};       // collectors and registration stop
  std::atomic<bool> halt_loop_{false};  // the loop stops (after the outbox drain)
  std::mutex qmu_;
  std::condition_variable qcv_;
  std::deque<std::function<void()>> tasks_;
  std::thread loop_;
  LatencyRecorder lat_local_, lat_peer1_, lat_peer2_, lat_core_;
  mutable std::mutex results_mu_;
  std::deque<nlohmann::json> results_, alarms_;  // the latest, for status.json
  mutable std::mutex settings_mu_;
  std::string allowed_kinds_ = "samples,blob,event";
  nlohmann::json settings_ = nlohmann::json::object();
};

// ---------------------------------------------------------------- start / stop

Status EdgeAgent::Impl::Start() {
  std::error_code ec;
  fs::create_directories(o_.data_dir, ec);
  if (ec) return Status::IoError("data dir " + o_.data_dir + ": " + ec.message());
  TERN_ASSIGN_OR_RETURN(store_, LocalStore::Open(o_.data_dir + "/edge.db", o_.commit_tick_ms));
  TERN_ASSIGN_OR_RETURN(auto boot, store_->GetMeta("boot"));
  boot_ = boot ? static_cast<uint32_t>(std::stoul(*boot)) + 1 : 1;
  TERN_RETURN_IF_ERROR(store_->PutMeta("boot", std::to_string(boot_)));
  TERN_RETURN_IF_ERROR(Register());

  MqttOptions mo;
  mo.host = o_.mqtt_host;
  mo.port = o_.mqtt_port;
  mo.client_id = "edge-" + o_.name;
  mo.max_inflight = o_.mqtt_max_inflight;
  mo.will_topic = topics_.Hb(addr_);
  auto will = Control("offline");
  will["addr"] = addr_.load();
  mo.will_payload = will.dump();
  TERN_ASSIGN_OR_RETURN(mqtt_, MqttClient::Create(mo));
  mqtt_->OnMessage([this](const std::string& t, std::string_view p) { OnMessage(t, p); });
  mqtt_->OnConnect([this](bool up) {
    if (!up) return;
    // Re-announce on every connect: a restarted core or broker learns we are here.
    auto reg = Control("register");
    reg["name"] = o_.name;
    reg["store_path"] = fs::absolute(store_->path()).string();
    reg["capacity"] = o_.capacity_bytes;
    (void)mqtt_->Publish(topics_.Reg(o_.name), reg.dump(), 1, false, std::chrono::milliseconds(0));
    Post([this] { Heartbeat(); });
    if (!announced_) {
      announced_ = true;
      Post([this] { AnnounceRecentReplicas(); });
    }
  });
  TERN_RETURN_IF_ERROR(mqtt_->Subscribe(topics_.Members()));
  TERN_RETURN_IF_ERROR(mqtt_->Subscribe(topics_.Down(addr_)));
  TERN_RETURN_IF_ERROR(mqtt_->Subscribe(topics_.Put(addr_)));
  TERN_RETURN_IF_ERROR(mqtt_->Subscribe(topics_.RegReply(o_.name)));
  if (!o_.feed.topic.empty()) TERN_RETURN_IF_ERROR(mqtt_->Subscribe(o_.feed.topic));

  chunker_ = std::make_unique<Chunker>(
      addr_, boot_, &clock_, o_.chunk, [this](SealedChunk c) { OnSealed(std::move(c)); },
      [this](const SourceSpec& spec, size_t b) { return Admit(spec, b); });
  TERN_RETURN_IF_ERROR(LoadSources());

  TERN_ASSIGN_OR_RETURN(auto outbox, store_->LoadOutbox());
  for (auto& e : outbox) {
    Pending p;
    p.id = e.id;
    p.priority = e.priority;
    p.bytes = e.bytes;
    outbox_bytes_ += static_cast<int64_t>(e.bytes);
    ++outbox_chunks_;
    backlog_.push_back(e.id);
    pending_.emplace(e.id, std::move(p));
  }
  if (!outbox.empty()) {
    spdlog::info("edge {}: {} chunks ({} bytes) in the outbox from before; resending", o_.name,
                 outbox.size(), outbox_bytes_.load());
  }
  loop_ = std::thread([this] { LoopMain(); });
  TERN_RETURN_IF_ERROR(mqtt_->Start());

  if (o_.synthetic.enabled) {
    collectors_.push_back(std::make_unique<SyntheticSource>(o_.synthetic, chunker_.get(), &m_));
  }
  if (!o_.dropdir.path.empty()) {
    collectors_.push_back(std::make_unique<DropDirCollector>(o_.dropdir, chunker_.get(), &m_));
  }
  if (!o_.feed.path.empty()) {
    collectors_.push_back(std::make_unique<FeedCollector>(o_.feed, chunker_.get(), &m_));
  }
  for (auto& c : collectors_) c->Start();
  spdlog::info("edge {} started: address {}, boot {}, store {}", o_.name, addr_.load(), boot_,
               store_->path());
  return Status::Ok();
}

Status EdgeAgent::Impl::LoadSources() {
  auto add = [this](const SourceSpec& spec) -> Status {
    TERN_ASSIGN_OR_RETURN(auto v, store_->GetMeta("seq/" + spec.name));
    uint64_t rec = 0, chunk = 0;
    if (v) std::istringstream(*v) >> rec >> chunk;
    chunker_->AddSource(spec, rec, chunk);
    return Status::Ok();
  };
  if (o_.synthetic.enabled) {
    TERN_RETURN_IF_ERROR(add({o_.synthetic.source, RecordKind::kSamples, o_.synthetic.priority,
                              static_cast<uint16_t>(o_.synthetic.channels)}));
  }
  if (!o_.dropdir.path.empty()) {
    TERN_RETURN_IF_ERROR(add({o_.dropdir.source, RecordKind::kBlob, o_.dropdir.priority, 0}));
  }
  if (!o_.feed.path.empty() || !o_.feed.topic.empty()) {
    bool csv = o_.feed.format == "csv";
    TERN_RETURN_IF_ERROR(add({o_.feed.source, csv ? RecordKind::kSamples : RecordKind::kEvent,
                              o_.feed.priority,
                              static_cast<uint16_t>(csv ? o_.feed.channels : 0)}));
  }
  return Status::Ok();
}

// The core maps a name to a permanent address. The first start waits for it; later starts
// use the stored one.
Status EdgeAgent::Impl::Register() {
  TERN_ASSIGN_OR_RETURN(auto stored, store_->GetMeta("addr"));
  if (stored) {
    addr_ = static_cast<uint32_t>(std::stoul(*stored));
    return Status::Ok();
  }
  MqttOptions mo;
  mo.host = o_.mqtt_host;
  mo.port = o_.mqtt_port;
  mo.client_id = "edge-" + o_.name + "-reg";
  TERN_ASSIGN_OR_RETURN(auto reg, MqttClient::Create(mo));
  std::mutex mu;
  std::condition_variable cv;
  uint32_t got = 0;
  std::string refused;
  reg->OnMessage([&](const std::string&, std::string_view payload) {
    auto j = ParseControl(payload);
    if (!j.ok()) return;
    std::lock_guard<std::mutex> lk(mu);
    if ((*j)["type"] == "registered") {
      auto a = FieldU64(*j, "addr");
      if (a.ok() && *a > 0 && *a <= 0xFFFFFFFFu) got = static_cast<uint32_t>(*a);
    } else if ((*j)["type"] == "refused") {
      refused = j->value("reason", "no reason given");
    }
    cv.notify_all();
  });
  TERN_RETURN_IF_ERROR(reg->Subscribe(topics_.RegReply(o_.name)));
  TERN_RETURN_IF_ERROR(reg->Start());
  auto req = Control("register");
  req["name"] = o_.name;
  req["store_path"] = fs::absolute(store_->path()).string();
  req["capacity"] = o_.capacity_bytes;
  int tries = 0;
  while (!stop_) {
    if (reg->connected()) (void)reg->Publish(topics_.Reg(o_.name), req.dump());
    std::unique_lock<std::mutex> lk(mu);
    if (cv.wait_for(lk, std::chrono::seconds(1), [&] { return got != 0 || !refused.empty(); })) break;
    if (++tries % 10 == 0) spdlog::info("edge {}: waiting for the core to assign an address", o_.name);
  }
  reg->Stop();
  if (!refused.empty()) return Status::FailedPrecondition("core refused registration: " + refused);
  if (got == 0) return Status::Unavailable("stopped before the core assigned an address");
  addr_ = got;
  return store_->PutMeta("addr", std::to_string(got));
}

void EdgeAgent::Impl::Stop() {
  if (stop_.exchange(true)) return;
  for (auto& c : collectors_) c->Stop();
  if (chunker_) chunker_->FlushAll();
  // Let the final chunks reach the disk before the goodbye.
  for (int i = 0; store_ && store_->queued() > 0 && i < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Give chunks in flight a moment to reach the core grade while everyone is still up;
  // whatever is left stays in the durable outbox and goes out after the next start.
  for (int i = 0; mqtt_ && mqtt_->connected() && outbox_chunks_ > 0 && i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  halt_loop_ = true;
  qcv_.notify_all();
  if (loop_.joinable()) loop_.join();
  if (mqtt_ && addr_) {
    auto bye = Control("offline");
    bye["addr"] = addr_.load();
    (void)mqtt_->Publish(topics_.Hb(addr_), bye.dump(), 1, false, std::chrono::milliseconds(500));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (mqtt_) mqtt_->Stop();
  WriteStatus();
  store_.reset();  // drains and joins the writer
}

// ---------------------------------------------------------------- inbound messages

void EdgeAgent::Impl::RejectLog(const char* what, const std::string& detail) {
  int64_t n = ++m_.Counter(std::string("rejected_") + what);
  if (n <= 10 || n % 1000 == 0) {
    spdlog::warn("edge {}: rejected {} message #{}: {}", o_.name, what, n, detail);
  }
}

void EdgeAgent::Impl::OnMessage(const std::string& topic, std::string_view payload) {
  if (topic == topics_.Put(addr_)) return OnPut(payload);
  if (topic == topics_.Down(addr_)) return OnDown(payload);
  if (topic == topics_.Members()) {
    auto j = ParseControl(payload);
    if (!j.ok()) return RejectLog("members", j.status().message() + " on " + topic);
    Status s = peers_.Update(*j, addr_);
    if (!s.ok()) return RejectLog("members", s.message() + " on " + topic);
    return;
  }
  if (topic == topics_.RegReply(o_.name)) {
    auto j = ParseControl(payload);
    if (!j.ok()) return RejectLog("registration", j.status().message());
    auto a = FieldU64(*j, "addr");
    if ((*j)["type"] == "registered" && j->contains("settings")) ApplySettings((*j)["settings"]);
    if ((*j)["type"] == "registered" && a.ok() && *a != addr_) {
      m_.Add("address_conflicts");
      spdlog::error("edge {}: core says our address is {}, the store says {}; keeping {}",
                    o_.name, *a, addr_.load(), addr_.load());
    }
    return;
  }
  if (!o_.feed.topic.empty()) {  // local equipment publishing feed lines
    auto p = FeedLineToPayload(std::string(payload), o_.feed.format,
                               static_cast<uint16_t>(o_.feed.channels));
    if (!p.ok()) return RejectLog("feed", p.status().message() + " on " + topic);
    Status s = chunker_->Add(o_.feed.source, std::move(p).value());
    if (s.ok()) {
      m_.Add("records_collected");
    } else {
      m_.Add("records_refused");
      RejectLog("feed", s.message());
    }
  }
}

// Store service: keep a peer's replica, verified, durable, then say so.
void EdgeAgent::Impl::OnPut(std::string_view payload) {
  auto env = DecodeEnvelope(payload);
  if (!env.ok()) return RejectLog("put", env.status().message());
  if (env->type != EnvelopeType::kPut) return RejectLog("put", "envelope is not a put");
  auto view = DecodeChunk(env->chunk);
  if (!view.ok()) {
    return RejectLog("put", view.status().message() + " from " + std::to_string(env->sender));
  }
  auto recs = DecodeRecords(*view);
  if (!recs.ok()) {
    return RejectLog("put", recs.status().message() + " from " + std::to_string(env->sender));
  }
  ChunkId id(env->id);
  uint32_t sender = env->sender;
  const ChunkHeader& h = view->header;
  auto ack = [this, id, sender, h, size = env->chunk.size()](const Status& s) {
    Post([this, id, sender, h, size, s] {
      auto reply = Control(s.ok() ? "put_ack" : "put_nack");
      reply["id"] = ToHex(id);
      reply["holder"] = addr_.load();
      if (!s.ok()) {
        reply["reason"] = s.message();
        m_.Add("replica_store_errors");
      } else {
        m_.Add("replicas_stored");
        Deliver(topics_.Stored(), ToJson(NoticeFor(id, addr_, h, size)).dump());
      }
      Deliver(topics_.Down(sender), reply.dump());
    });
  };
  auto existing = store_->GetChunk(id);
  if (existing.ok() && existing->has_value()) {
    if (**existing == env->chunk) {
      m_.Add("replicas_duplicate");
      return ack(Status::Ok());  // already durable: re-acknowledge
    }
    m_.Add("replica_id_collisions");
    return ack(Status::Corruption("different bytes stored under the same id"));
  }
  StoreWrite w{StoreWrite::Kind::kReplica};
  w.info = StoredChunkInfo{id, h.origin, h.source, h.seq, static_cast<int>(h.kind),
                           static_cast<int>(h.priority), h.t_first, h.t_last, h.record_count,
                           env->chunk.size(), false};
  w.wire = std::string(env->chunk);
  store_->Submit(std::move(w), ack);
}

void EdgeAgent::Impl::OnDown(std::string_view payload) {
  auto j = ParseControl(payload);
  if (!j.ok()) return RejectLog("down", j.status().message());
  const std::string type = (*j)["type"];
  if (type == "settings") {
    if (!j->contains("settings") || !(*j)["settings"].is_object()) {
      return RejectLog("down", "settings without a 'settings' object");
    }
    return ApplySettings((*j)["settings"]);
  }
  auto id = FieldChunkId(*j, "id");
  if (!id.ok()) return RejectLog("down", type + ": " + id.status().message());
  if (type == "put_ack" || type == "put_nack" || type == "restate_nack") {
    auto holder = FieldU64(*j, "holder");
    if (!holder.ok()) return RejectLog("down", holder.status().message());
    bool ok = type == "put_ack";
    std::string reason = j->value("reason", "");
    Post([this, id = *id, h = static_cast<uint32_t>(*holder), ok, reason] {
      auto it = pending_.find(id);
      if (it == pending_.end()) return;  // late duplicate
      Pending& p = it->second;
      p.targets.erase(h);
      if (!ok) {
        p.acked.erase(h);  // a restate found the copy gone
        p.refused.insert(h);
        m_.Add("replica_refusals");
        spdlog::warn("edge {}: peer {} refused chunk {}: {}", o_.name, h, ToHex(id).substr(0, 12),
                     reason);
        return;
      }
      if (!p.acked.insert(h).second) return;
      if (p.first_collected_us) {
        double ms = static_cast<double>(MonotonicUs() - p.first_collected_us) / 1000.0;
        (p.acked.size() == 1 ? lat_peer1_ : lat_peer2_).Add(ms);
      }
      m_.Add(p.acked.size() == 1 ? "grade_peer1" : "grade_peer2");
    });
  } else if (type == "ack") {
    std::vector<uint32_t> holders;
    if (j->contains("holders") && (*j)["holders"].is_array()) {
      for (const auto& h : (*j)["holders"]) {
        if (h.is_number_unsigned()) holders.push_back(h.get<uint32_t>());
      }
    }
    Post([this, id = *id, holders] { Finish(id, holders); });
  } else if (type == "result") {
    // Analysis of our data came back. Its copy arrives separately as a put like any chunk.
    int anomalies = j->value("anomalies", 0);
    std::string what = j->value("processor", "?") + " of " + j->value("source", "?") + " #" +
                       std::to_string(j->value("source_seq", uint64_t{0}));
    m_.Add("results_received");
    nlohmann::json brief = {{"id", ToHex(*id)}, {"processor", j->value("processor", "")},
                            {"source", j->value("source", "")},
                            {"source_seq", j->value("source_seq", uint64_t{0})},
                            {"anomalies", anomalies}};
    if (anomalies > 0) {
      m_.Add("alarms_received");
      auto first = (*j)["summary"].value("anomalies", nlohmann::json::array());
      spdlog::warn("edge {}: ALARM from the core: {} anomalies in {}{}", o_.name, anomalies, what,
                   first.empty() ? "" : ", first: " + first[0].dump());
      brief["first"] = first.empty() ? nlohmann::json() : first[0];
    }
    std::lock_guard<std::mutex> lk(results_mu_);
    auto& list = anomalies > 0 ? alarms_ : results_;
    list.push_back(brief);
    if (list.size() > 20) list.pop_front();
  } else if (type == "throttle") {
    uint64_t after = j->value("retry_after_ms", uint64_t{1000});
    Post([this, id = *id, after] {
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      m_.Add("uplinks_throttled");
      // Resend when the core's budget allows, not at the normal timeout.
      uint64_t wait = std::min<uint64_t>(after, 60000);
      it->second.core_sent_ms = MonotonicMs() + wait - static_cast<uint64_t>(o_.uplink_timeout_ms);
    });
  } else if (type == "refused") {
    std::string reason = j->value("reason", "no reason given");
    Post([this, id = *id, reason] {
      if (!pending_.count(id)) return;
      m_.Add("core_refusals");
      spdlog::error("edge {}: the core refused chunk {}: {}; it stays in the stores, not processed",
                    o_.name, ToHex(id).substr(0, 16), reason);
      DropFromOutbox(id);
    });
  } else if (type == "restate") {
    auto to = FieldU64(*j, "to");
    if (!to.ok() || *to == 0 || *to > 0xFFFFFFFFu) return RejectLog("down", "restate without 'to'");
    auto wire = store_->GetChunk(*id);
    auto view = wire.ok() && wire->has_value() ? DecodeChunk(**wire) : Result<ChunkView>(Status::NotFound("not held"));
    Status held = view.ok() ? Status::Ok() : Status::NotFound("chunk not held here");
    std::optional<StoredNotice> note;
    if (view.ok()) note = NoticeFor(*id, addr_, view->header, (*wire)->size());
    Post([this, id = *id, to = static_cast<uint32_t>(*to), held, note] {
      if (note) Deliver(topics_.Stored(), ToJson(*note).dump());
      // "restate_nack" (not "put_nack"): the copy is not here, which is news, not a refusal.
      auto reply = Control(held.ok() ? "put_ack" : "restate_nack");
      reply["id"] = ToHex(id);
      reply["holder"] = addr_.load();
      if (!held.ok()) reply["reason"] = held.message();
      Deliver(topics_.Down(to), reply.dump());
      m_.Add("restated");
    });
  } else if (type == "delete") {
    // The core found an excess copy (more than three holders); drop ours if it is a replica.
    StoreWrite w{StoreWrite::Kind::kDropReplica};
    w.id = *id;
    store_->Submit(std::move(w), [this, id = *id](const Status& s) {
      if (!s.ok()) return;
      Post([this, id] {
        auto note = Control("dropped");
        note["id"] = ToHex(id);
        note["holder"] = addr_.load();
        Deliver(topics_.Stored(), note.dump());
        m_.Add("replicas_dropped");
      });
    });
  } else {
    RejectLog("down", "unknown type '" + type + "'");
  }
}

// ---------------------------------------------------------------- own chunks

Status EdgeAgent::Impl::Admit(const SourceSpec& spec, size_t bytes) {
  {
    std::lock_guard<std::mutex> lk(settings_mu_);
    std::string padded = "," + allowed_kinds_ + ",";
    if (padded.find(std::string(",") + KindName(spec.kind) + ",") == std::string::npos) {
      return Status::FailedPrecondition(std::string(KindName(spec.kind)) +
                                        " data is not permitted for " + o_.name +
                                        " by the core's settings (allowed: " + allowed_kinds_ + ")");
    }
  }
  const Priority prio = spec.priority;
  double factor = prio == Priority::kAlarm ? 1.10 : prio == Priority::kHigh ? 1.05 : 1.0;
  auto limit = static_cast<int64_t>(static_cast<double>(o_.outbox_max_bytes) * factor);
  if (disk_full_ && prio != Priority::kAlarm) {
    return Status::ResourceExhausted("local store is full; only alarms are taken");
  }
  if (outbox_bytes_ + static_cast<int64_t>(bytes) > limit) {
    return Status::ResourceExhausted("outbox full: " + std::to_string(outbox_bytes_.load()) +
                                     " of " + std::to_string(limit) + " bytes for " +
                                     PriorityName(prio) + " data");
  }
  return Status::Ok();
}

void EdgeAgent::Impl::OnSealed(SealedChunk c) {
  m_.Add("chunks_sealed");
  outbox_bytes_ += static_cast<int64_t>(c.wire.size());
  ++outbox_chunks_;
  StoreWrite w{StoreWrite::Kind::kOwnChunk};
  const ChunkHeader& h = c.header;
  w.info = StoredChunkInfo{c.id, h.origin, h.source, h.seq, static_cast<int>(h.kind),
                           static_cast<int>(h.priority), h.t_first, h.t_last, h.record_count,
                           c.wire.size(), true};
  w.wire = c.wire;
  w.key = "seq/" + h.source;
  w.value = std::to_string(c.next_record_seq) + " " + std::to_string(c.next_chunk_seq);
  auto shared = std::make_shared<SealedChunk>(std::move(c));
  store_->Submit(std::move(w), [this, shared](const Status& s) {
    if (!s.ok()) {
      // Not durable: nothing was acked, the records stay counted in the outbox and we retry.
      m_.Add("local_store_errors");
      if (s.code() == Status::Code::kResourceExhausted) disk_full_ = true;
      Post([this, shared] {
        timers_.emplace(MonotonicMs() + 200, [this, shared] {
          outbox_bytes_ -= static_cast<int64_t>(shared->wire.size());
          --outbox_chunks_;
          OnSealed(std::move(*shared));
        });
      });
      return;
    }
    disk_full_ = false;
    for (auto& f : shared->on_durable) f();
    double ms = static_cast<double>(MonotonicUs() - shared->first_collected_us) / 1000.0;
    lat_local_.Add(ms);
    m_.Add("grade_local");
    m_.Add("records_local", shared->header.record_count);
    Post([this, shared] {
      Pending p;
      p.id = shared->id;
      p.priority = static_cast<int>(shared->header.priority);
      p.bytes = shared->wire.size();
      // Keep the bytes only if the chunk will enter the window soon; otherwise admission
      // reads them back from the store, so memory stays bounded by the window, not the outbox.
      if (live_.size() < static_cast<size_t>(o_.window_chunks)) p.wire = std::move(shared->wire);
      p.first_collected_us = shared->first_collected_us;
      live_.push_back(p.id);
      pending_.emplace(p.id, std::move(p));
    });
  });
}

void EdgeAgent::Impl::Finish(const ChunkId& id, const std::vector<uint32_t>& holders) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // duplicate ack
  Pending& p = it->second;
  if (p.first_collected_us) {
    lat_core_.Add(static_cast<double>(MonotonicUs() - p.first_collected_us) / 1000.0);
  }
  m_.Add("grade_core");
  if (holders.size() < 3) m_.Add("core_acks_short");  // should not happen; visible if it does
  DropFromOutbox(id);
}

void EdgeAgent::Impl::DropFromOutbox(const ChunkId& id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending& p = it->second;
  if (p.in_window) {
    window_.erase(std::find(window_.begin(), window_.end(), id));
    window_bytes_ -= p.bytes;
  }
  outbox_bytes_ -= static_cast<int64_t>(p.bytes);
  --outbox_chunks_;
  pending_.erase(it);
  StoreWrite w{StoreWrite::Kind::kOutboxDone};
  w.id = id;
  store_->Submit(std::move(w), nullptr);
}

void EdgeAgent::Impl::ApplySettings(const nlohmann::json& st) {
  std::string kinds = st.value("kinds", std::string("samples,blob,event"));
  {
    std::lock_guard<std::mutex> lk(settings_mu_);
    if (settings_ == st) return;
    settings_ = st;
    allowed_kinds_ = kinds;
  }
  m_.Add("settings_received");
  spdlog::info("edge {}: settings from the core: {}", o_.name, st.dump());
}

// ---------------------------------------------------------------- the loop

void EdgeAgent::Impl::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lk(qmu_);
    tasks_.push_back(std::move(task));
  }
  qcv_.notify_one();
}

void EdgeAgent::Impl::LoopMain() {
  uint64_t last_hb = 0, last_status = 0, last_pump = 0;
  while (true) {
    std::deque<std::function<void()>> tasks;
    {
      std::unique_lock<std::mutex> lk(qmu_);
      qcv_.wait_for(lk, std::chrono::milliseconds(5), [this] { return halt_loop_ || !tasks_.empty(); });
      tasks.swap(tasks_);
    }
    for (auto& t : tasks) t();
    if (halt_loop_) break;
    uint64_t now = MonotonicMs();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      auto task = std::move(timers_.begin()->second);
      timers_.erase(timers_.begin());
      task();
    }
    chunker_->Tick();
    // Pump after every batch of events (acks free window slots), at least every 20 ms.
    if (!tasks.empty() || now - last_pump >= 20) {
      Pump();
      last_pump = now;
    }
    if (now - last_hb >= static_cast<uint64_t>(o_.heartbeat_ms)) {
      Heartbeat();
      last_hb = now;
    }
    if (now - last_status >= static_cast<uint64_t>(o_.status_ms)) {
      WriteStatus();
      last_status = now;
    }
  }
}

void EdgeAgent::Impl::Pump() {
  if (!mqtt_->connected()) return;
  uint64_t now = MonotonicMs();
  // Admit: live chunks first but never more than every other slot while a backlog waits,
  // so a returning outage drains beside live data instead of ahead of it.
  while (static_cast<int>(window_.size()) < o_.window_chunks &&
         window_bytes_ < static_cast<uint64_t>(o_.window_bytes) &&
         (!live_.empty() || !backlog_.empty())) {
    bool from_backlog = live_.empty() || (prefer_backlog_ && !backlog_.empty());
    auto& q = from_backlog ? backlog_ : live_;
    prefer_backlog_ = !from_backlog;
    ChunkId id = q.front();
    q.pop_front();
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;
    Pending& p = it->second;
    if (p.wire.empty()) {
      auto w = store_->GetChunk(id);
      if (!w.ok() || !w->has_value()) {
        m_.Add("outbox_missing_chunks");
        spdlog::error("edge {}: outbox chunk {} is not in the local store", o_.name,
                      ToHex(id).substr(0, 16));
        continue;
      }
      p.wire = std::move(**w);
    }
    p.in_window = true;
    window_.push_back(id);
    window_bytes_ += p.bytes;
  }
  for (const ChunkId& id : window_) {
    Pending& p = pending_.at(id);
    ReplicateStep(p, now);
    UplinkStep(p, now);
  }
}

void EdgeAgent::Impl::ReplicateStep(Pending& p, uint64_t now) {
  // A target that went dead before acking is replaced (the design's hysteresis lives in
  // the core's membership states; "dead" there is final enough to move on).
  for (auto it = p.targets.begin(); it != p.targets.end();) {
    if (!peers_.IsLive(it->first)) {
      m_.Add("replica_retargets");
      it = p.targets.erase(it);
    } else {
      ++it;
    }
  }
  int need = o_.replicas - static_cast<int>(p.acked.size() + p.targets.size());
  if (need > 0) {
    std::set<uint32_t> exclude = p.acked;
    exclude.insert(p.refused.begin(), p.refused.end());
    for (const auto& [peer, t] : p.targets) exclude.insert(peer);
    exclude.insert(addr_);
    for (uint32_t peer : peers_.Choose(need, exclude, rng_)) p.targets[peer] = 0;
    if (static_cast<int>(p.acked.size() + p.targets.size()) < o_.replicas) {
      m_.Add("replica_waits");  // not enough live peers right now; retried next pump
    }
  }
  for (auto& [peer, sent] : p.targets) {
    if (sent != 0 && now - sent < static_cast<uint64_t>(o_.replica_timeout_ms)) continue;
    if (sent != 0) m_.Add("replica_resends");
    Status s = mqtt_->Publish(topics_.Put(peer),
                              EncodeEnvelope(EnvelopeType::kPut, addr_, next_request_++, p.id, p.wire));
    if (s.ok()) sent = now;
  }
}

void EdgeAgent::Impl::UplinkStep(Pending& p, uint64_t now) {
  if (p.core_sent_ms > now) return;  // throttled: the core said when to come back
  if (p.core_sent_ms != 0 && now - p.core_sent_ms < static_cast<uint64_t>(o_.uplink_timeout_ms)) {
    return;
  }
  if (p.core_sent_ms != 0) {
    m_.Add("uplink_resends");
    // No ack yet: perhaps the core missed a peer's "stored" notice while it or the broker
    // was down. Ask each peer that acked to restate it (the manifest takes only holders'
    // own statements, never ours about them).
    for (uint32_t peer : p.acked) {
      auto r = Control("restate");
      r["id"] = ToHex(p.id);
      r["to"] = addr_.load();
      (void)mqtt_->Publish(topics_.Down(peer), r.dump());
    }
  }
  Status s = mqtt_->Publish(topics_.Up(addr_),
                            EncodeEnvelope(EnvelopeType::kUp, addr_, 0, p.id, p.wire));
  if (s.ok()) p.core_sent_ms = now;
}

// Statements about our store (stored, dropped, put acks) must not vanish because the
// in-flight window was full or the broker was away for a moment: retry them from the loop.
// Loop thread only.
void EdgeAgent::Impl::Deliver(const std::string& topic, std::string payload, int attempt) {
  if (mqtt_->Publish(topic, payload, 1, false, std::chrono::milliseconds(0)).ok()) return;
  m_.Add("publish_retries");
  if (attempt >= 600) {  // five minutes; the peer's resend or the restate at restart covers it
    m_.Add("publish_gave_up");
    spdlog::warn("edge {}: gave up delivering a message on {}", o_.name, topic);
    return;
  }
  timers_.emplace(MonotonicMs() + 500, [this, topic, p = std::move(payload), attempt]() mutable {
    Deliver(topic, std::move(p), attempt + 1);
  });
}

// A crash between a replica's commit and its "stored" notice leaves a copy the manifest
// does not know. After each start the store restates its most recent replicas; the core
// takes each statement once (and trims a chunk that turns out to have too many copies).
void EdgeAgent::Impl::AnnounceRecentReplicas() {
  auto recent = store_->RecentReplicas(500);
  if (!recent.ok()) return;
  for (const auto& i : *recent) {
    StoredNotice n;
    n.id = i.id;
    n.holder = addr_;
    n.origin = i.origin;
    n.source = i.source;
    n.seq = i.seq;
    n.t_first = i.t_first;
    n.t_last = i.t_last;
    n.records = i.records;
    n.bytes = i.bytes;
    n.priority = i.priority;
    n.kind = i.kind;
    Deliver(topics_.Stored(), ToJson(n).dump());
  }
  m_.Add("replicas_restated", static_cast<int64_t>(recent->size()));
}

void EdgeAgent::Impl::Heartbeat() {
  if (!mqtt_ || !mqtt_->connected() || addr_ == 0) return;
  auto totals = store_->Totals();
  auto hb = Control("hb");
  hb["addr"] = addr_.load();
  hb["name"] = o_.name;
  hb["cpu"] = CpuLoad();
  hb["used"] = totals.ok() ? totals->second : 0;
  hb["capacity"] = o_.capacity_bytes;
  hb["queue"] = outbox_chunks_.load();
  hb["outbox_bytes"] = outbox_bytes_.load();
  hb["counters"] = m_.Snapshot();
  (void)mqtt_->Publish(topics_.Hb(addr_), hb.dump(), 1, false, std::chrono::milliseconds(0));
}

nlohmann::json EdgeAgent::Impl::StatusJson() const {
  auto grade = [](const LatencyRecorder& r) {
    return nlohmann::json{{"count", r.count()}, {"p50_ms", r.Percentile(50)},
                          {"p99_ms", r.Percentile(99)}};
  };
  nlohmann::json j;
  j["name"] = o_.name;
  j["addr"] = addr_.load();
  j["boot"] = boot_;
  j["connected"] = mqtt_ && mqtt_->connected();
  j["outbox_chunks"] = outbox_chunks_.load();
  j["outbox_bytes"] = outbox_bytes_.load();
  j["disk_full"] = disk_full_.load();
  j["live_peers"] = peers_.LiveCount();
  {
    std::lock_guard<std::mutex> lk(settings_mu_);
    j["settings"] = settings_;
  }
  {
    std::lock_guard<std::mutex> lk(results_mu_);
    j["latest_results"] = nlohmann::json(std::vector<nlohmann::json>(results_.begin(), results_.end()));
    j["latest_alarms"] = nlohmann::json(std::vector<nlohmann::json>(alarms_.begin(), alarms_.end()));
  }
  j["counters"] = m_.Snapshot();
  j["grades"] = {{"local", grade(lat_local_)}, {"peer1", grade(lat_peer1_)},
                 {"peer2", grade(lat_peer2_)}, {"core", grade(lat_core_)}};
  return j;
}

void EdgeAgent::Impl::WriteStatus() {
  std::string path = o_.data_dir + "/status.json";
  // A status file that cannot be written is not worth stopping for; count it.
  if (!WriteFileAtomic(path, StatusJson().dump(1) + "\n").ok()) m_.Add("status_write_errors");
}

// ---------------------------------------------------------------- facade

Result<std::unique_ptr<EdgeAgent>> EdgeAgent::Create(const EdgeOptions& opts) {
  if (opts.name.empty()) return Status::InvalidArgument("config key 'node.name' is empty");
  return std::unique_ptr<EdgeAgent>(new EdgeAgent(std::make_unique<Impl>(opts)));
}
EdgeAgent::EdgeAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EdgeAgent::~EdgeAgent() { Stop(); }
Status EdgeAgent::Start() { return impl_->Start(); }
void EdgeAgent::Stop() { impl_->Stop(); }
nlohmann::json EdgeAgent::StatusJson() const { return impl_->StatusJson(); }
Metrics& EdgeAgent::metrics() { return impl_->m_; }
uint32_t EdgeAgent::addr() const { return impl_->addr_; }

}  // namespace tern::edge
