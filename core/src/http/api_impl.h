// The inside of HttpApi (tern/core/http_api.h), shared by the files that define its routes:
// http_api.cpp (server set-up, the handler wrapper, the manifest views, /metrics) and
// ops_routes.cpp (repair, verify, a chunk's bytes, drain and forget, /healthz: what comes live
// from the core rather than from core.db), board_routes.cpp (the control board) and
// search_routes.cpp (full-text search over core.db's index).
// Thread-safety: Start/Stop from the owner thread; the handlers from the server's request
// threads (db handles under their mutexes, see http_api.cpp).
#pragma once

#include <httplib.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "gate.h"
#include "tern/common/metrics.h"
#include "tern/core/http_api.h"
#include "tern/core/manifest.h"

namespace tern::core {

class HttpApi::Impl {
 public:
  Impl(HttpApiOptions o, HttpApiSources s) : o_(std::move(o)), src_(std::move(s)) {}
  Status Start();
  void Stop();
  int port() const { return port_; }
  std::string AuthSummary() { return gate_->Describe(); }

 private:
  using json = nlohmann::json;
  using Handler = Result<json> (Impl::*)(const httplib::Request&);
  // Serves GET (read role) with `get` and, if given, PUT (operator role) with `put`.
  void Route(const std::string& pattern, Handler get, Handler put = nullptr);
  // Serves POST (operator role) with `post`, answering `ok_code` when it succeeds.
  void PostRoute(const std::string& pattern, Handler post, int ok_code);
  // Serves GET (read role; `open`: no credentials) with a handler that fills the response
  // itself (not JSON).
  void RawGetRoute(const std::string& pattern,
                   void (Impl::*h)(const httplib::Request&, httplib::Response&), bool open = false);
  httplib::Server::Handler Serve(Handler h, int ok_code = 200);
  json SafeStatus();

  // Runs fn(manifest) under db_mu_, opening core.db on first use; with `write` on the
  // writable handle under write_mu_ instead.
  template <typename Fn>
  Result<json> WithDb(Fn&& fn, bool write = false);
  // WithDb on the read handle, for the route files (the template lives in http_api.cpp).
  Result<json> WithReadDb(const std::function<Result<json>(Manifest&)>& fn);

  // The manifest views and the settings write (http_api.cpp).
  Result<json> Nodes(const httplib::Request& req);
  // The {id} of a chunk path: the full id, or a unique prefix of 8 or more hex digits
  // resolved against the manifest (chunk_ref.h; ambiguous 400, unknown 404).
  Result<ChunkId> ChunkIdOfPath(const httplib::Request& req);
  Result<json> ChunkOne(const httplib::Request& req);
  Result<json> ChunkList(const httplib::Request& req);
  Result<json> Results(const httplib::Request& req);
  Result<json> Scheduler(const httplib::Request& req);
  Result<json> StatusDoc(const httplib::Request& req);
  Result<json> EdgeSettingsGet(const httplib::Request& req);
  Result<json> EdgeSettingsPut(const httplib::Request& req);
  void Metrics(const httplib::Request& req, httplib::Response& res);

  // Repair (issue 9) and node control: live documents from the core (ops_routes.cpp).
  void AddOpsRoutes();
  Result<json> Report(const httplib::Request& req);
  Result<json> Repair(const httplib::Request& req);
  Result<json> VerifyDoc(const httplib::Request& req);
  Result<json> Drain(const httplib::Request& req);
  Result<json> Forget(const httplib::Request& req);
  Result<json> AnalysisJob(const httplib::Request& req);
  void ChunkBytes(const httplib::Request& req, httplib::Response& res);
  void Healthz(const httplib::Request& req, httplib::Response& res);

  // Search over core.db's index (search_routes.cpp).
  void AddSearchRoutes();
  Result<json> Search(const httplib::Request& req);

  // The control board: its panel and the operator's inputs (board_routes.cpp).
  void AddBoardRoutes();
  Result<json> BoardGet(const httplib::Request& req);
  Result<json> BoardPress(const httplib::Request& req);
  Result<json> BoardSwitch(const httplib::Request& req);
  Result<json> BoardPot(const httplib::Request& req);
  Result<json> BoardSim(const httplib::Request& req);
  using BoardApply = std::function<Status(BoardControl* board, const json& body)>;
  // A POST input: checks `req`'s body has only `fields`, runs `apply`, logs, answers GET's.
  Result<json> BoardInput(const httplib::Request& req, const char* name,
                          std::initializer_list<const char*> fields, const BoardApply& apply);

  HttpApiOptions o_;
  HttpApiSources src_;
  tern::Metrics own_metrics_;  // when o_.metrics is null
  std::unique_ptr<http::Gate> gate_;
  std::unique_ptr<httplib::Server> svr_;
  std::thread thread_;
  int port_ = 0;
  bool stopped_ = false;
  std::mutex db_mu_;
  std::unique_ptr<Manifest> db_;  // guarded by db_mu_
  std::mutex write_mu_;
  std::unique_ptr<Manifest> write_db_;  // guarded by write_mu_
};

}  // namespace tern::core
