// The core's read-only HTTP API and Prometheus /metrics endpoint (docs/http-api.md).
//
// HttpApi serves JSON views of the core: registered nodes with their settings and last
// heartbeat counters, manifest entries and their result/source links, analysis results, the
// scheduler snapshot and the core status; and /metrics in Prometheus text format 0.0.4. It
// never writes: manifest data comes from its own read-only handle on core.db (WAL lets it read
// while the core's worker writes), live data from the callbacks the core passes in.
//
// Thread-safety: Start/Stop/port/the destructor from one owner thread. Requests are served
// from an internal thread pool; the read-only database handle is guarded by a mutex inside,
// and the HttpApiSources callbacks are called from those threads, concurrently, so they must
// be thread-safe themselves.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tern/common/status.h"

namespace tern::core {

struct HttpApiOptions {
  std::string bind = "127.0.0.1";  // address to listen on ("0.0.0.0" for every interface)
  int port = 8080;                 // 0: pick a free port; HttpApi::port() reports it
  // Path of core.db, opened read-only on the first request that needs it (and re-tried on
  // later requests while it cannot be opened; those requests answer 503). Empty: no database,
  // the manifest endpoints answer 503.
  std::string core_db;
  int threads = 4;  // server worker threads
};

// Live data from the core. Either may be empty (its endpoint answers 503). Exceptions thrown
// by a callback are caught and answered with 500.
struct HttpApiSources {
  // {"counters":{name:int,...}, "nodes":[{"addr","name","state","load","counters":{...}}],
  //  "spool_depth":N, "manifest_chunks":N} — Core::StatusJson() has this shape.
  std::function<nlohmann::json()> status;
  // The scheduler snapshot, served as is.
  std::function<nlohmann::json()> scheduler;
};

class HttpApi {
 public:
  // Binds opts.bind:opts.port and starts serving. Fails (naming the address and port) if the
  // socket cannot be bound. The returned server serves until Stop() or destruction.
  static Result<std::unique_ptr<HttpApi>> Start(HttpApiOptions opts, HttpApiSources sources);
  // Stops listening, finishes in-flight requests and joins the server threads; the port is
  // free when it returns. Idempotent.
  void Stop();
  // The port actually bound (the chosen one when opts.port was 0).
  int port() const;
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  class Impl;

 private:
  explicit HttpApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::core
