// The core's HTTP API over cpp-httplib: server set-up, routing, parameter checks, the Manifest
// handles and /metrics; the operations routes (repair, verify, chunk bytes, drain, forget) are
// in ops_routes.cpp, the class itself in api_impl.h. The JSON documents of docs/http-api.md are
// built in views.cpp from core.db's store classes (no SQL here); who may ask what is decided by the
// Gate (gate.h) before a handler runs, and the server object (plain or TLS) comes from server.cpp.
//
// Every handler runs inside the wrapper Route() installs, which holds a per-client slot
// (429 when none is free), turns a Result<json> into the response (InvalidArgument -> 400,
// NotFound -> 404, Unavailable -> 503, anything else -> 500) and catches every exception so
// none reaches httplib. Reads happen under db_mu_ (a Database is single-threaded), the one
// write (edge settings) on a second, writable handle under write_mu_; the live-data
// callbacks are called outside both.
#include "tern/core/http_api.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "api_impl.h"
#include "gate.h"
#include "query.h"
#include "render.h"
#include "respond.h"
#include "server.h"
#include "tern/common/bytes.h"
#include "tern/common/chunk.h"
#include "tern/core/chunk_ref.h"
#include "tern/core/manifest.h"
#include "tern/core/settings_patch.h"
#include "views.h"

namespace tern::core {
namespace {

using http::Dump;
using http::kJsonType;
using http::SetError;
using nlohmann::json;

constexpr size_t kMaxBody = 64 * 1024;  // request bodies (only the settings PUT has one)
constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";

Status CheckParams(const httplib::Request& req, std::initializer_list<std::string_view> allowed) {
  return http::CheckRequestParams(req, allowed);
}

}  // namespace

Status HttpApi::Impl::Start() {
  const std::string where = o_.bind + ":" + std::to_string(o_.port);
  try {
    http::ServerSetup setup;
    setup.tls = {o_.tls_cert, o_.tls_key, o_.client_ca};
    setup.threads = static_cast<size_t>(std::max(1, o_.threads));
    setup.timeout_ms = o_.request_timeout_ms;
    setup.max_body = kMaxBody;
    TERN_ASSIGN_OR_RETURN(svr_, http::MakeServer(setup));
    http::GateOptions g;
    g.auth = o_.auth;
    g.tokens_file = o_.tokens_file;
    g.client_ca = o_.tls_cert.empty() ? "" : o_.client_ca;
    g.max_concurrent_per_client = std::max(1, o_.max_concurrent_per_client);
    g.max_body = kMaxBody;
    gate_ = std::make_unique<http::Gate>(g, o_.metrics ? o_.metrics : &own_metrics_);
    svr_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return gate_->PreRoute(req, res);
    });
    svr_->set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                   std::exception_ptr) { SetError(res, 500, "internal error"); });
    // Fills a JSON body for errors httplib produces itself (unknown path, bad request). A
    // request with a body that no handler took is decided here, its body read (gate.h).
    svr_->set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                        httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      if (res.status == 404 && http::Gate::HasBody(req) && gate_->Decide(req, res)) {
        return httplib::Server::HandlerResponse::Handled;
      }
      SetError(res, res.status,
               res.status == 404 ? "not found: " + req.path : "HTTP " + std::to_string(res.status));
      return httplib::Server::HandlerResponse::Handled;
    }));
    Route(R"(/api/v1/nodes)", &Impl::Nodes);
    Route(R"(/api/v1/chunks/([^/]*))", &Impl::ChunkOne);
    Route(R"(/api/v1/chunks)", &Impl::ChunkList);
    Route(R"(/api/v1/results)", &Impl::Results);
    Route(R"(/api/v1/scheduler)", &Impl::Scheduler);
    Route(R"(/api/v1/status)", &Impl::StatusDoc);
    Route(R"(/api/v1/edges/([^/]+)/settings)", &Impl::EdgeSettingsGet, &Impl::EdgeSettingsPut);
    AddOpsRoutes();
    AddBoardRoutes();
    AddSearchRoutes();
    RawGetRoute("/metrics", &Impl::Metrics);

    if (o_.port < 0 || o_.port > 65535) {
      return Status::InvalidArgument("http: port " + std::to_string(o_.port) + " out of range");
    }
    if (o_.port == 0) {
      port_ = svr_->bind_to_any_port(o_.bind);
      if (port_ <= 0) return Status::Unavailable("http: cannot listen on " + where);
    } else {
      if (!svr_->bind_to_port(o_.bind, o_.port)) {
        return Status::Unavailable("http: cannot listen on " + where);
      }
      port_ = o_.port;
    }
    thread_ = std::thread([this] {
      try {
        svr_->listen_after_bind();
      } catch (...) {
      }
    });
    // stop() is a no-op until the listen loop runs; wait for it so Stop() cannot miss it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!svr_->is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!svr_->is_running()) {
      Stop();
      return Status::Unavailable("http: server on " + where + " did not start");
    }
    gate_->WarnAtStart(o_.bind, !o_.tls_cert.empty());
  } catch (const std::exception& e) {
    Stop();
    return Status::IoError("http: starting on " + where + ": " + e.what());
  }
  return Status::Ok();
}

