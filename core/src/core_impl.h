// The core's inside: Core::Impl, the object that owns and wires the core's parts (core.cpp:
// start, connect, stop; core_handlers.cpp: what happens to each message and around each
// commit). Private to core.cpp and core_handlers.cpp.
// Thread-safety: the handlers run on the commit worker's thread; Start/Stop on the owner's.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ack_policy.h"
#include "board_control.h"
#include "board_recorder.h"
#include "broker_hearing.h"
#include "chunk_cache.h"
#include "chunk_fetcher.h"
#include "clock_watch.h"
#include "commit_worker.h"
#include "holder_ledger.h"
#include "membership.h"
#include "placement_book.h"
#include "power_fail.h"
#include "processing_loop.h"
#include "reconciler.h"
#include "registrar.h"
#include "repairer.h"
#include "result_builder.h"
#include "result_placer.h"
#include "settings_book.h"
#include "statement_gate.h"
#include "status_reporter.h"
#include "tern/common/dispatch.h"
#include "tern/common/hlc.h"
#include "tern/common/mqtt.h"
#include "tern/common/node_identity.h"
#include "tern/common/statements.h"
#include "tern/core/core.h"
#include "tern/core/http_api.h"
#include "tern/core/manifest.h"
#include "uplink_gate.h"
#include "verify_round.h"

namespace tern::core {

inline constexpr uint64_t kLivenessEveryMs = 250;  // liveness and settings-version checks
// How long the broker may go without returning the core's echo before liveness pauses: a
// third of membership.suspect_after (at least 100 ms), so a stall is noticed well before
// any node's silence could make it suspect.
inline uint64_t BrokerSilenceBound(int64_t suspect_after_ms) {
  return static_cast<uint64_t>(std::max<int64_t>(suspect_after_ms / 3, 100));
}

class Core::Impl {
 public:
  explicit Impl(CoreOptions o)
      : o_(std::move(o)),
        topics_(o_.topic_prefix),
        members_(o_.suspect_after_ms, o_.dead_after_ms),
        clocks_(o_.max_skew_ms, &m_),
        hearing_(BrokerSilenceBound(o_.suspect_after_ms), &m_),
        reg_(&m_, "core", "register"),
        hb_(&m_, "core", "hb"),
        stored_(&m_, "core", "stored"),
        peer_(&m_, "core", "peer") {}
  Status Start();
  void Stop();
  // Publishes from any thread: through the commit worker, which owns publishing.
  void PublishLater(const std::string& topic, const std::string& payload) {
    worker_->Post([topic, payload](Batch& b) { b.Publish({topic, payload}); });
  }
  nlohmann::json StatusJson() const { return status_ ? status_->Json() : nlohmann::json(); }
  Metrics m_;

  // The HTTP API's repair endpoints (core_repair.cpp); called from HTTP threads, they run
  // their work on the commit worker and wait for it.
  Result<nlohmann::json> ReportDoc();
  Result<nlohmann::json> RepairDoc();
  Result<nlohmann::json> NodeAction(const std::string& action, const std::string& name);
  Result<nlohmann::json> Verify(bool rehash);
  // POST /api/v1/analysis (core_analysis.cpp): an analysis job at the holders; blocks the
  // calling HTTP thread until every window is computed (tasks time out after 60 s).
  Result<nlohmann::json> Analyze(const nlohmann::json& body);

 private:
  Status OpenState();
  Status Connect();
  Status StartServices();
  Status StartBoard();
  void Route();

  // CommitWorker hooks (worker thread, inside / after the transaction).
  void OnMessage(const std::string& topic, const std::string& payload, Batch& b);
  // Through the StatementGate to `d`; admitted_ is the statement while its handler runs.
  void Hear(msg::Dispatcher& d, const std::string& topic, std::string_view payload,
            const std::string& sender);
  // What the core publishes on `m.topic`: statements sealed with the next number.
  std::optional<std::string> Seal(const Outgoing& m);
  void BeforeCommit(Batch& b, uint64_t now);
  // The board's events due now (all: `flush`) into core.db in `b`'s transaction; after the
  // commit they are counted (board_events) and placed like results (core.cpp).
  void RecordBoardEvents(Batch& b, bool flush);
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

