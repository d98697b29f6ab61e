// Core: the wiring of the core's parts. Each part lives in its own file with its own test:
//   CommitWorker    the one thread writing core.db: batches, one transaction, publish after commit
//   Registrar       reg/<name>: permanent addresses
//   Membership      heartbeats, Last Wills, liveness, the member list
//   SettingsBook    per-edge settings, reloaded and announced when ternctl changes them
//   UplinkGate      up/<name>: permission, byte-rate limit, spool
//   HolderLedger    stored/<name>: holders; settles touched chunks with AckPolicy
//   AckPolicy       acks and excess copies, as decisions
//   ProcessingLoop  scheduler + processing thread
//   ResultBuilder   processor outputs -> result chunks, rows and notes
//   ResultPlacer    result chunks onto three stores (restate after a restart, put_nack)
//   StatusReporter  status.json and the status the HTTP API and the board read
// Inbound JSON goes through one msg::Dispatcher per topic kind; binary uplinks run inside
// msg::Guarded. Handlers are named On<MessageType>.
#include "tern/core/core.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "ack_policy.h"
#include "board_control.h"
#include "commit_worker.h"
#include "holder_ledger.h"
#include "membership.h"
#include "processing_loop.h"
#include "registrar.h"
#include "result_builder.h"
#include "result_placer.h"
#include "settings_book.h"
#include "status_reporter.h"
#include "tern/common/dispatch.h"
#include "tern/common/hlc.h"
#include "tern/common/mqtt.h"
#include "tern/core/http_api.h"
#include "tern/core/manifest.h"
#include "uplink_gate.h"

namespace tern::core {
namespace {
constexpr uint64_t kLivenessEveryMs = 250;  // liveness and settings-version checks
}  // namespace

class Core::Impl {
 public:
  explicit Impl(CoreOptions o)
      : o_(std::move(o)),
        topics_(o_.topic_prefix),
        members_(o_.suspect_after_ms, o_.dead_after_ms),
        reg_(&m_, "core", "register"),
        hb_(&m_, "core", "hb"),
        stored_(&m_, "core", "stored"),
        peer_(&m_, "core", "peer") {}
  Status Start();
  void Stop();
  nlohmann::json StatusJson() const { return status_ ? status_->Json() : nlohmann::json(); }
  Metrics m_;

 private:
  Status OpenState();
  Status Connect();
  Status StartServices();
  void Route();

  // CommitWorker hooks (worker thread, inside / after the transaction).
  void OnMessage(const std::string& topic, const std::string& payload, Batch& b);
  void BeforeCommit(Batch& b, uint64_t now);
  void AfterCommit(uint64_t now);

  // Handlers (worker thread, inside the transaction; for messages, batch_ is the open batch).
  void OnRegister(const RegisterRequest& r, const std::string& topic);
  void OnHeartbeat(const msg::Heartbeat& hb, const std::string& topic);
  void OnOffline(const msg::Offline& off, const std::string& topic);
  void OnUplink(const std::string& topic, std::string_view payload);
  void OnProcessed(const ChunkId& id, const ChunkHeader& h,
                   const std::vector<ProcessorOutput>& outs, Batch& b);

  // The registered address of the node named in `topic` as its publisher; 0 for a stranger.
  uint32_t SenderOf(const std::string& topic) const {
    return members_.AddrOf(topics_.Parse(topic).from);
  }
  void RecordState(const std::optional<StateChange>& c);
  void ApplyWeights(const std::vector<std::pair<uint32_t, int>>& weights);
  void ReportStatus();

