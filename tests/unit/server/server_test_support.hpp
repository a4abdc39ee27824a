// Support for the HTTP server tests: a real HttpServer on 127.0.0.1:0 with a test handler, run by two
// io threads inside the test process, and a synchronous client with a deadline on every operation
// (so a broken server fails a test instead of hanging it).
//
// TestServer owns its io_context and threads; its destructor stops the server and joins. TestClient
// is one connection, used from one test thread. Neither is copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/config.hpp"
#include "server/http/server.hpp"

namespace edgesync::http::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Polls the condition until it holds or the deadline passes; true when it held.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline = std::chrono::seconds(20));

// Bytes that differ at every offset, and their FNV-1a digest as the test handler reports it.
std::string pattern(size_t size, unsigned seed = 7);
std::string digest_of(std::string_view bytes);  // "<size>:<fnv1a hex>"

// Encodes bytes as a chunked body in pieces of piece_size (then the last chunk).
std::string chunked(std::string_view bytes, size_t piece_size);

// Routes (the body is streamed under /stream/, buffered elsewhere):
//   POST|PUT /echo                 the buffered body back
//   GET /throw                     throws from the handler
//   PUT /stream/digest             reads the whole body: "<size>:<fnv1a>", or 400 with the read error
//   PUT /stream/ignore             403 without reading the body
//   GET|HEAD /download?size=N[&fail_at=M]   N streamed bytes (pattern(N, 3)); the source fails at M
//   GET /status?code=N[&close=1]   an empty answer with that status (and Connection: close)
//   GET /header?name=X             the value of request header X; answers with X-Reply: yes
//   GET /slow                      waits until release_slow, then "slow done"
//   GET /hang                      waits on a 5-minute timer (ended only by a forced close)
class TestHandler final : public RequestHandler {
 public:
  BodyMode body_mode(std::string_view method, std::string_view target) const override;
  boost::asio::awaitable<Response> handle(Request& request) override;

  std::atomic<bool> release_slow{false};
  std::atomic<int> slow_started{0};
  std::atomic<int> hang_started{0};
  std::atomic<int> hang_cancelled{0};
  std::atomic<int> body_read_failures{0};
};

HttpConfig test_config();  // small limits, 1 s idle timeout, 5 s read timeout, 20 s grace

class TestServer {
 public:
  enum class Listen { kTcp, kUnixSocket };  // kUnixSocket: on config.unix_socket
  explicit TestServer(const HttpConfig& config = test_config(), Listen listen = Listen::kTcp);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return server_->port(); }
  HttpServer& server() { return *server_; }
  TestHandler& handler() { return handler_; }

  void stop();  // begins a graceful stop; stopped() turns true when on_stopped ran
  bool stopped() const { return stopped_.load(); }
  int on_stopped_calls() const { return on_stopped_calls_.load(); }

 private:
  struct Io;
  std::unique_ptr<Io> io_;
  TestHandler handler_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> stopped_{false};
  std::atomic<int> on_stopped_calls_{0};
  bool stop_requested_ = false;
};

struct Reply {
  bool ok = false;    // a whole response was read
  std::string error;  // why not, when !ok
  int status = 0;
  unsigned version = 0;  // 10 or 11
  bool keep_alive = false;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  bool has(const std::string& lower_case_name) const { return headers.count(lower_case_name) > 0; }
  std::string header(const std::string& lower_case_name) const {
    const auto found = headers.find(lower_case_name);
    return found == headers.end() ? std::string() : found->second;
  }
};

class TestClient {
 public:
  explicit TestClient(uint16_t port, std::chrono::seconds deadline = std::chrono::seconds(20));
  // HTTPS: a TLS handshake after connecting, trusting the CAs of ca_file and expecting a certificate
  // for 127.0.0.1; connected() is false when it fails, with the reason in connect_error().
  TestClient(uint16_t port, const std::string& ca_file, std::chrono::seconds deadline = std::chrono::seconds(20));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const;  // the constructor connects; false when that failed (refused)
  const std::string& connect_error() const;
  bool send(std::string_view bytes);
  Reply read_reply(bool head_request = false);
  // Sends one HTTP/1.1 request with Host and (when there is a body or for POST/PUT) Content-Length.
  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const Headers& headers = {});
  // Everything the server sends until it closes the connection (or the deadline passes).
  std::string read_until_closed();
  // True when the server closes the connection within the deadline (without sending anything more).
  bool wait_closed(std::chrono::milliseconds deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends raw bytes on a fresh connection and returns all the server answers until it closes.
std::string exchange_raw(uint16_t port, std::string_view bytes);

}  // namespace edgesync::http::test
