// Edge agent: wiring only. It opens the store, obtains the address (Registrar), connects
// through the options' TransportFactory, builds the parts and connects their handlers to
// the topics, and stops them in order. What each part does is in its own file:
//   registrar.h       address and announcements          settings_state.h  the core's settings
//   shipper.h         own chunks to the core's ack       outbox.h          admission, window
//   replicator.h      placement and resend decisions     store_service.h   replicas for peers
//   reliable_publisher.h  retried statements             event_loop.h      the loop thread
//   reporting.h       CPU share, latest results          collectors.h      where records come from
//   block_reporter.h  full block reports                 scrubber.h        re-hashing the store
//   quarantine.h      corrupt copies out of service
// Threads: the transport's network thread decodes inbound messages (msg::Dispatcher, one per
// topic kind, each handler guarded) and hands work to the event loop; the loop owns the
// outbox and window and does every SQLite read made for a message; the store's writer
// commits; each collector has its own thread.
#include "tern/edge/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

#include "analysis_service.h"
#include "event_loop.h"
#include "pressure_ladder.h"
#include "registrar.h"
#include "reliable_publisher.h"
#include "reporting.h"
#include "scrubber.h"
#include "settings_state.h"
#include "shipper.h"
#include "start_gate.h"
#include "statements.h"
#include "store_service.h"
#include "tern/common/disk_space.h"
#include "tern/common/dispatch.h"
#include "tern/common/edge_counters.h"
#include "tern/common/files.h"
#include "tern/common/hlc.h"
#include "tern/common/log_throttle.h"
#include "tern/common/mqtt.h"
#include "tern/edge/chunker.h"
#include "tern/edge/collectors.h"
#include "tern/edge/local_store.h"
#include "tern/edge/peers.h"

namespace tern::edge {
namespace fs = std::filesystem;

class EdgeAgent::Impl {
 public:
  explicit Impl(EdgeOptions o)
      : o_(std::move(o)),
        who_("edge " + o_.name),
        topics_(o_.topic_prefix),
        settings_(&m_, o_.name),
        results_(&m_, o_.name),
        loop_(&m_, who_),
        down_(&m_, who_, "down"),
        peer_(&m_, who_, "peer"),
        members_(&m_, who_, "members"),
        registration_(&m_, who_, "registration") {}
  Status Start();
  void CancelStart() { start_gate_.Cancel(); }
  void StopCollecting() {  // collectors stop, open chunks seal; the rest goes on
    for (auto& c : collectors_) c->Stop();
    if (chunker_) chunker_->FlushAll();
  }
  void Stop();
  nlohmann::json StatusJson() const;

  const EdgeOptions o_;
  const std::string who_;
  const Topics topics_;
  Metrics m_;
  std::atomic<uint32_t> addr_{0};
  uint32_t boot_ = 0;

 private:
  Status OpenStore();
  Status Connect();
  void Route(const std::string& topic, std::string_view payload);
  void OnConnect(bool up);
  void Announce();
  void Heartbeat();
  // The pressure ladder's fill: the larger of the store's bytes over node.capacity and the
  // used share of the data directory's filesystem (as df's Use%).
  void UpdatePressure(int64_t used, const Result<DiskSpace>& disk);
  void WriteStatus();
  Status AddCollectors();
  bool FromHolder(uint32_t holder, const std::string& topic) {
    return IsHolder(peers_, topics_.Parse(topic).from, holder, topic, m_, who_);
  }