  CoreOptions o_;
  Topics topics_;
  uint32_t core_addr_ = 0;  // the core's own registry entry: origin of result chunks
  std::unique_ptr<Manifest> db_;
  std::unique_ptr<Transport> transport_;
  Membership members_;
  std::unique_ptr<SettingsBook> settings_;
  std::unique_ptr<ProcessingLoop> processing_;
  std::unique_ptr<AckPolicy> acks_;
  std::unique_ptr<ResultPlacer> placer_;
  std::unique_ptr<HolderLedger> ledger_;
  std::unique_ptr<Registrar> registrar_;
  std::unique_ptr<UplinkGate> gate_;
  std::unique_ptr<ResultBuilder> builder_;
  std::unique_ptr<StatusReporter> status_;
  std::unique_ptr<CommitWorker> worker_;
  std::unique_ptr<HttpApi> http_;
  std::unique_ptr<BoardControl> board_;
  msg::Dispatcher reg_, hb_, stored_, peer_;
  Batch* batch_ = nullptr;  // the open turn's batch while its messages are dispatched
  uint64_t last_live_ms_ = 0, last_status_ms_ = 0;
  int http_port_ = -1;
  bool started_ = false;
  std::atomic<bool> stopped_{false};
};

Status Core::Impl::Start() {
  TERN_RETURN_IF_ERROR(OpenState());
  TERN_RETURN_IF_ERROR(Connect());
  TERN_RETURN_IF_ERROR(StartServices());
  worker_->Start();
  TERN_RETURN_IF_ERROR(processing_->Start(
      o_.data_dir + "/core.db",
      [this](const ChunkId& id, const ChunkHeader& h, std::vector<ProcessorOutput> outs) {
        worker_->Post(
            [this, id, h, outs = std::move(outs)](Batch& b) { OnProcessed(id, h, outs, b); });
      },
      [this](const ChunkId& id) {
        worker_->Post([this, id](Batch&) {
          // Unspooled or not, the chunk is never processed: it does not decode.
          if (Status s = db_->Unspool(id); !s.ok()) m_.Add("manifest_errors");
        });
      }));
  TERN_RETURN_IF_ERROR(transport_->Start());
  started_ = true;
  spdlog::info("core {} started: {} known nodes, db {}", o_.name, members_.members().size(),
               o_.data_dir + "/core.db");
  return Status::Ok();
}

// core.db, the core's own registry entry, and everything a restart carries over.
Status Core::Impl::OpenState() {
  std::error_code ec;
  std::filesystem::create_directories(o_.data_dir, ec);
  if (ec) return Status::IoError("data dir " + o_.data_dir + ": " + ec.message());
  TERN_ASSIGN_OR_RETURN(db_, Manifest::Open(o_.data_dir + "/core.db"));
  TERN_RETURN_IF_ERROR(db_->Begin());
  TERN_ASSIGN_OR_RETURN(core_addr_, db_->Register(o_.name, "", 0));  // empty path: not a store
  TERN_RETURN_IF_ERROR(db_->Commit());
  members_.SetCoreName(o_.name);
  TERN_ASSIGN_OR_RETURN(auto nodes, db_->Nodes());
  for (const auto& n : nodes) {
    if (n.addr != core_addr_) members_.Add(n.addr, n.name);  // state unknown until heard
  }
  TERN_ASSIGN_OR_RETURN(processing_, ProcessingLoop::Create(o_.sched, o_.processing, &m_));
  settings_ = std::make_unique<SettingsBook>(db_.get(), topics_, &m_);
  ApplyWeights(settings_->Reload(members_, /*announce=*/false).weights);
  acks_ = std::make_unique<AckPolicy>(o_.copies, core_addr_, topics_, &m_, &members_);
  placer_ =
      std::make_unique<ResultPlacer>(o_.copies, o_.result_timeout_ms, core_addr_, topics_, &m_);
  ledger_ = std::make_unique<HolderLedger>(db_.get(), &members_, acks_.get(), placer_.get(), &m_);
  registrar_ =
      std::make_unique<Registrar>(o_.name, topics_, db_.get(), &members_, settings_.get(), &m_);
  gate_ = std::make_unique<UplinkGate>(topics_, db_.get(), &members_, settings_.get(), &m_);
  builder_ = std::make_unique<ResultBuilder>(core_addr_, topics_, db_.get(), &m_);
  status_ = std::make_unique<StatusReporter>(o_.data_dir + "/status.json", &m_);
  TERN_ASSIGN_OR_RETURN(auto spooled, db_->SpoolIndex());
  for (const auto& e : spooled) processing_->Schedule(e);
  TERN_ASSIGN_OR_RETURN(auto unplaced, db_->UnplacedResults());
  for (auto& [id, wire] : unplaced) placer_->Recover(id, std::move(wire));
  if (!spooled.empty() || !unplaced.empty()) {
    spdlog::info("core: {} spooled chunks queued again, {} results still being placed",
                 spooled.size(), unplaced.size());
  }
  return Status::Ok();
}

// The transport, the commit worker fed by it, the dispatchers and the subscriptions.
Status Core::Impl::Connect() {
  MqttOptions mo;
  mo.host = o_.mqtt_host;
  mo.port = o_.mqtt_port;
  mo.client_id = "core-" + o_.name;
  mo.max_inflight = o_.mqtt_max_inflight;
  TERN_ASSIGN_OR_RETURN(transport_, o_.transport(mo));
  CommitWorkerOptions wo;
  wo.commit_tick_ms = o_.commit_tick_ms;
  TransactionOps txn{[this] { return db_->Begin(); }, [this] { return db_->Commit(); },
                     [this] { return db_->Rollback(); }};
  CommitWorker::Hooks hooks{
      [this](const std::string& t, const std::string& p, Batch& b) { OnMessage(t, p, b); },
      [this](Batch& b, uint64_t now) { BeforeCommit(b, now); },
      [this](uint64_t now) { AfterCommit(now); }};
  worker_ =
      std::make_unique<CommitWorker>(wo, std::move(txn), transport_.get(), &m_, std::move(hooks));
  transport_->OnMessage(
      [this](const std::string& t, std::string_view p) { worker_->Enqueue(t, p); });
  transport_->OnConnect([this](bool up) {
    if (!up) return;
    // Silence while *we* were cut off says nothing about the nodes: restart their clocks
    // (which also republishes the retained member list after a broker restart).
    worker_->Post([this](Batch&) { members_.RestartClocks(MonotonicMs()); });
  });
  Route();
  for (const auto& t : {topics_.RegAll(), topics_.UpAll(), topics_.StoredAll(), topics_.HbAll(),
                        topics_.PeerTo(o_.name)}) {
    TERN_RETURN_IF_ERROR(transport_->Subscribe(t));
  }
  return Status::Ok();
}

void Core::Impl::Route() {
  reg_.On<RegisterRequest>(
      [this](const RegisterRequest& r, const std::string& t) { OnRegister(r, t); });
  hb_.On<msg::Heartbeat>(
      [this](const msg::Heartbeat& h, const std::string& t) { OnHeartbeat(h, t); });
  hb_.On<msg::Offline>([this](const msg::Offline& o, const std::string& t) { OnOffline(o, t); });
  stored_.On<msg::Stored>([this](const msg::Stored& n, const std::string& t) {
    ledger_->OnStored(n, SenderOf(t), t, *batch_);
  });
  stored_.On<msg::Dropped>([this](const msg::Dropped& d, const std::string& t) {
    ledger_->OnDropped(d, SenderOf(t), t);
  });
  // Replies to the core's own puts (result copies). A put_ack or restate_nack changes nothing:
  // the store's `stored` notice is what puts it in the manifest.
  peer_.On<msg::PutNack>([this](const msg::PutNack& n, const std::string& t) {
    if (n.holder != SenderOf(t)) {
      return msg::Reject(m_, "core", "peer", "put_nack for another holder on " + t);
    }
    placer_->OnPutNack(n);
  });
  peer_.On<msg::PutAck>([](const msg::PutAck&, const std::string&) {});
  peer_.On<msg::RestateNack>([](const msg::RestateNack&, const std::string&) {});
}

Status Core::Impl::StartServices() {
  if (o_.http_port >= 0) {
    HttpApiOptions ho;
    ho.bind = o_.http_bind;
    ho.port = o_.http_port;
    ho.core_db = o_.data_dir + "/core.db";
    HttpApiSources hs;
    hs.status = [this] { return StatusJson(); };
    hs.scheduler = [this] { return processing_->Snapshot(WallMs()); };
    TERN_ASSIGN_OR_RETURN(http_, HttpApi::Start(ho, hs));
    http_port_ = http_->port();
    spdlog::info("core: HTTP API on http://{}:{}/api/v1/ (metrics: /metrics)", o_.http_bind,
                 http_port_);
  }
  if (o_.board_mode != "off") {
    auto view = [this] {
      BoardView v;
      v.alarms = m_.Get("alarms");
      v.live_edges = status_->live_mask();
      v.edge_down = status_->edge_down();
      v.queued = processing_->queued();
      v.connected = transport_->connected();
      return v;
    };
    TERN_ASSIGN_OR_RETURN(board_, BoardControl::Start(o_.board_mode, view, &m_));
  }
  return Status::Ok();
}

void Core::Impl::Stop() {
  if (stopped_.exchange(true)) return;
  if (http_) http_->Stop();
  if (board_) board_->Stop();
  if (processing_) processing_->Stop();
  if (worker_) worker_->Stop();
  if (transport_) transport_->Stop();
  if (started_) ReportStatus();
}

void Core::Impl::OnMessage(const std::string& topic, const std::string& payload, Batch& b) {
  batch_ = &b;
  const Topics::Parts t = topics_.Parse(topic);
  if (t.kind == "up" && !t.from.empty()) {
    msg::Guarded(m_, "core", topic, [&] { OnUplink(topic, payload); });
  } else if (t.kind == "stored" && !t.from.empty()) {
    stored_.Dispatch(topic, payload);
  } else if (t.kind == "peer" && t.to == o_.name) {
    peer_.Dispatch(topic, payload);
  } else if (t.kind == "hb" && !t.from.empty()) {
    hb_.Dispatch(topic, payload);
  } else if (t.kind == "reg" && !t.from.empty()) {
    reg_.Dispatch(topic, payload);
  } else {
    msg::Reject(m_, "core", "unknown", "topic " + topic);
  }
  batch_ = nullptr;
}

void Core::Impl::BeforeCommit(Batch& b, uint64_t now) {
  ledger_->Settle(b, now);
  if (now - last_live_ms_ >= kLivenessEveryMs) {
    // No news is not bad news while the core itself is cut off.
    if (transport_->connected()) {
      for (const auto& c : members_.CheckLiveness(now)) RecordState(c);
    }
    auto u = settings_->Reload(members_, /*announce=*/true);
    ApplyWeights(u.weights);
    b.PublishAll(std::move(u.announcements));
    last_live_ms_ = now;
  }
  if (transport_->connected()) {
    b.PublishAll(placer_->Tick(now, members_, [this](const ChunkId& id) {
      auto h = db_->Holders(id);
      return h.ok() ? *h : std::vector<uint32_t>();
    }));
  }
}

void Core::Impl::AfterCommit(uint64_t now) {
  if (members_.PublishDue(now, static_cast<uint64_t>(o_.members_interval_ms))) {
    // Retained; on failure it stays due and goes out next turn.
    if (transport_->Publish(topics_.Members(), members_.ToMessage().Encode(), 1, true).ok()) {
      members_.Published(now);
    }
  }
  if (now - last_status_ms_ >= static_cast<uint64_t>(o_.status_ms)) {
    ReportStatus();
    last_status_ms_ = now;
  }
}

void Core::Impl::OnRegister(const RegisterRequest& r, const std::string& topic) {
  auto o = registrar_->OnRegister(r, topic);
  if (o.reply) batch_->Publish(std::move(*o.reply));
  if (o.weight) ApplyWeights({{o.addr, *o.weight}});
}

void Core::Impl::OnHeartbeat(const msg::Heartbeat& hb, const std::string& topic) {
  const uint32_t addr = SenderOf(topic);  // the topic, not the body, says who it is
  if (!members_.Contains(addr))
    return msg::Reject(m_, "core", "hb", "unregistered address on " + topic);
  RecordState(members_.OnHeartbeat(addr, hb, MonotonicMs()));
}

void Core::Impl::OnOffline(const msg::Offline&, const std::string& topic) {
  const uint32_t addr = SenderOf(topic);
  if (!members_.Contains(addr))
    return msg::Reject(m_, "core", "hb", "unregistered address on " + topic);
  RecordState(members_.OnOffline(addr));
}

void Core::Impl::OnUplink(const std::string& topic, std::string_view payload) {
  auto o = gate_->OnUplink(topic, payload, MonotonicMs());
  if (o.reply) batch_->Publish(std::move(*o.reply));
  if (o.accepted) batch_->Touch(*o.accepted, /*reack=*/true);
  if (o.spooled) batch_->AfterCommit([this, e = *o.spooled] { processing_->Schedule(e); });
}

void Core::Impl::OnProcessed(const ChunkId& id, const ChunkHeader& h,
                             const std::vector<ProcessorOutput>& outs, Batch& b) {
  auto r = builder_->OnProcessed(id, h, outs, members_.NameOf(h.origin));
  for (auto& row : r.results) placer_->Add(row.id, std::move(row.wire), h.origin);
  // Tell the edge, and anyone outside, once the transaction holding the results commits.
  b.PublishAll(std::move(r.notes));
}

// The state column in core.db is informational (ternctl nodes); a failed write is counted.
void Core::Impl::RecordState(const std::optional<StateChange>& c) {
  if (!c) return;
  Status s =
      db_->SetNodeState(c->addr, std::string(NodeStateName(c->to)), static_cast<int64_t>(WallMs()));
  if (!s.ok()) m_.Add("manifest_errors");
}

void Core::Impl::ApplyWeights(const std::vector<std::pair<uint32_t, int>>& weights) {
  for (const auto& [addr, weight] : weights) {
    if (Status s = processing_->SetEdgeWeight(addr, weight); !s.ok()) {
      spdlog::warn("core: scheduler weight of node {}: {}", addr, s.ToString());
    }
  }
}

void Core::Impl::ReportStatus() {
  StatusFacts f;
  f.name = o_.name;
  f.connected = transport_ && transport_->connected();
  f.addr = core_addr_;
  f.http_port = http_port_;
  auto spool = db_->SpoolDepth();
  auto chunks = db_->ChunkCount();
  f.spool_depth = spool.ok() ? *spool : -1;
  f.manifest_chunks = chunks.ok() ? *chunks : -1;
  f.results_placing = placer_->size();
  f.excess_pending = acks_->excess_pending();
  f.scheduler = processing_->StatusJson();
  f.nodes = members_.ToStatusJson();
  if (board_) f.board = board_->Snapshot();
  f.live_mask = members_.LiveMask();
  f.edge_down = members_.AnyDown();
  status_->Report(f);
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
