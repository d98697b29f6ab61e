// Who may ask the HTTP API what: authentication, the role a method needs, the request
// framing the server accepts, and the per-client concurrency limit (docs/http-api.md,
// "Security").
//
// Gate::PreRoute runs as httplib's pre-routing handler, i.e. after the request line and
// headers and before httplib reads any body. It refuses, unread and closing the connection,
// the bodies httplib would read without a bound:
//   400  a body without Content-Length (chunked, or "read until EOF");
//   413  a Content-Length over the body limit.
// Then Decide checks, in order (an open path, /healthz, skips the 401: it is public):
//   401  no credentials, or a token not in the book (WWW-Authenticate: Bearer);
//   405  a method the path does not answer (with Allow);
//   403  a write method with the read role.
// For a request without a body PreRoute calls Decide itself. A request with a (bounded)
// body is decided after httplib has read it, by the handler wrapper or, when no handler
// takes that method, the error handler; so the client reads its refusal rather than a
// connection reset caused by unread bytes.
// Credentials: `Authorization: Bearer <token>` checked against the token book (the file is
// re-read when it changes), else a client certificate that verified against the client CA
// (OU `core`: operator, any other: read). With auth off every request is an operator.
// Gate::Enter holds one of the client's (remote address's) concurrent-request slots while a
// handler runs; when none is free the handler answers 429 with Retry-After.
//
// Refusals are counted (http_unauthorized, http_forbidden, http_rejected_busy) and logged
// with the client's address, method and path, rate-limited like msg::Reject (the first ten,
// then every thousandth).
// Thread-safety: AddRoute before serving; PreRoute/Enter/Busy from any request thread.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "tern/common/metrics.h"
#include "tern/core/http_tokens.h"

namespace tern::core::http {

struct GateOptions {
  bool auth = true;         // false: `http.auth = off`, every request is an operator
  std::string tokens_file;  // the token book; empty: no token is valid
  std::string client_ca;    // set: the server verifies client certificates against it
  int max_concurrent_per_client = 4;
  size_t max_body = 64 * 1024;
};

class Gate {
 public:
  // `m` receives the counters and must outlive the gate.
  Gate(GateOptions o, Metrics* m);

  // Declares a path (an httplib regex pattern): the methods that need the read role (GET,
  // and HEAD with it) and those that need the operator role. `open`: a public path (/healthz,
  // for probes that hold no token): no credentials are looked at; it must have no write
  // methods.
  void AddRoute(const std::string& pattern, const std::vector<std::string>& read_methods,
                const std::vector<std::string>& write_methods, bool open = false);

  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  // The checks after framing (see above): true if the request is refused (`res` filled).
  bool Decide(const httplib::Request& req, httplib::Response& res);
  // Whether the request carries a body (Content-Length > 0): Decide then waits for it.
  static bool HasBody(const httplib::Request& req);

  // A held concurrency slot; releases it when destroyed. Empty (false) when the client had
  // none free.
  class Slot {
   public:
    Slot() = default;
    Slot(Gate* g, std::string addr) : g_(g), addr_(std::move(addr)) {}
    Slot(Slot&& o) noexcept : g_(o.g_), addr_(std::move(o.addr_)) { o.g_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    ~Slot();
    explicit operator bool() const { return g_ != nullptr; }

   private:
    Gate* g_ = nullptr;
    std::string addr_;
  };
  Slot Enter(const httplib::Request& req);
  // The 429 answer for a request Enter refused (counted and logged).
  void Busy(const httplib::Request& req, httplib::Response& res);

  // Who sent the request, for the log lines of operator actions: "token <label>", "cert
  // <CN>", "auth off" or "unauthenticated", then " from <address>".
  std::string Who(const httplib::Request& req);

  // How clients are authenticated (HttpApi::AuthSummary).
  std::string Describe();
  // Logs what is unsafe or broken at start: auth off, an unusable token book, a non-loopback
  // `bind` without TLS.
  void WarnAtStart(const std::string& bind, bool tls);

 private:
  struct Rule {
    std::regex re;
    std::vector<std::string> read, write;
    bool open = false;
  };
  const Rule* RuleFor(const std::string& path) const;
  // The role the request's credentials carry, or nullopt with the reason in *why.
  std::optional<HttpRole> Identify(const httplib::Request& req, std::string* why);
  void Refuse(const httplib::Request& req, httplib::Response& res, int code,
              const std::string& counter, const std::string& msg);

  GateOptions o_;
  Metrics* m_;
  std::unique_ptr<TokenWatcher> tokens_;
  std::vector<Rule> rules_;
  std::mutex mu_;
  std::map<std::string, int> in_flight_;  // remote address -> requests in handlers
};

}  // namespace tern::core::http
