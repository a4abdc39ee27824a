// HttpClient: the outbound HTTP/1.1 client of a node (an edge's uplink to its cloud, webhook calls).
//
// One keep-alive connection to one host:port, opened on demand and opened again after the server
// closed it. Bodies stream both ways in bounded pieces (a 1 GiB object never sits in memory).
// request() is bounded as a whole (connect, write and read within request_timeout); download() and
// upload() are bounded by inactivity instead (no byte moved for request_timeout), so a long transfer
// is not cut off while it progresses. Transport failures and timeouts are kUnavailable and name the
// host:port; after any failure the connection is dropped and the next request opens a new one.
// https URLs speak TLS 1.2+ with SNI, and the server's certificate must verify against the CAs of
// ClientOptions::ca_file (the system's when empty) and name the URL's host; a certificate that does
// not is a kUnavailable error naming the host and OpenSSL's reason.
// Not thread-safe: used by one coroutine at a time (the executor may be multi-threaded; there is no
// internal strand). close() may be called from that coroutine's executor while a request is in flight
// (it fails with kUnavailable).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "server/http/response.hpp"

namespace boost::asio::ssl {
class context;
}

namespace edgesync::http {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;
  uint16_t port = 80;  // 80 for http and 443 for https unless the URL names one
  // "" or "/prefix" (no trailing slash): prefixed to every request target. A URL's query stays here
  // ("/hook?token=x"), for URLs used as one whole target (webhooks).
  std::string base_path;
};

// "http[s]://host[:port][/path][?query]" ("[v6]" hosts too). Errors are kInvalidArgument and quote the URL.
Result<Url> parse_url(std::string_view text);

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // inactivity bound of every read and write
  uint64_t max_body_bytes = 16 << 20;                // buffered response bodies
  std::string user_agent = "edgesync";
  std::string ca_file;  // https: PEM file of the CAs to trust; empty: the system's default CAs
};

struct ClientRequest {
  std::string method;
  std::string target;  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close_after = false;  // sends Connection: close; the connection is dropped after the answer
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Case-insensitive.
  std::optional<std::string_view> header(std::string_view name) const;
};

// Receives a streamed response body piece by piece; an error aborts the transfer.
using BodySink = std::function<Status(std::span<const char>)>;

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, Url url, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The response body buffered (up to max_body_bytes).
  boost::asio::awaitable<Result<ClientResponse>> request(ClientRequest request);
  // A 2xx body goes to sink in pieces (response.body stays empty); other bodies are buffered.
  boost::asio::awaitable<Result<ClientResponse>> download(ClientRequest request, BodySink sink);
  // The request body: exactly `length` bytes pulled from source, sent with Content-Length.
  boost::asio::awaitable<Result<ClientResponse>> upload(ClientRequest request, uint64_t length, BodySource source);

  void close();

 private:
  struct Connection;
  boost::asio::awaitable<Result<ClientResponse>> exchange(ClientRequest& request, const BodySink* sink,
                                                          std::optional<std::pair<uint64_t, BodySource*>> upload);
  // One try on the open connection; nullopt when it failed in a way worth one more try.
  template <class Stream>
  boost::asio::awaitable<std::optional<Result<ClientResponse>>> exchange_on(
      Stream& stream, ClientRequest& request, const BodySink* sink,
      std::optional<std::pair<uint64_t, BodySource*>> upload, bool may_retry,
      std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<Status> ensure_connected(std::chrono::steady_clock::time_point connect_deadline);

  boost::asio::any_io_executor executor_;
  Url url_;
  ClientOptions options_;
  std::unique_ptr<Connection> connection_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // https: made at the first connection
  // Set by close(): the request in flight fails at its next step even if it was between sockets
  // (resolving, connecting) when close() came. Cleared when the next request starts.
  bool aborted_ = false;
};

}  // namespace edgesync::http
