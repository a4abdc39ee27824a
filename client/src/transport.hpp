// Transport: one HTTP/1.1 keep-alive connection to one node, over TCP or a Unix socket, plain or
// TLS, driven synchronously with deadlines (private to the SDK; Beast and Asio stay in transport.cpp).
//
// Every network step (connect, handshake, each write, each read) is bounded by its timeout, so a
// stalled peer fails the call instead of hanging it, while a long transfer that keeps moving is never
// cut off. cancel() may be called from any thread: the request in flight (or the next one) fails
// with ErrorKind::kStopped. Not thread-safe otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgesync::client::detail {

struct Endpoint {
  bool unix_socket = false;
  bool tls = false;
  std::string host;  // "localhost" for Unix sockets (Host header, TLS name)
  uint16_t port = 0;
  std::string socket_path;
};

// http[s]://host[:port][/], unix:///path, secure-unix:///path; throws Error(kInvalidInput).
Endpoint parse_endpoint(const std::string& url);

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
  std::string ca_file;
  uint64_t max_buffered_body = 64ull << 20;
};

struct HttpRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;  // overrides request_timeout (long polls)
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // empty when a 2xx body went to a sink
};

// Fills buffer with up to size bytes; returns how many, 0 at the end of the data.
using BodySource = std::function<size_t(char* buffer, size_t size)>;
using BodySink = std::function<void(const char* data, size_t size)>;

class Transport {
 public:
  Transport(Endpoint endpoint, TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  HttpResponse request(const HttpRequest& request);
  // A 2xx body goes to sink in pieces; any other body is buffered into the response.
  HttpResponse download(const HttpRequest& request, const BodySink& sink);
  // Sends exactly *length bytes from source with Content-Length, or, without a length, everything
  // source gives with chunked transfer encoding.
  HttpResponse upload(const HttpRequest& request, std::optional<uint64_t> length, const BodySource& source);

  void cancel();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgesync::client::detail
