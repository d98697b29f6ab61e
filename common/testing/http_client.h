// A minimal HTTP client for tests (loopback, one request per connection, plain sockets so
// a test needs no HTTP library): RawHttp sends bytes as given and returns what comes back;
// HttpCall builds an HTTP/1.0 request with an optional bearer token and JSON body.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

namespace tern::testing {

// Sends `request` as is and returns the answer up to the end of its body (by
// Content-Length), the server closing, or `wait_s` passing: a deadline for a server that
// hangs, not a pause (a working server answers at once).
inline std::string RawHttp(int port, const std::string& request, int wait_s = 30) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{wait_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
    (void)::write(fd, request.data(), request.size());
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) {
      out.append(buf, static_cast<size_t>(n));
      size_t head = out.find("\r\n\r\n");
      size_t cl = out.find("Content-Length: ");
      if (head != std::string::npos && cl != std::string::npos && cl < head &&
          out.size() >= head + 4 + std::stoul(out.substr(cl + 16))) {
        break;
      }
    }
  }
  ::close(fd);
  return out;
}

struct HttpReply {
  int status = -1;  // -1: no answer
  std::string body;
};

// The status code of a raw answer, -1 if it is not an HTTP response.
inline int HttpStatusOf(const std::string& raw) {
  return raw.size() >= 12 && raw.rfind("HTTP/1.", 0) == 0 ? std::stoi(raw.substr(9, 3)) : -1;
}

// `wait_s`: how long to wait for the answer (RawHttp).
inline HttpReply HttpCall(int port, const std::string& method, const std::string& path,
                          const std::string& token = "", const std::string& body = "",
                          int wait_s = 30) {
  std::string req = method + " " + path + " HTTP/1.0\r\nHost: localhost\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty() || method == "PUT" || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  std::string out = RawHttp(port, req + "\r\n" + body, wait_s);
  HttpReply r;
  size_t head = out.find("\r\n\r\n");
  r.status = head == std::string::npos ? -1 : HttpStatusOf(out);
  if (r.status >= 0) r.body = out.substr(head + 4);
  return r;
}

}  // namespace tern::testing
