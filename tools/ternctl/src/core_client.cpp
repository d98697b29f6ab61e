// CoreClient: see core_client.h. The one place ternctl uses cpp-httplib.
#include "core_client.h"

#include <httplib.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace tern::tools {
namespace {

Result<std::string> ReadWhole(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + what + " " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// The server's {"error": "..."} message, or the start of the body.
std::string ServerMessage(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    return j["error"].get<std::string>();
  }
  return body.substr(0, 200);
}

std::string Explain(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "connection refused or host unreachable (is the core running, with http.port "
             "set, and is this its address?)";
    case httplib::Error::ConnectionTimeout:
      return "timed out connecting";
    case httplib::Error::Read:
      return "no answer (read failed or timed out)";
    case httplib::Error::Write:
      return "sending the request failed";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed (https URL to a plain server, or a client certificate "
             "the server refused?)";
    case httplib::Error::SSLLoadingCerts:
      return "cannot load the CA file or client certificate (--ca, --cert, --key)";
    case httplib::Error::SSLServerVerification:
      return "the server's certificate is not signed by the CA given with --ca";
    default:
      return httplib::to_string(e);
  }
}

}  // namespace

Result<CoreEndpoint> ResolveEndpoint(const CoreFlags& f) {
  CoreEndpoint e;
  e.ca = f.ca;
  e.cert = f.cert;
  e.key = f.key;
  e.timeout_s = f.timeout_s > 0 ? f.timeout_s : 90;
  if (f.cert.empty() != f.key.empty()) {
    return Status::InvalidArgument("--cert and --key go together");
  }
  if (!f.site.empty() && !f.core.empty()) {
    return Status::InvalidArgument("give either --core or --site, not both");
  }
  std::string site_token_file;
  if (!f.site.empty()) {
    const std::string status_path = f.site + "/core/status.json";
    TERN_ASSIGN_OR_RETURN(std::string text, ReadWhole(status_path, "the core's status"));
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    int port = j.is_object() && j.contains("http_port") && j["http_port"].is_number_integer()
                   ? j["http_port"].get<int>()
                   : -1;
    if (port <= 0) {
      return Status::Unavailable(status_path +
                                 " names no HTTP port (is the core running with "
                                 "http.port set?)");
    }
    e.url = "http://127.0.0.1:" + std::to_string(port);
    site_token_file = f.site + "/http-token";
  } else if (!f.core.empty()) {
    e.url = f.core;
    while (!e.url.empty() && e.url.back() == '/') e.url.pop_back();
    if (e.url.rfind("http://", 0) != 0 && e.url.rfind("https://", 0) != 0) {
      return Status::InvalidArgument("--core " + f.core +
                                     ": give a URL, http://HOST:PORT or "
                                     "https://HOST:PORT");
    }
  }
  if (e.url.rfind("http://", 0) == 0 && (!e.ca.empty() || !e.cert.empty())) {
    return Status::InvalidArgument("--ca/--cert/--key need an https:// URL, not " + e.url);
  }
  if (!f.token.empty()) {
    e.token = f.token;
  } else if (!f.token_file.empty()) {
    TERN_ASSIGN_OR_RETURN(std::string t, ReadWhole(f.token_file, "token file"));
    e.token = Trim(t);
  } else if (const char* env = std::getenv("TERN_TOKEN"); env && *env) {
    e.token = Trim(env);
  } else if (!site_token_file.empty()) {
    auto t = ReadWhole(site_token_file, "the site's token file");
    if (t.ok()) e.token = Trim(*t);  // none: the core will answer 401, which says so
  }
  return e;
}

struct CoreClient::Impl {
  std::unique_ptr<httplib::Client> cli;
};

CoreClient::CoreClient(CoreEndpoint e) : e_(std::move(e)), impl_(std::make_unique<Impl>()) {
  impl_->cli = e_.cert.empty() ? std::make_unique<httplib::Client>(e_.url)
                               : std::make_unique<httplib::Client>(e_.url, e_.cert, e_.key);
  auto& c = *impl_->cli;
  c.set_connection_timeout(e_.timeout_s, 0);
  c.set_read_timeout(e_.timeout_s, 0);
  c.set_write_timeout(e_.timeout_s, 0);
  if (!e_.token.empty()) c.set_bearer_token_auth(e_.token);
  if (e_.url.rfind("https://", 0) == 0) {
    if (!e_.ca.empty()) c.set_ca_cert_path(e_.ca);
    c.enable_server_certificate_verification(true);
  }
}

CoreClient::~CoreClient() = default;

Result<HttpAnswer> CoreClient::Call(const std::string& method, const std::string& path,
                                    const std::string& json_body) {
  auto& c = *impl_->cli;
  if (method != "GET" && method != "POST" && method != "PUT") {
    return Status::InvalidArgument("HTTP method " + method + " not supported");
  }
  auto send = [&]() -> httplib::Result {
    if (method == "GET") return c.Get(path);
    if (method == "POST") return c.Post(path, json_body, "application/json");
    return c.Put(path, json_body, "application/json");
  };
  std::optional<httplib::Result> got;
  try {
    got.emplace(send());
  } catch (const std::exception& ex) {  // the library's own failures, kept inside
    return Status::IoError(method + " " + e_.url + path + ": " + ex.what());
  }
  httplib::Result& r = *got;
  if (!r) {
    return Status::Unavailable(method + " " + e_.url + path + ": " + Explain(r.error()));
  }
  HttpAnswer a;
  a.status = r->status;
  a.body = std::move(r->body);
  for (const auto& [k, v] : r->headers) {
    std::string lower = k;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    a.headers[lower] = v;
  }
  return a;
}

Status CoreClient::ErrorFor(const std::string& method, const std::string& path,
                            const HttpAnswer& a) const {
  const std::string where = method + " " + e_.url + path;
  const std::string msg = ServerMessage(a.body);
  switch (a.status) {
    case 401:
      return Status::InvalidArgument(
          where + ": 401 unauthorized: " +
          (e_.token.empty() ? "no token given (--token, --token-file, $TERN_TOKEN or --site)"
                            : "the token was not accepted (revoked, or for another core?)"));
    case 403:
      return Status::InvalidArgument(where + ": 403 forbidden: " + msg +
                                     " (this needs an operator token)");
    case 404:
      return Status::NotFound(where + ": 404 " + msg);
    case 409:
      return Status::FailedPrecondition(where + ": 409 " + msg);
    case 503:
      return Status::Unavailable(where + ": 503 " + msg);
    default:
      return Status::IoError(where + ": HTTP " + std::to_string(a.status) + " " + msg);
  }
}

Result<nlohmann::json> CoreClient::Json(const std::string& method, const std::string& path,
                                        const std::string& json_body) {
  TERN_ASSIGN_OR_RETURN(HttpAnswer a, Call(method, path, json_body));
  if (a.status < 200 || a.status >= 300) return ErrorFor(method, path, a);
  auto j = nlohmann::json::parse(a.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::IoError(method + " " + e_.url + path + ": the answer is not JSON");
  }
  return j;
}

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace tern::tools