void HttpApi::Impl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  try {
    if (svr_) svr_->stop();
  } catch (...) {
  }
  if (thread_.joinable()) thread_.join();
}

void HttpApi::Impl::Route(const std::string& pattern, Handler get, Handler put) {
  gate_->AddRoute(pattern, {"GET"},
                  put ? std::vector<std::string>{"PUT"} : std::vector<std::string>{});
  svr_->Get(pattern, Serve(get));
  if (put) svr_->Put(pattern, Serve(put));
}

void HttpApi::Impl::PostRoute(const std::string& pattern, Handler post, int ok_code) {
  gate_->AddRoute(pattern, {}, {"POST"});
  svr_->Post(pattern, Serve(post, ok_code));
}

void HttpApi::Impl::RawGetRoute(const std::string& pattern,
                                void (Impl::*h)(const httplib::Request&, httplib::Response&),
                                bool open) {
  gate_->AddRoute(pattern, {"GET"}, {}, open);
  svr_->Get(pattern, [this, h](const httplib::Request& req, httplib::Response& res) {
    if (http::Gate::HasBody(req) && gate_->Decide(req, res)) return;
    auto slot = gate_->Enter(req);
    if (!slot) return gate_->Busy(req, res);
    (this->*h)(req, res);
  });
}

httplib::Server::Handler HttpApi::Impl::Serve(Handler h, int ok_code) {
  return [this, h, ok_code](const httplib::Request& req, httplib::Response& res) {
    if (http::Gate::HasBody(req) && gate_->Decide(req, res)) return;
    auto slot = gate_->Enter(req);
    if (!slot) return gate_->Busy(req, res);
    try {
      auto r = (this->*h)(req);
      if (r.ok()) {
        res.status = ok_code;
        res.set_content(Dump(*r), kJsonType);
      } else {
        SetError(res, http::HttpCode(r.status()), r.status().message());
      }
    } catch (const std::exception& e) {
      SetError(res, 500, std::string("internal error: ") + e.what());
    } catch (...) {
      SetError(res, 500, "internal error");
    }
  };
}

json HttpApi::Impl::SafeStatus() {
  if (!src_.status) return json();
  try {
    return src_.status();
  } catch (...) {
    return json();
  }
}

template <typename Fn>
Result<json> HttpApi::Impl::WithDb(Fn&& fn, bool write) {
  std::lock_guard<std::mutex> lk(write ? write_mu_ : db_mu_);
  std::unique_ptr<Manifest>& db = write ? write_db_ : db_;
  if (!db) {
    if (o_.core_db.empty()) return Status::Unavailable("no core database configured");
    // The writable handle is opened like `ternctl edge set` opens it, and only after the
    // read handle found core.db (so it never creates one).
    auto m = Manifest::Open(o_.core_db, /*read_only=*/!write);
    if (!m.ok()) return Status::Unavailable("core database: " + m.status().message());
    db = std::move(m).value();
  }
  return fn(*db);
}

Result<json> HttpApi::Impl::WithReadDb(const std::function<Result<json>(Manifest&)>& fn) {
  return WithDb(fn);
}

Result<json> HttpApi::Impl::Nodes(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  json status = SafeStatus();
  return WithDb([&](Manifest& m) { return http::NodesDoc(m, status); });
}

Result<ChunkId> HttpApi::Impl::ChunkIdOfPath(const httplib::Request& req) {
  const std::string text = req.matches.size() > 1 ? req.matches[1].str() : "";
  if (text.size() == 64) return http::ParseChunkIdPath(text);  // no lookup for a full id
  TERN_ASSIGN_OR_RETURN(json hex, WithDb([&](Manifest& m) -> Result<json> {
                          TERN_ASSIGN_OR_RETURN(ChunkId id, ResolveChunkRef(m.holders(), text));
                          return json(ToHex(id));
                        }));
  return http::ParseChunkIdPath(hex.get<std::string>());
}

Result<json> HttpApi::Impl::ChunkOne(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  TERN_ASSIGN_OR_RETURN(ChunkId id, ChunkIdOfPath(req));
  const std::string hex = ToHex(id);
  json status = SafeStatus();
  return WithDb([&](Manifest& m) { return http::ChunkDoc(m, status, id, hex); });
}

Result<json> HttpApi::Impl::ChunkList(const httplib::Request& req) {
  TERN_ASSIGN_OR_RETURN(http::ChunkListQuery q, http::ParseChunkListQuery(req.params));
  json status = SafeStatus();
  return WithDb([&](Manifest& m) { return http::ChunkListDoc(m, status, q.source, q.range); });
}

