// Core: the wiring of the core's parts. Each part lives in its own file with its own test:
//   CommitWorker    the one thread writing core.db: batches, one transaction, publish after commit
//   Registrar       reg/<name>: permanent addresses
//   Membership      heartbeats, Last Wills, liveness, the member list
//   BrokerHearing   the echo through the broker that gates liveness
//   SettingsBook    per-edge settings, reloaded and announced when ternctl changes them
//   UplinkGate      up/<name>: permission, byte-rate limit, spool
//   HolderLedger    stored/<name>: holders; settles touched chunks with AckPolicy
//   AckPolicy       acks and excess copies, as decisions
//   ProcessingLoop  scheduler + processing thread
//   ResultBuilder   processor outputs -> result chunks, rows and notes
//   ResultPlacer    result chunks onto three stores (restate after a restart, put_nack)
//   BoardRecorder   the control board's events -> chunks of source `board`, placed like results
//   StatusReporter  status.json and the status the HTTP API and the board read
//   StatementGate   seq and replay check of every inbound statement (a Sealer seals ours)
// Inbound JSON goes through one msg::Dispatcher per topic kind; binary uplinks run inside
// msg::Guarded. Handlers are named On<MessageType>.
// The class and its members are in core_impl.h; the message handlers in core_handlers.cpp.
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>

#include "core_counters.h"
#include "core_impl.h"
#include "tern/core/http_tokens.h"

