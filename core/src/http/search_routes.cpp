// The HTTP API's search route (docs/http-api.md, "Search"): GET /api/v1/search?q=...
// (read role) over core.db's full-text index of chunks and results (search_index.h). The
// parameters are checked by query.cpp's rules, the query's FTS5 syntax by the index itself;
// every refused request is a 400 naming the problem, logged (WARN) and counted as
// search_bad_requests. A search never writes.
#include <spdlog/spdlog.h>

#include "api_impl.h"
#include "query.h"
#include "views.h"

namespace tern::core {

using nlohmann::json;

void HttpApi::Impl::AddSearchRoutes() {
  (void)(o_.metrics ? o_.metrics : &own_metrics_)->Counter("search_bad_requests");
  Route(R"(/api/v1/search)", &Impl::Search);
}

Result<json> HttpApi::Impl::Search(const httplib::Request& req) {
  auto refused = [&](const Status& s) {
    (o_.metrics ? o_.metrics : &own_metrics_)->Add("search_bad_requests");
    spdlog::warn("http: search refused for {}: {}", gate_->Who(req), s.message());
    return s;
  };
  auto p = http::ParseSearchQuery(req.params);
  if (!p.ok()) return refused(p.status());
  json status = SafeStatus();
  auto doc = WithReadDb([&](Manifest& m) { return http::SearchResultsDoc(m, status, *p); });
  if (!doc.ok() && doc.status().code() == Status::Code::kInvalidArgument) {
    return refused(doc.status());
  }
  return doc;
}

}  // namespace tern::core
