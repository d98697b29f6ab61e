// CoreClient: how ternctl talks to a running core, over its HTTP API (docs/http-api.md) and
// nothing else: no ternctl command opens another node's files. It wraps cpp-httplib's client
// once (this file and core_client.cpp are the only ones that include httplib.h in ternctl) and
// turns every failure into a Status that names the URL, so each command reports the same
// way: connection refused, timeouts, 401 (no or unknown token), 403 (token lacks the role),
// 404, and the server's own {"error": ...} message.
//
// Where the core is: `--core URL` (http:// or https://, default http://127.0.0.1:8080), or
// `--site DIR`, a site directory laid out as tools/scripts/run-site.sh leaves it: the port
// from DIR/core/status.json ("http_port", written by the running core) and the token from
// DIR/http-token. The token: `--token`, else `--token-file`, else $TERN_TOKEN, else the
// site's file.
// Thread-safety: a CoreClient is used by one thread at a time; separate clients are
// independent.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tern/common/status.h"

namespace tern::tools {

struct CoreEndpoint {
  std::string url = "http://127.0.0.1:8080";  // scheme://host:port, no path
  std::string token;                          // bearer token; empty: none sent
  std::string ca;                             // https: the CA that signed the server's cert
  std::string cert, key;                      // https: a client certificate, optional
  int timeout_s = 90;                         // connect and read timeout (verify waits up to 60 s)
};

// What the operator gave on the command line, before it is resolved into an endpoint.
struct CoreFlags {
  std::string core, site, token, token_file, ca, cert, key;
  int timeout_s = 90;
};

// The endpoint `f` names, reading the site directory and token file if given (and
// $TERN_TOKEN). Errors name the file that could not be read or the flag that is wrong.
[[nodiscard]] Result<CoreEndpoint> ResolveEndpoint(const CoreFlags& f);

// One HTTP answer: status, body and the headers ternctl looks at.
struct HttpAnswer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

class CoreClient {
 public:
  explicit CoreClient(CoreEndpoint e);
  ~CoreClient();
  CoreClient(const CoreClient&) = delete;
  CoreClient& operator=(const CoreClient&) = delete;

  const std::string& url() const { return e_.url; }

  // The raw exchange. Unavailable (naming the URL) if no answer came: connection refused,
  // a timeout, a TLS failure. Any HTTP status is an answer.
  [[nodiscard]] Result<HttpAnswer> Call(const std::string& method, const std::string& path,
                                        const std::string& json_body = "");

  // Call() and, for a 2xx answer, its JSON body. Other statuses become a Status naming the
  // method, URL and the server's message: 404 NotFound, 401/403 PermissionDenied-like
  // (InvalidArgument with a hint about the token), 409 FailedPrecondition, others IoError.
  [[nodiscard]] Result<nlohmann::json> Json(const std::string& method, const std::string& path,
                                            const std::string& json_body = "");
  [[nodiscard]] Result<nlohmann::json> Get(const std::string& path) { return Json("GET", path); }

  // The Status for a non-2xx answer `a` to `method path` (see Json()).
  Status ErrorFor(const std::string& method, const std::string& path, const HttpAnswer& a) const;

 private:
  CoreEndpoint e_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes a query or path component (RFC 3986 unreserved characters kept).
std::string UrlEncode(const std::string& s);

}  // namespace tern::tools