namespace tern::core {

Status Core::Impl::Start() {
  DeclareCoreCounters(m_);  // the documented ones read 0 from the first scrape
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
  TERN_ASSIGN_OR_RETURN(core_addr_, db_->Register(o_.name, 0, /*store=*/false));
  TERN_RETURN_IF_ERROR(db_->Commit());
  members_.SetCoreName(o_.name);
  if (o_.security_mode == SecurityMode::kPki) {
    TERN_ASSIGN_OR_RETURN(identity_, NodeIdentity::Load(o_.name, crypto::Role::kCore, o_.tls_ca,
                                                        o_.tls_cert, o_.tls_key, o_.tls_crl));
  }
  statements_ =
      std::make_unique<StatementGate>(&db_->statements(), &members_, &m_, identity_.get());
  TERN_RETURN_IF_ERROR(statements_->Load());
  TERN_ASSIGN_OR_RETURN(seq_, SeqCounter::Open(&db_->statements(), kSeqBlock, SeqFloorNow()));
  sealer_ = std::make_unique<Sealer>(seq_.get(), identity_ ? &identity_->key() : nullptr);
  TERN_ASSIGN_OR_RETURN(auto nodes, db_->Nodes());
  for (const auto& n : nodes) {
    if (n.addr == core_addr_) continue;
    members_.Add(n.addr, n.name);  // state unknown until heard
    if (n.draining) members_.SetDraining(n.addr, true);
    if (identity_ && !n.pubkey.empty()) {
      auto key = crypto::PublicKey::FromHex(n.pubkey);
      if (!key.ok()) return key.status().WithContext("enrolled key of '" + n.name + "' in core.db");
      members_.SetKey(n.addr, *key);
    }
  }
  TERN_ASSIGN_OR_RETURN(processing_, ProcessingLoop::Create(o_.sched, o_.processing, &m_));
  settings_ = std::make_unique<SettingsBook>(db_.get(), topics_, &m_);
  ApplyWeights(settings_->Reload(members_, /*announce=*/false).weights);
  acks_ = std::make_unique<AckPolicy>(o_.copies, core_addr_, topics_, &m_, &members_);
  placer_ = std::make_unique<ResultPlacer>(o_.copies, o_.result_timeout_ms, core_addr_, topics_,
                                           &m_, sealer_.get());
  ledger_ = std::make_unique<HolderLedger>(db_.get(), &members_, acks_.get(), placer_.get(), &m_);
  ReconcileOptions ro;
  ro.interval_ms = static_cast<uint64_t>(o_.reconcile_interval_ms);
  reconciler_ = std::make_unique<Reconciler>(ro, core_addr_, topics_, db_.get(), &members_, &m_);
  RepairOptions rp;
  rp.copies = o_.copies;
  rp.max_streams = o_.repair_max_streams;
  rp.max_bytes_per_s = o_.repair_max_bytes_per_s;
  rp.copy_timeout_ms = static_cast<uint64_t>(o_.repair_copy_timeout_ms);
  repairer_ =
      std::make_unique<Repairer>(rp, core_addr_, topics_, &members_, &m_,
                                 [this](const ChunkId& id) { return placer_->placing(id); });
  repairer_->SetPlacement([this](const ChunkRecord& r) { return placement_.KeyOf(r); });
  registrar_ = std::make_unique<Registrar>(o_.name, topics_, db_.get(), &members_, settings_.get(),
                                           &m_, identity_.get());
  gate_ = std::make_unique<UplinkGate>(topics_, db_.get(), &members_, settings_.get(), &m_,
                                       identity_ != nullptr);
  builder_ = std::make_unique<ResultBuilder>(core_addr_, topics_, db_.get(), &m_);
  status_ = std::make_unique<StatusReporter>(o_.data_dir + "/status.json", &m_);
  TERN_ASSIGN_OR_RETURN(auto spooled, db_->SpoolIndex());
  for (const auto& e : spooled) processing_->Schedule(e);
  TERN_ASSIGN_OR_RETURN(auto unplaced, db_->UnplacedResults());
  TERN_ASSIGN_OR_RETURN(auto own, db_->own_chunks().Unplaced());  // the board's chunks
  for (auto& c : own) unplaced.push_back(std::move(c));
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
  mo.brokers = o_.mqtt_brokers;
  mo.client_id = o_.name;  // the node name, as in its certificate (docs/security.md)
  mo.max_inflight = o_.mqtt_max_inflight;
  UseTls(&mo, o_.security_mode, o_.tls_ca, o_.tls_cert, o_.tls_key);
  mo.metrics = &m_;
  TERN_ASSIGN_OR_RETURN(transport_, o_.transport(mo));
  CommitWorkerOptions wo;
  wo.commit_tick_ms = o_.commit_tick_ms;
  TransactionOps txn{[this] { return db_->Begin(); }, [this] { return db_->Commit(); },
                     [this] { return db_->Rollback(); }};
  CommitWorker::Hooks hooks{
      [this](const std::string& t, const std::string& p, Batch& b) { OnMessage(t, p, b); },
      [this](Batch& b, uint64_t now) { BeforeCommit(b, now); },
      [this](uint64_t now) { AfterCommit(now); }, [this](const Outgoing& m) { return Seal(m); }};
  worker_ =
      std::make_unique<CommitWorker>(wo, std::move(txn), transport_.get(), &m_, std::move(hooks));
  echo_topic_ = topics_.Echo(o_.name);
  transport_->OnMessage([this](const std::string& t, std::string_view p) {
    // The echo is timed here, not behind the worker's queue: it measures the broker.
    if (t == echo_topic_) return hearing_.OnEcho(p, MonotonicMs());
    worker_->Enqueue(t, p);
  });
  transport_->OnConnect([this](bool up) {
    if (!up) return;
    // Silence while *we* were cut off says nothing about the nodes: restart their clocks
    // (which also republishes the retained member list after a broker restart).
    worker_->Post([this](Batch&) {
      members_.RestartClocks(MonotonicMs());
      members_.NewEpoch(WallMs());
    });
  });
  Route();
  for (const auto& t : {topics_.RegAll(), topics_.UpAll(), topics_.StoredAll(), topics_.HbAll(),
                        topics_.PeerTo(o_.name), echo_topic_}) {
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
    OnStoredForRepair(n, SenderOf(t));
  });
  stored_.On<msg::Dropped>([this](const msg::Dropped& d, const std::string& t) {
    ledger_->OnDropped(d, SenderOf(t), t, *batch_);
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
  peer_.On<msg::AnalyzeAnswer>([this](const msg::AnalyzeAnswer& a, const std::string& t) {
    OnAnalyzeAnswer(a, topics_.Parse(t).from);
  });
  peer_.On<msg::GetNack>([this](const msg::GetNack& n, const std::string& t) {
    if (fetcher_) fetcher_->OnGetNack(n, topics_.Parse(t).from);
  });
  RouteRepair();  // block reports, corrupt notices, restate and copy answers
}

Status Core::Impl::StartServices() {
  // The board first: the HTTP API serves it (GET /api/v1/board) from its first request.
  TERN_RETURN_IF_ERROR(StartBoard());
  if (o_.http_port >= 0) {
    HttpApiOptions ho;
    ho.bind = o_.http_bind;
    ho.port = o_.http_port;
    ho.core_db = o_.data_dir + "/core.db";
    ho.auth = o_.http_auth;
    ho.tokens_file = TokenBook::PathIn(o_.data_dir);
    ho.tls_cert = o_.http_tls_cert;
    ho.tls_key = o_.http_tls_key;
    ho.client_ca = o_.http_client_ca;
    ho.max_concurrent_per_client = o_.http_max_concurrent_per_client;
    ho.request_timeout_ms = o_.http_request_timeout_ms;
    ho.metrics = &m_;
    HttpApiSources hs;
    hs.status = [this] { return StatusJson(); };
    hs.scheduler = [this] { return processing_->Snapshot(WallMs()); };
    cache_ = std::make_unique<ChunkCache>(o_.cache_max_bytes, &m_);
    ChunkFetcherDeps fd;  // reads from the spool, the cache or the nearest live holder
    fd.where = ChunkFetcher::ManifestWhere(o_.data_dir + "/core.db");
    fd.live = ChunkFetcher::LiveFromStatus([this] { return StatusJson(); });
    fd.send = [this](const std::string& t, const std::string& p) { PublishLater(t, p); };
    fd.down_prefix = topics_.Down("");
    fd.core_name = o_.name;
    fd.zone = o_.zone;
    fd.cache = cache_.get();
    fd.metrics = &m_;
    fetcher_ = std::make_unique<ChunkFetcher>(std::move(fd));
    hs.chunk_bytes = [this](const std::string& id) -> Result<std::pair<std::string, std::string>> {
      TERN_ASSIGN_OR_RETURN(FetchedBytes f, fetcher_->Fetch(id));
      return std::make_pair(std::move(f.wire), std::move(f.holder));
    };
    hs.report = [this] { return ReportDoc(); };
    hs.repair = [this] { return RepairDoc(); };
    hs.verify = [this](bool rehash) { return Verify(rehash); };
    hs.analyze = [this](const nlohmann::json& body) { return Analyze(body); };
    hs.node_action = [this](const std::string& action, const std::string& name) {
      return NodeAction(action, name);
    };
    hs.board = [this] { return board_.get(); };
    hs.health = [this]() -> std::string {  // GET /healthz
      if (!transport_->connected()) return "broker link down (not connected)";
      // Connected is not enough: a stalled broker keeps the socket open (broker_hearing.h).
      if (!hearing_.heard()) return "broker link down (the core's echo does not come back)";
      return worker_->Problem(MonotonicMs());
    };
    TERN_ASSIGN_OR_RETURN(http_, HttpApi::Start(ho, hs));
    http_port_ = http_->port();
    spdlog::info("core: HTTP API on {}://{}:{}/api/v1/ (metrics: /metrics), {}",
                 ho.tls_cert.empty() ? "http" : "https", o_.http_bind, http_port_,
                 http_->AuthSummary());
  }
  return Status::Ok();
}

Status Core::Impl::StartBoard() {
  if (o_.board_mode != "off") {
    auto view = [this] {
      BoardView v;
      v.alarms = m_.Get("alarms");
      v.live_edges = status_->live_mask();
      v.edge_down = status_->edge_down();
      v.uplinks = m_.Get("uplinks");
      v.store_fill_permille = status_->store_fill_permille();
      v.queued = processing_->queued();
      v.connected = transport_->connected();
      return v;
    };
    BoardOptions bo;
    bo.mode = o_.board_mode;
    bo.over_temp_c = o_.board_over_temp_c;
    bo.over_temp_clear_c = o_.board_over_temp_clear_c;
    bo.sim_ambient_c = o_.board_sim_ambient_c;
    bo.sim_thermal_tau_ms = o_.board_sim_thermal_tau_ms;
    bo.meter_ingest_full = o_.board_meter_ingest_full;
    bo.gpio_chip = o_.board_gpio_chip;
    bo.gpio_lines = o_.board_gpio_lines;
    bo.gpio_half_bit = std::chrono::nanoseconds(o_.board_gpio_half_bit_ns);
    // Cabinet alarms go out like the analysis alarms, on x/alarms (core/cabinet).
    auto alarms = [this, topic = topics_.Export("alarms/core/cabinet")](const std::string& p) {
      PublishLater(topic, p);
    };
    // Backup power (power_fail.h): the gate is held on the worker, and the checkpoint is the
    // commit of the turn that holds it.
    PowerFailActions pa;
    pa.hold_uplinks = [this](bool hold, std::function<void()> committed) {
      worker_->Post([this, hold, committed = std::move(committed)](Batch& b) {
        gate_->Hold(hold);
        if (committed) b.AfterCommit(committed);
      });
    };
    power_ = std::make_unique<PowerFailPolicy>(o_.board_holdup_ms,
                                               o_.data_dir + "/power-checkpoint.json", &m_,
                                               std::move(pa), [] { return MonotonicMs(); });
    BoardHooks hooks;
    hooks.power = [this](bool failed) { power_->OnPower(failed); };
    // The safe-stop button takes the same path as SIGTERM: tern-core's main (RunDaemon)
    // hears the signal and stops the core in order.
    hooks.safe_stop = [] { std::raise(SIGTERM); };
    hooks.power_status = [this] {
      power_->Tick();
      return power_->Json();
    };
    // The board's events become chunks of source `board`, numbered on from the last run's.
    TERN_ASSIGN_OR_RETURN(OwnSourceMarks marks, db_->own_chunks().Marks(BoardRecorder::kSource));
    BoardRecorderOptions ro;
    ro.window_ms = o_.board_events_window_ms;
    ro.max_events = static_cast<size_t>(o_.board_events_max);
    board_events_ = std::make_unique<BoardRecorder>(ro, core_addr_, marks, &m_);
    hooks.event = [this](const nlohmann::json& e) { board_events_->Offer(e); };
    TERN_ASSIGN_OR_RETURN(board_, BoardControl::Start(bo, view, &m_, alarms, std::move(hooks)));
  }
  return Status::Ok();
}

void Core::Impl::RecordBoardEvents(Batch& b, bool flush) {
  for (auto& row : board_events_->Seal(flush)) {
    if (Status s = db_->own_chunks().Insert(row); !s.ok()) {
      m_.Add("manifest_errors");
      m_.Add("board_events_dropped", row.records);
      spdlog::error("core: recording board chunk {} ({} events): {}", row.seq, row.records,
                    s.ToString());
      continue;
    }
    b.AfterCommit([this, id = row.id, wire = std::move(row.wire), n = row.records]() mutable {
      m_.Add("board_events", n);
      placer_->Add(id, std::move(wire), /*prefer=*/0);
    });
  }
}

void Core::Impl::Stop() {
  if (stopped_.exchange(true)) return;
  if (http_) http_->Stop();
  if (board_) board_->Stop();
  if (processing_) processing_->Stop();
  if (worker_) worker_->Stop();
  if (board_events_ && started_) {
    // The worker is gone: record what the board said last in a transaction of our own; it is
    // placed on stores after the next start (OwnChunkStore::Unplaced).
    Batch b;
    Status s = db_->Begin();
    if (s.ok()) {
      RecordBoardEvents(b, /*flush=*/true);
      s = db_->Commit();
      if (s.ok()) {
        for (auto& w : b.work()) w();
      } else {
        (void)db_->Rollback();
      }
    }
    if (!s.ok()) spdlog::error("core: recording the last board events at stop: {}", s.ToString());
  }
  if (transport_) transport_->Stop();
  if (started_) ReportStatus();
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
