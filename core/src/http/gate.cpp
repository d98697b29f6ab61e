// Gate: see gate.h.
#include "gate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "server.h"
#include "tern/core/http_api.h"

namespace tern::core::http {
namespace {

void JsonError(httplib::Response& res, int code, const std::string& msg) {
  res.status = code;
  res.set_content(
      nlohmann::json{{"error", msg}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      "application/json");
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The token of "Bearer <token>" (scheme case-insensitive), or "" if the header is not that.
std::string BearerToken(const std::string& header) {
  size_t sp = header.find(' ');
  if (sp == std::string::npos || !IEquals(std::string_view(header).substr(0, sp), "Bearer")) {
    return "";
  }
  size_t start = header.find_first_not_of(' ', sp);
  if (start == std::string::npos) return "";
  size_t end = header.find_last_not_of(" \t");
  return header.substr(start, end + 1 - start);
}

bool ExpectsBody(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "PRI";
}

}  // namespace

Gate::Gate(GateOptions o, Metrics* m) : o_(std::move(o)), m_(m) {
  if (o_.auth && !o_.tokens_file.empty()) tokens_ = std::make_unique<TokenWatcher>(o_.tokens_file);
  for (const char* c : {"http_unauthorized", "http_forbidden", "http_rejected_busy"}) {
    m_->Counter(c);  // present (at 0) in status and /metrics from the start
  }
}

void Gate::AddRoute(const std::string& pattern, const std::vector<std::string>& read_methods,
                    const std::vector<std::string>& write_methods, bool open) {
  Rule r{std::regex(pattern), read_methods, write_methods, open};
  if (Has(r.read, "GET") && !Has(r.read, "HEAD")) r.read.push_back("HEAD");
  rules_.push_back(std::move(r));
}

std::optional<HttpRole> Gate::Identify(const httplib::Request& req, std::string* why) {
  if (!o_.auth) return HttpRole::kOperator;
  if (req.has_header("Authorization")) {
    std::string token = BearerToken(req.get_header_value("Authorization"));
    if (token.empty()) {
      *why = "Authorization is not 'Bearer <token>'";
      return std::nullopt;
    }
    if (!tokens_) {
      *why = "no token book";
      return std::nullopt;
    }
    if (auto t = tokens_->Check(token)) return t->role;
    std::string problem = tokens_->error();
    *why = problem.empty() ? "unknown or revoked token" : "token book unusable: " + problem;
    return std::nullopt;
  }
  if (!o_.client_ca.empty()) {
    if (auto cert = PeerCertOf(req))
      return Has(cert->ou, "core") ? HttpRole::kOperator : HttpRole::kRead;
  }
  *why = !o_.client_ca.empty() ? "no token and no client certificate" : "no token";
  return std::nullopt;
}

std::string Gate::Who(const httplib::Request& req) {
  std::string who = "unauthenticated";
  if (!o_.auth) {
    who = "auth off";
  } else if (req.has_header("Authorization")) {
    const std::string token = BearerToken(req.get_header_value("Authorization"));
    if (auto t = tokens_ && !token.empty() ? tokens_->Check(token) : std::nullopt) {
      who = "token " + t->label;
    }
  } else if (auto cert = o_.client_ca.empty() ? std::nullopt : PeerCertOf(req)) {
    who = "cert " + cert->cn;
  }
  return who + " from " + req.remote_addr;
}

void Gate::Refuse(const httplib::Request& req, httplib::Response& res, int code,
                  const std::string& counter, const std::string& msg) {
  JsonError(res, code, msg);
  if (counter.empty()) return;
  int64_t n = ++m_->Counter(counter);
  if (n <= 10 || n % 1000 == 0) {
    spdlog::warn("http: {} for {} {} from {}: {} ({} #{})", code, req.method, req.path,
                 req.remote_addr, msg, counter, n);
  }
}

bool Gate::HasBody(const httplib::Request& req) {
  return req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0";
}

httplib::Server::HandlerResponse Gate::PreRoute(const httplib::Request& req,
                                                httplib::Response& res) {
  using HR = httplib::Server::HandlerResponse;
  // Framing first: these bodies would be read without a bound, so they are refused unread
  // and the connection is closed (it cannot carry another request).
  auto refuse_unread = [&](int code, const std::string& msg) {
    Refuse(req, res, code, "", msg);
    res.set_header("Connection", "close");
    return HR::Handled;
  };
  if (req.has_header("Transfer-Encoding")) {
    return refuse_unread(400, "body: Transfer-Encoding is not accepted; send Content-Length");
  }
  if (ExpectsBody(req.method) && !req.has_header("Content-Length")) {
    return refuse_unread(400, "body: Content-Length is required");
  }
  if (req.has_header("Content-Length")) {
    std::string len = req.get_header_value("Content-Length");
    bool digits = !len.empty() && len.size() <= 18 &&
                  std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return refuse_unread(400, "body: Content-Length '" + len + "' is not a number");
    if (std::stoull(len) > o_.max_body) {
      return refuse_unread(413,
                           "body: " + len + " bytes; the limit is " + std::to_string(o_.max_body));
    }
  }
  // A bounded body is read by httplib before Decide runs (in the handler or, without one,
  // the error handler), so a refused client reads its answer instead of a reset.
  if (HasBody(req)) return HR::Unhandled;
  return Decide(req, res) ? HR::Handled : HR::Unhandled;
}

const Gate::Rule* Gate::RuleFor(const std::string& path) const {
  for (const auto& r : rules_) {
    if (std::regex_match(path, r.re)) return &r;
  }
  return nullptr;
}

bool Gate::Decide(const httplib::Request& req, httplib::Response& res) {
  const Rule* rule = RuleFor(req.path);
  // An open path (/healthz) is public: no credentials looked at, a wrong method is 405.
  const bool open = rule != nullptr && rule->open;
  std::optional<HttpRole> role;
  if (!open) {
    std::string why;
    role = Identify(req, &why);
    if (!role) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"tern-core\"");
      Refuse(req, res, 401, "http_unauthorized", "unauthorized: " + why);
      return true;
    }
  }
  if (rule == nullptr || Has(rule->read, req.method)) return false;  // served, or 404
  if (!Has(rule->write, req.method)) {
    std::string allow;
    for (const auto* list : {&rule->read, &rule->write}) {
      for (const auto& m : *list) allow += (allow.empty() ? "" : ", ") + m;
    }
    res.set_header("Allow", allow);
    Refuse(req, res, 405, "", "method " + req.method + " not allowed on " + req.path);
    return true;
  }
  if (!role || *role != HttpRole::kOperator) {
    Refuse(req, res, 403, "http_forbidden",
           "forbidden: " + req.method + " " + req.path + " needs the operator role");
    return true;
  }
  return false;
}

Gate::Slot Gate::Enter(const httplib::Request& req) {
  std::lock_guard<std::mutex> lk(mu_);
  int& n = in_flight_[req.remote_addr];
  if (n >= o_.max_concurrent_per_client) return Slot();
  ++n;
  return Slot(this, req.remote_addr);
}

Gate::Slot::~Slot() {
  if (!g_) return;
  std::lock_guard<std::mutex> lk(g_->mu_);
  auto it = g_->in_flight_.find(addr_);
  if (it != g_->in_flight_.end() && --it->second <= 0) g_->in_flight_.erase(it);
}

void Gate::Busy(const httplib::Request& req, httplib::Response& res) {
  JsonError(res, 429,
            "busy: " + std::to_string(o_.max_concurrent_per_client) + " requests from " +
                req.remote_addr + " are in progress; retry");
  res.set_header("Retry-After", "1");
  int64_t n = ++m_->Counter("http_rejected_busy");
  if (n <= 10 || n % 1000 == 0) {
    spdlog::warn("http: 429 for {} {} from {}: over http.max_concurrent_per_client ({} #{})",
                 req.method, req.path, req.remote_addr, "http_rejected_busy", n);
  }
}

std::string Gate::Describe() {
  if (!o_.auth) return "http.auth = off: every client is an operator";
  std::string s = "bearer tokens: " + std::to_string(tokens_ ? tokens_->size() : 0) + " in " +
                  (o_.tokens_file.empty() ? "(no token book)" : o_.tokens_file);
  if (!o_.client_ca.empty()) s += ", client certificates signed by " + o_.client_ca;
  return s;
}

void Gate::WarnAtStart(const std::string& bind, bool tls) {
  if (!o_.auth) spdlog::warn("http: http.auth = off: every client of {} is an operator", bind);
  if (tokens_ && !tokens_->error().empty()) {
    spdlog::error("http: token book: {}; every token is refused", tokens_->error());
  }
  if (!tls && !IsLoopbackBind(bind)) {
    spdlog::warn(
        "http: {} is not loopback and http.tls_cert is unset: tokens and data cross "
        "the network in clear text",
        bind);
  }
}

}  // namespace tern::core::http

namespace tern::core {

bool IsLoopbackBind(const std::string& bind) {
  return bind == "localhost" || bind == "::1" || bind.rfind("127.", 0) == 0;
}

}  // namespace tern::core
