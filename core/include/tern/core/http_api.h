// The core's HTTP API and Prometheus /metrics endpoint (docs/http-api.md).
//
// HttpApi serves JSON views of the core: registered nodes with their settings and last
// heartbeat counters, manifest entries and their result/source links, analysis results, the
// scheduler snapshot and the core status; and /metrics in Prometheus text format 0.0.4. Its
// one write is an edge's settings (`PUT /api/v1/edges/{name}/settings`, operator role),
// stored like `ternctl edge set` stores them, which the core picks up within a second.
// Manifest data comes from its own read-only handle on core.db (WAL lets it read while the
// core's worker writes), live data from the callbacks the core passes in.
//
// Every request needs credentials (a bearer token from the token book, or a client
// certificate signed by the client CA) unless auth is off; over TLS when a certificate is
// configured. See gate.h for the checks and their order.
//
// Thread-safety: Start/Stop/port/the destructor from one owner thread. Requests are served
// from an internal thread pool; the database handles are guarded by mutexes inside, and the
// HttpApiSources callbacks are called from those threads, concurrently, so they must be
// thread-safe themselves.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "tern/common/metrics.h"
#include "tern/common/status.h"

namespace tern::core {

class BoardControl;  // core/src/board_control.h

struct HttpApiOptions {
  std::string bind = "127.0.0.1";  // address to listen on ("0.0.0.0" for every interface)
  int port = 8080;                 // 0: pick a free port; HttpApi::port() reports it
  // Path of core.db, opened read-only on the first request that needs it (and re-tried on
  // later requests while it cannot be opened; those requests answer 503). Empty: no database,
  // the manifest endpoints answer 503.
  std::string core_db;
  int threads = 8;  // server worker threads (the bound on connections served at once)
  // Credentials: true (`http.auth = tokens`) checks a bearer token against `tokens_file`
  // (the file `ternctl token` writes; re-read when it changes) or a client certificate;
  // false (`off`) serves everyone as operator: only for a loopback-only debug setup.
  bool auth = true;
  std::string tokens_file;  // empty with auth: only client certificates are accepted
  // TLS (all PEM paths): with tls_cert the server speaks HTTPS only. With client_ca a client
  // certificate signed by that CA is accepted without a token: as operator if its subject
  // OU is `core`, else as read.
  std::string tls_cert, tls_key, client_ca;
  int max_concurrent_per_client = 4;  // requests in progress per remote address; more: 429
  int request_timeout_ms = 5000;      // read and write timeout of a request
  // Receives http_unauthorized, http_forbidden, http_rejected_busy; null: counted privately.
  Metrics* metrics = nullptr;
};

// Live data from the core. Either may be empty (its endpoint answers 503). Exceptions thrown
// by a callback are caught and answered with 500.
struct HttpApiSources {
  // {"counters":{name:int,...}, "nodes":[{"addr","name","state","load","counters":{...}}],
  //  "spool_depth":N, "manifest_chunks":N} — Core::StatusJson() has this shape.
  std::function<nlohmann::json()> status;
  // The scheduler snapshot, served as is.
  std::function<nlohmann::json()> scheduler;
  // GET /api/v1/report and /api/v1/repair: the documents of docs/http-api.md.
  std::function<Result<nlohmann::json>()> report, repair;
  // GET /api/v1/verify[?rehash=1]: may take up to a minute (it waits for the stores).
  std::function<Result<nlohmann::json>(bool rehash)> verify;
  // POST /api/v1/analysis: an analysis job (docs/http-api.md); InvalidArgument -> 400. May
  // take minutes (it waits for the stores' tasks).
  std::function<Result<nlohmann::json>(const nlohmann::json& body)> analyze;
  // POST /api/v1/nodes/{name}/drain and /forget (`action` "drain" or "forget"): NotFound for
  // an unknown node, FailedPrecondition (409) for forgetting a live one.
  std::function<Result<nlohmann::json>(const std::string& action, const std::string& name)>
      node_action;
  // A chunk's wire bytes and who sent them (`id`: the 32-byte ChunkId), for GET /api/v1/chunks/{id}/bytes (the core's
  // ChunkFetcher: spool or a live holder; may block for seconds). NotFound -> 404,
  // Unavailable -> 503.
  std::function<Result<std::pair<std::string, std::string>>(const std::string& id)>
      chunk_bytes;
  // The control board for /api/v1/board (board_routes.cpp); null or empty: board.mode is
  // off (404). The board must outlive the server.
  std::function<BoardControl*()> board;
  // GET /healthz (no credentials): "" when the core is healthy (200 "ok"), else the reason
  // (503). Must answer quickly. Empty: /healthz answers 503 "no health source".
  std::function<std::string()> health;
};

// True for the loopback binds ("127.*", "::1", "localhost"): the only ones `http.auth = off`
// is accepted with.
bool IsLoopbackBind(const std::string& bind);

class HttpApi {
 public:
  // Binds opts.bind:opts.port and starts serving. Fails (naming the address and port) if the
  // socket cannot be bound, or (naming the config key and path) if a TLS file is unusable. The
  // returned server serves until Stop() or destruction.
  static Result<std::unique_ptr<HttpApi>> Start(HttpApiOptions opts, HttpApiSources sources);
  // Stops listening, finishes in-flight requests and joins the server threads; the port is
  // free when it returns. Idempotent.
  void Stop();
  // The port actually bound (the chosen one when opts.port was 0).
  int port() const;
  // How clients are authenticated, for the start-up log line.
  std::string AuthSummary() const;
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  class Impl;

 private:
  explicit HttpApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::core