  // Repair and reconciliation (core_repair.cpp; worker thread).
  void RouteRepair();
  void OnStoredForRepair(const msg::Stored& n, uint32_t from);
  void Apply(Reconciler::Outcome o);
  // Before the batch settles: a node back from dead has its chunks settled (excess trimmed).
  void TouchReturned(Batch& b);
  // Reconciliation and repair ticks, scans (BeforeCommit, after settling).
  void RepairTurn(Batch& b, uint64_t now);
  // The co-location figure from a full scan's chunks: gauges and /api/v1/report.
  void MeasurePlacement(const std::vector<ChunkRecord>& all);
  void NodeStateChanged(const StateChange& c);
  // A store's answer to an analysis task (any thread): handed to the job waiting for it.
  void OnAnalyzeAnswer(const msg::AnalyzeAnswer& a, const std::string& from);
  // Runs fn on the commit worker inside its next turn and waits (10 s) for its result.
  template <typename T>
  Result<T> OnWorker(std::function<Result<T>(Batch&)> fn) {
    auto p = std::make_shared<std::promise<Result<T>>>();
    auto f = p->get_future();
    worker_->Post([p, fn = std::move(fn)](Batch& b) { p->set_value(fn(b)); });
    if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Status::Unavailable("the core's worker did not answer within 10 s");
    }
    try {
      return f.get();
    } catch (const std::exception&) {  // the worker stopped before it ran the task
      return Status::Unavailable("the core is stopping");
    }
  }
  void ApplyWeights(const std::vector<std::pair<uint32_t, int>>& weights);
  void ReportStatus();

  CoreOptions o_;
  Topics topics_;
  uint32_t core_addr_ = 0;  // the core's own registry entry: origin of result chunks
  std::unique_ptr<Manifest> db_;
  std::unique_ptr<Transport> transport_;
  Membership members_;
  ClockWatch clocks_;  // worker thread
  BrokerHearing hearing_;
  std::string echo_topic_;  // echo/<core>: the core's own echo, back from the broker
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
  std::unique_ptr<ChunkCache> cache_;      // the read cache (cache.max_bytes) of fetcher_
  std::unique_ptr<ChunkFetcher> fetcher_;  // reads for GET /api/v1/chunks/{id}/bytes
  // With a board: its events as `board` chunks. Declared before board_, so it outlives the
  // board thread that feeds it.
  std::unique_ptr<BoardRecorder> board_events_;
  std::unique_ptr<BoardControl> board_;
  std::unique_ptr<PowerFailPolicy> power_;  // with a board: what a mains failure does
  std::unique_ptr<NodeIdentity> identity_;  // pki mode: key, certificate, site CA and CRL
  std::unique_ptr<StatementGate> statements_;
  std::unique_ptr<SeqCounter> seq_;
  std::unique_ptr<Sealer> sealer_;
  std::unique_ptr<Reconciler> reconciler_;
  std::unique_ptr<Repairer> repairer_;
  PlacementBook placement_;             // worker: each origin's placement groups and window
  PlacementQuality placement_quality_;  // worker: at the last full repair scan
  std::vector<std::shared_ptr<VerifyRound>> rounds_;  // verify rounds in progress (worker)
  std::set<uint32_t> returned_;  // nodes back from dead or just drained: settle their chunks
  uint64_t last_repair_ms_ = 0;
  const StatementGate::Admitted* admitted_ = nullptr;
  msg::Dispatcher reg_, hb_, stored_, peer_;
  // Analysis tasks sent and not yet collected by their job (core_analysis.cpp).
  struct PendingTask {
    std::string holder;  // the store asked: only its answer counts
    bool done = false;
    msg::AnalyzeAnswer answer;
  };
  std::mutex tasks_mu_;
  std::condition_variable tasks_cv_;
  std::map<uint64_t, PendingTask> tasks_;  // under tasks_mu_
  uint64_t next_task_req_ = 1;             // under tasks_mu_
  Batch* batch_ = nullptr;  // the open turn's batch while its messages are dispatched
  uint64_t last_live_ms_ = 0, last_status_ms_ = 0;
  int http_port_ = -1;
  bool started_ = false;
  std::atomic<bool> stopped_{false};
};

}  // namespace tern::core
