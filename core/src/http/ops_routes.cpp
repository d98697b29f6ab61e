// The HTTP API's operations routes (docs/http-api.md): the repair report and status, the
// manifest check, a chunk's bytes from a live holder, draining or forgetting a node, analysis
// jobs at the holders, and
// /healthz for probes. Their documents come live from the core (HttpApiSources),
// not from core.db; an absent callback answers 503. Each runs inside the wrapper of
// http_api.cpp (gate, client slot, Status -> HTTP code, no exception escapes).
#include <spdlog/spdlog.h>

#include "api_impl.h"
#include "query.h"
#include "respond.h"

namespace tern::core {

using http::SetError;
using nlohmann::json;

void HttpApi::Impl::AddOpsRoutes() {
  Route(R"(/api/v1/report)", &Impl::Report);
  Route(R"(/api/v1/repair)", &Impl::Repair);
  Route(R"(/api/v1/verify)", &Impl::VerifyDoc);
  PostRoute(R"(/api/v1/nodes/([^/]+)/drain)", &Impl::Drain, 202);
  PostRoute(R"(/api/v1/nodes/([^/]+)/forget)", &Impl::Forget, 200);
  // An analysis job at the holders (core_analysis.cpp); answers when every window is done.
  PostRoute(R"(/api/v1/analysis)", &Impl::AnalysisJob, 200);
  // A chunk's bytes (not JSON): read role, served by the core's ChunkFetcher.
  RawGetRoute(R"(/api/v1/chunks/([^/]*)/bytes)", &Impl::ChunkBytes);
  // For load balancers and service probes, which hold no token: says only "ok" or what is
  // down, nothing about nodes or data, so it is open.
  RawGetRoute("/healthz", &Impl::Healthz, /*open=*/true);
}

Result<json> HttpApi::Impl::Report(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {}));
  if (!src_.report) return Status::Unavailable("no repair report");
  return src_.report();
}

Result<json> HttpApi::Impl::Repair(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {}));
  if (!src_.repair) return Status::Unavailable("no repair status");
  return src_.repair();
}

Result<json> HttpApi::Impl::VerifyDoc(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {"rehash"}));
  bool rehash = false;
  if (req.has_param("rehash")) {
    const std::string v = req.get_param_value("rehash");
    if (v != "0" && v != "1") {
      return Status::InvalidArgument("rehash: '" + v + "' is not 0 or 1");
    }
    rehash = v == "1";
  }
  if (!src_.verify) return Status::Unavailable("no verify");
  return src_.verify(rehash);
}

Result<json> HttpApi::Impl::Drain(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {}));
  if (!src_.node_action) return Status::Unavailable("no node control");
  std::string name = req.matches.size() > 1 ? req.matches[1].str() : "";
  auto r = src_.node_action("drain", name);
  if (r.ok()) spdlog::info("http: node {} drained by {}", name, req.remote_addr);
  return r;
}

Result<json> HttpApi::Impl::Forget(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {}));
  if (!src_.node_action) return Status::Unavailable("no node control");
  std::string name = req.matches.size() > 1 ? req.matches[1].str() : "";
  auto r = src_.node_action("forget", name);
  if (r.ok()) spdlog::info("http: node {} forgotten by {}", name, req.remote_addr);
  return r;
}

Result<json> HttpApi::Impl::AnalysisJob(const httplib::Request& req) {
  TERN_RETURN_IF_ERROR(http::CheckRequestParams(req, {}));
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Status::InvalidArgument("body: not a JSON object");
  }
  if (!src_.analyze) return Status::Unavailable("no analysis");
  auto r = src_.analyze(body);
  if (r.ok()) {
    spdlog::info("http: analysis of group {} by {}", body.value("group", ""), req.remote_addr);
  }
  return r;
}

void HttpApi::Impl::ChunkBytes(const httplib::Request& req, httplib::Response& res) {
  try {
    if (Status s = http::CheckRequestParams(req, {}); !s.ok()) {
      return SetError(res, 400, s.message());
    }
    auto id = ChunkIdOfPath(req);
    if (!id.ok()) return SetError(res, http::HttpCode(id.status()), id.status().message());
    if (!src_.chunk_bytes) return SetError(res, 503, "no chunk reader");
    auto got = src_.chunk_bytes(*id);
    if (!got.ok()) return SetError(res, http::HttpCode(got.status()), got.status().message());
    res.status = 200;
    res.set_header("X-Tern-Holder", got->second);
    res.set_content(std::move(got->first), "application/octet-stream");
  } catch (const std::exception& e) {
    SetError(res, 500, std::string("internal error: ") + e.what());
  } catch (...) {
    SetError(res, 500, "internal error");
  }
}

void HttpApi::Impl::Healthz(const httplib::Request& req, httplib::Response& res) {
  constexpr const char* kText = "text/plain; charset=utf-8";
  try {
    if (!req.params.empty()) {
      return SetError(res, 400, req.params.begin()->first + ": unknown parameter");
    }
    const std::string problem = src_.health ? src_.health() : "no health source";
    res.status = problem.empty() ? 200 : 503;
    res.set_content(problem.empty() ? "ok\n" : "unavailable: " + problem + "\n", kText);
  } catch (const std::exception& e) {
    res.status = 503;
    res.set_content(std::string("unavailable: ") + e.what() + "\n", kText);
  } catch (...) {
    res.status = 503;
    res.set_content("unavailable: health check failed\n", kText);
  }
}

}  // namespace tern::core
