// HttpClient: a small synchronous HTTP/1.1 client for tests, keeping one connection alive and
// reconnecting when the server closed it. Sends Basic auth for the given app key on every request.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace edgesync::test {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_case_name) const {
    auto found = headers.find(lower_case_name);
    return found == headers.end() ? std::string() : found->second;
  }
  bool has_header(const std::string& lower_case_name) const { return headers.count(lower_case_name) > 0; }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::string app_key = "");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                     const Headers& headers = {});
  HttpResult get(const std::string& target, const Headers& headers = {}) { return request("GET", target, "", headers); }
  HttpResult put(const std::string& target, const std::string& body, const Headers& headers = {}) {
    return request("PUT", target, body, headers);
  }
  HttpResult del(const std::string& target) { return request("DELETE", target); }

  void set_app_key(std::string app_key) { app_key_ = std::move(app_key); }
  void set_secret(std::string secret) { secret_ = std::move(secret); }

 private:
  struct Connection;
  uint16_t port_;
  std::string app_key_;
  std::string secret_;
  std::unique_ptr<Connection> connection_;
};

// Sends raw bytes on a fresh connection and returns everything the server answers until it closes
// (or the deadline passes): for malformed requests.
std::string send_raw(uint16_t port, const std::string& bytes, int deadline_seconds = 10);

// Sends a request, reads at least `read_bytes` of the answer, then walks away as an impatient client
// does: half-closes (FIN) and closes with the rest unread (RST). A server still writing then gets EPIPE,
// the case that raises SIGPIPE for writes not told MSG_NOSIGNAL. Returns the bytes read (fewer when the
// server closed or the deadline passed first).
size_t read_then_drop(uint16_t port, const std::string& request, size_t read_bytes, int deadline_seconds = 10);

std::string basic_auth(const std::string& app_key, const std::string& secret = "");

}  // namespace edgesync::test