  HybridClock clock_;
  SettingsState settings_;
  ResultLog results_;
  PeerTable peers_;
  CpuMeter cpu_;  // loop thread
  GradeLatencies grades_;
  PressureLadder pressure_{o_.watermarks, &m_, who_};  // Heartbeat updates it; read anywhere
  // Declared before what uses them, so they are destroyed last.
  std::unique_ptr<LocalStore> store_;
  std::unique_ptr<NodeIdentity> identity_;  // pki mode: key, certificate, site CA
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<Registrar> registrar_;
  StartGate start_gate_;  // ends the wait for the address from another thread
  std::unique_ptr<Transport> transport_;
  EventLoop loop_;
  std::unique_ptr<ReliablePublisher> publisher_;
  std::unique_ptr<Shipper> shipper_;
  std::unique_ptr<StoreService> store_service_;
  std::unique_ptr<AnalysisService> analysis_;  // window tasks over chunks this store holds
  std::unique_ptr<Scrubber> scrubber_;
  msg::Dispatcher down_, peer_, members_, registration_;
  std::unique_ptr<Chunker> chunker_;
  TopicFeedCollector* topic_feed_ = nullptr;  // owned by collectors_
  std::vector<std::unique_ptr<Collector>> collectors_;
  // This node's topics, fixed before the transport starts (read on its network thread).
  std::string down_topic_, members_topic_, reply_topic_;
  std::string will_;  // the Last Will, sealed at start; also the goodbye at Stop
  std::atomic<bool> announced_{false};
  std::atomic<bool> reported_{false};    // this run's block report started (first registration)
  std::atomic<uint64_t> core_epoch_{0};  // the member list's epoch last seen
  std::atomic<bool> stop_{false};
  LogThrottle persist_log_;  // replay windows not saved (a full disk): throttled
};

// ---------------------------------------------------------------- start

Status EdgeAgent::Impl::OpenStore() {
  std::error_code ec;
  fs::create_directories(o_.data_dir, ec);
  if (ec) return Status::IoError("data dir " + o_.data_dir + ": " + ec.message());
  TERN_ASSIGN_OR_RETURN(
      store_, LocalStore::Open(o_.data_dir + "/edge.db", o_.commit_tick_ms, o_.store_dedup));
  TERN_ASSIGN_OR_RETURN(auto boot, store_->GetMeta("boot"));
  boot_ = boot ? static_cast<uint32_t>(std::strtoul(boot->c_str(), nullptr, 10)) + 1 : 1;
  // The boot number only labels chunk headers; a full disk must not keep the edge from
  // starting (it admits alarms and retries its chunks until space returns), so a failed
  // save is reported and the number may repeat after the next restart.
  if (Status saved = store_->PutMeta("boot", std::to_string(boot_)); !saved.ok()) {
    m_.Add("boot_not_saved");
    spdlog::warn("{}: boot number {} not saved in {}: {}", who_, boot_, store_->path(),
                 saved.ToString());
  }
  if (o_.security_mode == SecurityMode::kPki) {
    TERN_ASSIGN_OR_RETURN(identity_, NodeIdentity::Load(o_.name, crypto::Role::kEdge, o_.tls_ca,
                                                        o_.tls_cert, o_.tls_key, ""));
  }
  TERN_ASSIGN_OR_RETURN(statements_, Statements::Open(store_.get(), &m_, who_, identity_.get()));
  // Stamps go on from the last one committed by the previous run, whatever the wall clock says.
  TERN_ASSIGN_OR_RETURN(auto hlc, store_->GetMeta("hlc"));
  const uint64_t last = hlc ? std::strtoull(hlc->c_str(), nullptr, 10) : 0;
  clock_.Restore(last);
  if (HybridClock::PhysicalMs(last) > WallMs() + 1000) {
    m_.Add("clock_behind_last_stamp");
    spdlog::warn(
        "{}: the wall clock is {} ms behind the last stamp of the previous run; stamps "
        "go on from that stamp",
        who_, HybridClock::PhysicalMs(last) - WallMs());
  }
  return Status::Ok();
}

Status EdgeAgent::Impl::Start() {
  DeclareEdgeCounters(m_);  // every counter and gauge (disk_full too) at 0 from the start
  TERN_RETURN_IF_ERROR(OpenStore());
  {  // the ladder's level before anything is admitted; then at every heartbeat tick
    auto totals = store_->Totals();
    UpdatePressure(totals.ok() ? totals->second : 0, DiskSpaceOf(o_.data_dir));
  }
  registrar_ = std::make_unique<Registrar>(o_, store_.get(), &settings_, &m_);
  registrar_->UseStatements(statements_.get(), identity_ ? identity_->cert_pem() : "");
  TERN_ASSIGN_OR_RETURN(uint32_t addr, start_gate_.Obtain(registrar_.get()));
  addr_ = addr;
  down_topic_ = topics_.Down(o_.name);
  members_topic_ = topics_.Members();
  reply_topic_ = topics_.RegReply(o_.name);

  MqttOptions mo;
  mo.host = o_.mqtt_host;
  mo.port = o_.mqtt_port;
  mo.brokers = o_.mqtt_brokers;
  mo.client_id = o_.name;  // the node name, as in its certificate (docs/security.md)
  mo.max_inflight = o_.mqtt_max_inflight;
  mo.will_topic = topics_.Hb(o_.name);
  will_ = statements_->Will(mo.will_topic, msg::Offline{addr}.Encode());
  mo.will_payload = will_;
  UseTls(&mo, o_.security_mode, o_.tls_ca, o_.tls_cert, o_.tls_key);
  mo.metrics = &m_;
  TERN_ASSIGN_OR_RETURN(transport_, o_.transport(mo));

  publisher_ = std::make_unique<ReliablePublisher>(
      transport_.get(), [this](uint64_t ms, EventLoop::Task t) { loop_.After(ms, std::move(t)); },
      &m_, who_, 600, 500, statements_->sealer());
  shipper_ = std::make_unique<Shipper>(
      o_, Shipper::Deps{addr, o_.name, topics_, store_.get(), transport_.get(), &loop_, &peers_,
                        &settings_, &m_, &grades_, who_, statements_->sealer(),
                        [this](const std::string& s, uint64_t rec, uint64_t chunk) {
                          if (chunker_) chunker_->RaiseFloor(s, rec, chunk);
                        },
                        &pressure_});
  store_service_ = std::make_unique<StoreService>(addr, o_.name, topics_, store_.get(), &loop_,
                                                  publisher_.get(), &m_, who_, statements_.get());
  store_service_->SetPressure(&pressure_);
  analysis_ = std::make_unique<AnalysisService>(addr, o_.name, topics_, store_service_.get(),
                                                &loop_, publisher_.get(), &m_, who_);
  scrubber_ = std::make_unique<Scrubber>(
      ScrubOptions{static_cast<uint64_t>(o_.scrub_period_ms),
                   static_cast<uint64_t>(o_.scrub_max_bytes_per_s)},
      store_.get(), &m_, who_, [this](const ChunkId& id) { store_service_->Condemn(id, "scrub"); });
  TERN_RETURN_IF_ERROR(Connect());

  chunker_ = std::make_unique<Chunker>(
      addr, boot_, &clock_, o_.chunk, [this](SealedChunk c) { shipper_->OnSealed(std::move(c)); },
      [this](const SourceSpec& spec, size_t b) { return shipper_->Admit(spec, b); });
  TERN_RETURN_IF_ERROR(AddCollectors());
  TERN_RETURN_IF_ERROR(shipper_->Restore());

  loop_.Every(0, [this] { chunker_->Tick(); });
  // Pump after every batch of events (acks free window slots), at least every 20 ms.
  loop_.Every(
      20, [this] { shipper_->Pump(); }, /*after_tasks=*/true);
  loop_.Every(static_cast<uint64_t>(o_.heartbeat_ms), [this] { Heartbeat(); });
  // Announced again every 30 s, not only on connect: an announcement made while the core was
  // down is lost, and with it the number of our Last Will (which the core needs to take it).
  loop_.Every(30000, [this] { Announce(); });
  loop_.Every(static_cast<uint64_t>(o_.status_ms), [this] { WriteStatus(); });
  loop_.Start();
  TERN_RETURN_IF_ERROR(transport_->Start());
  for (auto& c : collectors_) c->Start();
  scrubber_->Start();
  spdlog::info("edge {} started: address {}, boot {}, store {}", o_.name, addr, boot_,
               store_->path());
  return Status::Ok();
}

// One dispatcher per topic kind; the handlers hand work on and return. down/<self> is the
// core's alone; peer/<n>/<self> carries what store n says to this node.
Status EdgeAgent::Impl::Connect() {
  // A put_ack / put_nack answers either our own chunk's put (the Shipper) or a copy the core
  // asked this store to make (the StoreService, which recognises its own).
  peer_.On<msg::PutAck>([this](const auto& m, const std::string& t) {
    if (!FromHolder(m.holder, t)) return;
    if (!store_service_->OnCopyAnswer(m.id, topics_.Parse(t).from, nullptr)) shipper_->OnPutAck(m);
  });
  peer_.On<msg::PutNack>([this](const auto& m, const std::string& t) {
    if (!FromHolder(m.holder, t)) return;
    if (!store_service_->OnCopyAnswer(m.id, topics_.Parse(t).from, &m.reason)) {
      shipper_->OnPutNack(m);
    }
  });
  peer_.On<msg::RestateNack>([this](const auto& m, const std::string& t) {
    if (FromHolder(m.holder, t)) shipper_->OnRestateNack(m);
  });
  peer_.On<msg::Restate>([this](const auto& m, const std::string& t) {
    store_service_->OnRestate(m, topics_.Parse(t).from);
  });
  down_.On<msg::Ack>([this](const auto& m, const auto&) { shipper_->OnAck(m); });
  down_.On<msg::Throttle>([this](const auto& m, const auto&) { shipper_->OnThrottle(m); });
  down_.On<msg::Refused>([this](const auto& m, const auto&) { shipper_->OnRefused(m); });
  down_.On<msg::ResultNote>([this](const auto& m, const auto&) { results_.OnResultNote(m); });
  down_.On<msg::Settings>([this](const auto& m, const auto&) { settings_.OnSettings(m); });
  down_.On<msg::Restate>(
      [this](const auto& m, const auto&) { store_service_->OnRestate(m, peers_.core()); });
  down_.On<msg::Delete>([this](const auto& m, const auto&) { store_service_->OnDelete(m); });
  // The store protocol (store_messages.h): the core's requests to this store.
  down_.On<msg::DigestRequest>([this](const auto& m, const auto&) { store_service_->OnDigest(m); });
  down_.On<msg::Copy>(
      [this](const auto& m, const auto&) { store_service_->OnCopy(m, peers_.core()); });
  down_.On<msg::Get>(
      [this](const auto& m, const auto&) { store_service_->OnGet(m, peers_.core()); });
  down_.On<msg::AnalyzeTask>(
      [this](const auto& m, const auto&) { analysis_->OnTask(m, peers_.core()); });
  members_.On<msg::Members>([this](const auto& m, const auto&) {
    statements_->LearnKeys(m);
    peers_.Update(m, addr_);
    store_service_->OnMembers(m);  // draining: own chunks leave too
    // The core (re)connected: what we told it while it could not hear is lost; say it again.
    const uint64_t was = core_epoch_.exchange(m.epoch);
    if (m.epoch != 0 && was != 0 && was != m.epoch) {
      loop_.Post([this] { store_service_->AnnounceRecentReplicas(); });
    }
  });
  registration_.On<msg::Registered>([this](const auto& m, const auto&) {
    registrar_->OnRegistered(m, addr_);
    // The core knows us: tell it everything this store holds, once per run (it asks with
    // `digest` whenever it wants another). The report's id: wall-clock ms, nonzero.
    if (m.nonce == registrar_->nonce() && !reported_.exchange(true)) {
      store_service_->StartBlockReport(std::max<uint64_t>(1, WallMs()));
    }
  });
  registration_.On<msg::RegistrationRefused>([this](const auto& m, const auto&) {
    if (registrar_->Ours(m.nonce)) {
      spdlog::warn("{}: the core refused our announcement: {}", who_, m.reason);
    }
  });
  transport_->OnMessage([this](const std::string& t, std::string_view p) { Route(t, p); });
  transport_->OnConnect([this](bool up) { OnConnect(up); });
  TERN_RETURN_IF_ERROR(transport_->Subscribe(members_topic_));
  TERN_RETURN_IF_ERROR(transport_->Subscribe(down_topic_));
  TERN_RETURN_IF_ERROR(transport_->Subscribe(topics_.PutTo(o_.name)));
  TERN_RETURN_IF_ERROR(transport_->Subscribe(topics_.PeerTo(o_.name)));
  return transport_->Subscribe(reply_topic_);
}

// Network thread. Statements pass the gate (Statements::Admit) first; a dispatcher counts
// and logs what does not decode; its return value only says whether a handler ran, which
// nobody here needs.
void EdgeAgent::Impl::Route(const std::string& topic, std::string_view payload) {
  const Topics::Parts t = topics_.Parse(topic);
  std::optional<std::string> body;
  if (t.kind == "put" && t.to == o_.name) {
    (void)msg::Guarded(m_, who_, topic, [&] { store_service_->OnPut(t.from, payload); });
  } else if (t.kind == "peer" && t.to == o_.name) {
    if (IsHolder(peers_, t.from, 0, topic, m_, who_) &&
        (body = statements_->Admit(topic, payload, t.from, "peer"))) {
      (void)peer_.Dispatch(topic, *body);
    }
  } else if (topic == down_topic_) {
    if ((body = statements_->Admit(topic, payload, kCoreSender, "down"))) {
      (void)down_.Dispatch(topic, *body);
    }
  } else if (topic == members_topic_) {
    if ((body = statements_->AdmitMembers(topic, payload))) (void)members_.Dispatch(topic, *body);
  } else if (topic == reply_topic_) {
    if ((body = statements_->AdmitReply(topic, payload, /*window=*/true))) {
      (void)registration_.Dispatch(topic, *body);
    }
  } else if (topic_feed_ && topic_feed_->Matches(topic)) {
    (void)msg::Guarded(m_, who_, topic, [&] { topic_feed_->OnMessage(topic, payload); });
  }
}

// Network thread.
void EdgeAgent::Impl::OnConnect(bool up) {
  if (!up) return;
  Announce();  // on every connect: a restarted core or broker learns we are here
  loop_.Post([this] { Heartbeat(); });
  if (!announced_.exchange(true)) loop_.Post([this] { store_service_->AnnounceRecentReplicas(); });
}

void EdgeAgent::Impl::Announce() {
  if (!transport_ || !transport_->connected()) return;
  const std::string text = registrar_->Announcement();
  Status s = text.empty() ? Status::Unavailable("not sealed")
                          : transport_->Publish(topics_.Reg(o_.name), text, 1, false,
                                                std::chrono::milliseconds(0));
  if (!s.ok()) spdlog::warn("{}: announcement not sent: {}", who_, s.ToString());
}

Status EdgeAgent::Impl::AddCollectors() {
  auto add = [this](const SourceSpec& spec) -> Status {
    TERN_ASSIGN_OR_RETURN(auto v, store_->GetMeta("seq/" + spec.name));
    uint64_t rec = 0, chunk = 0;
    if (v) std::istringstream(*v) >> rec >> chunk;
    chunker_->AddSource(spec, rec, chunk);
    return Status::Ok();
  };
  if (o_.synthetic.enabled) {
    TERN_RETURN_IF_ERROR(add({o_.synthetic.source, RecordKind::kSamples, o_.synthetic.priority,
                              static_cast<uint16_t>(o_.synthetic.channels), o_.synthetic.tags}));
    collectors_.push_back(std::make_unique<SyntheticSource>(o_.synthetic, chunker_.get(), &m_));
  }
  if (!o_.dropdir.path.empty()) {
    TERN_RETURN_IF_ERROR(add({o_.dropdir.source, RecordKind::kBlob, o_.dropdir.priority, 0,
                              o_.dropdir.tags, o_.dropdir.codec}));
    collectors_.push_back(std::make_unique<DropDirCollector>(o_.dropdir, chunker_.get(), &m_));
  }
  if (!o_.feed.path.empty() || !o_.feed.topic.empty()) {
    bool csv = o_.feed.format == "csv";
    TERN_RETURN_IF_ERROR(
        add({o_.feed.source, csv ? RecordKind::kSamples : RecordKind::kEvent, o_.feed.priority,
             static_cast<uint16_t>(csv ? o_.feed.channels : 0), o_.feed.tags}));
  }
  if (!o_.feed.path.empty()) {
    collectors_.push_back(std::make_unique<FeedCollector>(o_.feed, chunker_.get(), &m_));
  }
  if (!o_.feed.topic.empty()) {
    auto feed =
        std::make_unique<TopicFeedCollector>(o_.feed, chunker_.get(), &m_, transport_.get());
    TERN_RETURN_IF_ERROR(feed->Subscribe());
    topic_feed_ = feed.get();
    collectors_.push_back(std::move(feed));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- stop

void EdgeAgent::Impl::Stop() {
  if (stop_.exchange(true)) return;
  start_gate_.Cancel();
  for (auto& c : collectors_) c->Stop();
  if (scrubber_) scrubber_->Stop();
  if (analysis_) analysis_->Stop();
  if (chunker_) chunker_->FlushAll();
  // Let the final chunks reach the disk before the goodbye.
  for (int i = 0; store_ && store_->queued() > 0 && i < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Give chunks in flight a moment (1 s: a stop must take under 2 s) to reach the core grade;
  // whatever is left stays in the durable outbox and goes out after the next start.
  for (int i = 0;
       transport_ && transport_->connected() && shipper_ && shipper_->outbox_chunks() > 0 && i < 20;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  loop_.Stop();
  if (transport_ && addr_) {
    // The Last Will itself: the core takes an `offline` only with its number.
    Status s =
        transport_->Publish(topics_.Hb(o_.name), will_, 1, false, std::chrono::milliseconds(500));
    // If it does not go out, the core learns it from the missing heartbeats.
    if (s.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (transport_) transport_->Stop();
  WriteStatus();
  if (statements_) {
    if (Status s = statements_->Persist(); !s.ok()) spdlog::warn("{}: {}", who_, s.ToString());
  }
  store_.reset();  // drains and joins the writer
}

// ---------------------------------------------------------------- reports

void EdgeAgent::Impl::Heartbeat() {
  auto totals = store_->Totals();
  auto disk = DiskSpaceOf(o_.data_dir);
  UpdatePressure(totals.ok() ? totals->second : 0, disk);  // connected or not
  if (!transport_ || !transport_->connected() || addr_ == 0) return;
  msg::Heartbeat hb;
  hb.addr = addr_;
  hb.name = o_.name;
  hb.cpu = cpu_.Sample();
  hb.used = totals.ok() ? totals->second : 0;
  // What the store itself holds (ternctl report shows it for a draining node).
  if (totals.ok()) m_.Set("store_chunks", totals->first);
  hb.dedup_saved = store_->Dedup().saved_bytes;  // also in status.json as the gauge below
  m_.Set("store_dedup_saved_bytes", hb.dedup_saved);
  if (disk.ok()) {  // the filesystem, for the disk-fill alert
    m_.Set("disk_free_bytes", static_cast<int64_t>(disk->avail_bytes));
    m_.Set("disk_size_bytes", static_cast<int64_t>(disk->total_bytes));
  }
  hb.capacity = o_.capacity_bytes;
  hb.zone = o_.zone;  // node.zone: the core reads from holders in its own zone first
  hb.queue = shipper_->outbox_chunks();
  hb.outbox_bytes = shipper_->outbox_bytes();
  // In memory, so it is current even when status.json on the full disk cannot be written.
  hb.disk_full = shipper_->disk_full();
  hb.pressure = pressure_.level();
  hb.counters = m_.Snapshot();
  hb.wall_ms = WallMs();  // the core compares it with its own clock (clock.max_skew)
  // So the core knows each chunk's placement key (repair and the co-location figure).
  hb.placement_window_ms = static_cast<uint64_t>(o_.placement_window_ms);
  hb.groups = PlacementGroups(o_);
  // Not retried: the next heartbeat follows within heartbeat.interval.
  auto text = statements_->sealer()->Seal(topics_.Hb(o_.name), hb.Encode());
  if (text.ok()) {
    (void)transport_->Publish(topics_.Hb(o_.name), *text, 1, false, std::chrono::milliseconds(0));
  } else {
    m_.Add("seal_errors");
  }
  // The replay windows go to the store at the heartbeat's pace, not per message.
  if (Status s = statements_->Persist(); !s.ok()) {
    m_.Add("local_store_errors");
    if (auto more = persist_log_.Pass()) {
      spdlog::warn("{}: replay windows not saved: {}{}", who_, s.ToString(),
                   LogThrottle::MoreSince(*more));
    }
  }
}

void EdgeAgent::Impl::UpdatePressure(int64_t used, const Result<DiskSpace>& disk) {
  double fill = o_.capacity_bytes > 0
                    ? static_cast<double>(used) / static_cast<double>(o_.capacity_bytes)
                    : 0.0;
  if (disk.ok()) fill = std::max(fill, disk->UsedShare());
  (void)pressure_.Update(fill, shipper_ && shipper_->disk_full());
}

nlohmann::json EdgeAgent::Impl::StatusJson() const {
  nlohmann::json j;
  j["name"] = o_.name;
  j["addr"] = addr_.load();
  j["boot"] = boot_;
  j["connected"] = transport_ && transport_->connected();
  j["outbox_chunks"] = shipper_ ? shipper_->outbox_chunks() : 0;
  j["outbox_bytes"] = shipper_ ? shipper_->outbox_bytes() : 0;
  j["disk_full"] = shipper_ && shipper_->disk_full();
  j["pressure"] = PressureName(pressure_.level());
  j["store_fill"] = pressure_.fill();
  j["live_peers"] = peers_.LiveCount();
  j["dedup_saved_bytes"] = store_ ? store_->Dedup().saved_bytes : 0;  // body_store.h
  const std::string blocked = shipper_ ? shipper_->blocked_reason() : "not started";
  j["replication_blocked"] = !blocked.empty();
  j["replication_blocked_reason"] = blocked;
  j["settings"] = settings_.ToJson();
  j["latest_results"] = results_.Results();
  j["latest_alarms"] = results_.Alarms();
  j["counters"] = m_.Snapshot();
  j["grades"] = grades_.ToJson();
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
  if (!opts.transport) return Status::InvalidArgument("EdgeOptions.transport is not set");
  return std::unique_ptr<EdgeAgent>(new EdgeAgent(std::make_unique<Impl>(opts)));
}
EdgeAgent::EdgeAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EdgeAgent::~EdgeAgent() { Stop(); }
Status EdgeAgent::Start() { return impl_->Start(); }
void EdgeAgent::CancelStart() { impl_->CancelStart(); }
void EdgeAgent::StopCollecting() { impl_->StopCollecting(); }
void EdgeAgent::Stop() { impl_->Stop(); }
nlohmann::json EdgeAgent::StatusJson() const { return impl_->StatusJson(); }
Metrics& EdgeAgent::metrics() { return impl_->m_; }
uint32_t EdgeAgent::addr() const { return impl_->addr_; }

}  // namespace tern::edge