Result<json> HttpApi::Impl::Results(const httplib::Request& req) {
  TERN_ASSIGN_OR_RETURN(http::ResultsQuery q, http::ParseResultsQuery(req.params));
  json status = SafeStatus();
  return WithDb([&](Manifest& m) {
    return http::ResultsDoc(m, status, q.source, q.range, q.anomalies_only);
  });
}

Result<json> HttpApi::Impl::Scheduler(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  if (!src_.scheduler) return Status::Unavailable("no scheduler");
  json j = src_.scheduler();
  return j.is_null() ? json::object() : j;
}

Result<json> HttpApi::Impl::StatusDoc(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  if (!src_.status) return Status::Unavailable("no core status");
  json j = src_.status();
  return j.is_null() ? json::object() : j;
}

Result<json> HttpApi::Impl::EdgeSettingsGet(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  std::string name = req.matches.size() > 1 ? req.matches[1].str() : "";
  return WithDb([&](Manifest& m) { return http::EdgeSettingsDoc(m, name); });
}

Result<json> HttpApi::Impl::EdgeSettingsPut(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  std::string name = req.matches.size() > 1 ? req.matches[1].str() : "";
  TERN_ASSIGN_OR_RETURN(SettingsPatch patch, SettingsPatchFromText(req.body));
  // 404 for a name that is not a registered edge, before anything is written.
  TERN_RETURN_IF_ERROR(
      WithDb([&](Manifest& m) { return http::EdgeSettingsDoc(m, name); }).status());
  auto write = [&](Manifest& m) -> Result<json> {
    // One transaction: the row read, the row written and the version bumped together.
    TERN_RETURN_IF_ERROR(m.Begin());
    auto base = m.Settings(name);
    auto e = base.ok() ? ApplySettingsPatch(*base, patch) : Result<EdgeSettings>(base.status());
    Status s = e.ok() ? m.PutSettings(*e) : e.status();
    if (!s.ok()) {
      (void)m.Rollback();
      return s;
    }
    TERN_RETURN_IF_ERROR(m.Commit());
    return json();
  };
  TERN_RETURN_IF_ERROR(WithDb(write, /*write=*/true).status());
  spdlog::info("http: settings of edge {} changed from {}", name, req.remote_addr);
  return WithDb([&](Manifest& m) { return http::EdgeSettingsDoc(m, name); });
}

void HttpApi::Impl::Metrics(const httplib::Request& req, httplib::Response& res) {
  try {
    if (!req.params.empty())
      return SetError(res, 400, req.params.begin()->first + ": unknown parameter");
    json status = SafeStatus();
    if (!status.is_object()) status = json::object();
    // Before the core's first status (or without a callback) the gauges come from core.db.
    auto missing = [&](const char* k) {
      return !status.contains(k) || !status[k].is_number() || status[k].get<double>() < 0;
    };
    if (missing("spool_depth") || missing("manifest_chunks")) {
      auto r = WithDb([&](Manifest& m) -> Result<json> {
        if (missing("spool_depth")) {
          TERN_ASSIGN_OR_RETURN(status["spool_depth"], m.SpoolDepth());
        }
        if (missing("manifest_chunks")) {
          TERN_ASSIGN_OR_RETURN(status["manifest_chunks"], m.ChunkCount());
        }
        return json();
      });
      (void)r;  // without a database the gauges are simply absent
    }
    // Registered nodes membership no longer has still get a series (dead), not none.
    json registry;
    (void)WithDb([&](Manifest& m) -> Result<json> {
      TERN_ASSIGN_OR_RETURN(auto nodes, m.Nodes());
      registry = json::array();
      for (const auto& n : nodes) registry.push_back({{"addr", n.addr}, {"name", n.name}});
      return json();
    });
    json sched = src_.scheduler ? src_.scheduler() : json();
    res.status = 200;
    res.set_content(http::MetricsText(status, sched, registry), kMetricsType);
  } catch (const std::exception& e) {
    SetError(res, 500, std::string("internal error: ") + e.what());
  } catch (...) {
    SetError(res, 500, "internal error");
  }
}

HttpApi::HttpApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpApi::~HttpApi() { Stop(); }

Result<std::unique_ptr<HttpApi>> HttpApi::Start(HttpApiOptions opts, HttpApiSources sources) {
  std::unique_ptr<HttpApi> api;
  try {
    api.reset(new HttpApi(std::make_unique<Impl>(std::move(opts), std::move(sources))));
  } catch (const std::exception& e) {
    return Status::IoError(std::string("http: ") + e.what());
  }
  TERN_RETURN_IF_ERROR(api->impl_->Start());
  return api;
}

void HttpApi::Stop() {
  if (impl_) impl_->Stop();
}

int HttpApi::port() const { return impl_ ? impl_->port() : 0; }
std::string HttpApi::AuthSummary() const { return impl_ ? impl_->AuthSummary() : ""; }

}  // namespace tern::core
