// The core's read-only HTTP API over cpp-httplib: routing, parameter checks, the read-only
// Manifest handle and /metrics. The JSON documents of docs/http-api.md are built in
// views.cpp from core.db's store classes (no SQL here).
//
// Every handler runs inside Serve(), which turns a Result<json> into the response (InvalidArgument
// -> 400, NotFound -> 404, Unavailable -> 503, anything else -> 500) and catches every exception
// so none reaches httplib. Database work happens under db_mu_ (a Database is single-threaded);
// the live-data callbacks are called outside it.
#include "tern/core/http_api.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "query.h"
#include "render.h"
#include "tern/common/bytes.h"
#include "tern/common/chunk.h"
#include "tern/core/manifest.h"
#include "views.h"

namespace tern::core {
namespace {

using nlohmann::json;

constexpr const char* kJsonType = "application/json";
constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";

int HttpCode(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void SetError(httplib::Response& res, int code, const std::string& msg) {
  res.status = code;
  res.set_content(Dump(json{{"error", msg}}), kJsonType);
}

// Rejects parameters outside `allowed` (a typo like "form=" must not silently widen a query).
Status CheckParams(const httplib::Request& req, std::initializer_list<std::string_view> allowed) {
  return http::CheckParams(req.params, allowed);
}

}  // namespace

class HttpApi::Impl {
 public:
  Impl(HttpApiOptions o, HttpApiSources s) : o_(std::move(o)), src_(std::move(s)) {}
  Status Start();
  void Stop();
  int port() const { return port_; }

 private:
  using Handler = Result<json> (Impl::*)(const httplib::Request&);
  void Route(const std::string& pattern, Handler h);
  json SafeStatus();

  // Runs fn(manifest) under db_mu_, opening core.db on first use.
  template <typename Fn>
  Result<json> WithDb(Fn&& fn);

  Result<json> Nodes(const httplib::Request& req);
  Result<json> ChunkOne(const httplib::Request& req);
  Result<json> ChunkList(const httplib::Request& req);
  Result<json> Results(const httplib::Request& req);
  Result<json> Scheduler(const httplib::Request& req);
  Result<json> StatusDoc(const httplib::Request& req);
  void Metrics(const httplib::Request& req, httplib::Response& res);

  HttpApiOptions o_;
  HttpApiSources src_;
  httplib::Server svr_;
  std::thread thread_;
  int port_ = 0;
  bool stopped_ = false;
  std::mutex db_mu_;
  std::unique_ptr<Manifest> db_;  // guarded by db_mu_
};

Status HttpApi::Impl::Start() {
  const std::string where = o_.bind + ":" + std::to_string(o_.port);
  try {
    size_t threads = static_cast<size_t>(std::max(1, o_.threads));
    svr_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // httplib's default sets SO_REUSEPORT, which would let a second daemon share the port
    // silently; SO_REUSEADDR alone allows a quick restart but refuses a live listener.
    svr_.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    svr_.set_keep_alive_timeout(1);  // bounds how long Stop() waits for an idle client
    svr_.set_read_timeout(5);
    svr_.set_write_timeout(5);
    svr_.set_payload_max_length(64 * 1024);
    svr_.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) { SetError(res, 500, "internal error"); });
    // Fills a JSON body for errors httplib produces itself (unknown path, bad method).
    svr_.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                   httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
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
    svr_.Get("/metrics",
             [this](const httplib::Request& req, httplib::Response& res) { Metrics(req, res); });

    if (o_.port < 0 || o_.port > 65535) {
      return Status::InvalidArgument("http: port " + std::to_string(o_.port) + " out of range");
    }
    if (o_.port == 0) {
      port_ = svr_.bind_to_any_port(o_.bind);
      if (port_ <= 0) return Status::Unavailable("http: cannot listen on " + where);
    } else {
      if (!svr_.bind_to_port(o_.bind, o_.port)) {
        return Status::Unavailable("http: cannot listen on " + where);
      }
      port_ = o_.port;
    }
    thread_ = std::thread([this] {
      try {
        svr_.listen_after_bind();
      } catch (...) {
      }
    });
    // stop() is a no-op until the listen loop runs; wait for it so Stop() cannot miss it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!svr_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!svr_.is_running()) {
      Stop();
      return Status::Unavailable("http: server on " + where + " did not start");
    }
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
    svr_.stop();
  } catch (...) {
  }
  if (thread_.joinable()) thread_.join();
}

void HttpApi::Impl::Route(const std::string& pattern, Handler h) {
  svr_.Get(pattern, [this, h](const httplib::Request& req, httplib::Response& res) {
    try {
      auto r = (this->*h)(req);
      if (r.ok()) {
        res.status = 200;
        res.set_content(Dump(*r), kJsonType);
      } else {
        SetError(res, HttpCode(r.status()), r.status().message());
      }
    } catch (const std::exception& e) {
      SetError(res, 500, std::string("internal error: ") + e.what());
    } catch (...) {
      SetError(res, 500, "internal error");
    }
  });
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
Result<json> HttpApi::Impl::WithDb(Fn&& fn) {
  std::lock_guard<std::mutex> lk(db_mu_);
  if (!db_) {
    if (o_.core_db.empty()) return Status::Unavailable("no core database configured");
    auto m = Manifest::Open(o_.core_db, /*read_only=*/true);
    if (!m.ok()) return Status::Unavailable("core database: " + m.status().message());
    db_ = std::move(m).value();
  }
  return fn(*db_);
}

Result<json> HttpApi::Impl::Nodes(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  json status = SafeStatus();
  return WithDb([&](Manifest& m) { return http::NodesDoc(m, status); });
}

Result<json> HttpApi::Impl::ChunkOne(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(CheckParams(req, {}));
  std::string hex = req.matches.size() > 1 ? req.matches[1].str() : "";
  TERN_ASSIGN_OR_RETURN(ChunkId id, http::ParseChunkIdPath(hex));
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
    res.status = 200;
    res.set_content(http::MetricsText(status), kMetricsType);
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

}  // namespace tern::core
