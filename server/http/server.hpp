// HttpServer: the Beast/Asio HTTP/1.1 server every edgesync node runs.
//
// One acceptor, a pool of io threads (io_pool.hpp), one coroutine per connection (no thread per
// connection).
// Keep-alive; limits on header size, buffered body size, read and idle time. stop() closes the
// acceptor, lets in-flight requests finish (up to the grace period) and closes idle connections.
// The handler is called from io threads concurrently and must be thread-safe.
// A server listens on TCP (HTTPS when the configuration names a certificate) or on a Unix socket;
// a node that serves both runs two servers with the same handler.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "common/status.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"

namespace boost::asio {
class io_context;
}

namespace edgesync::http {

class IoPool;

// What the session knows of one request once its answer is written (or failed to be): for the
// handler's metrics and request log. The views are valid during the call only. Byte counts are of
// bodies (request body bytes read, response body bytes promised), not of heads.
struct RequestRecord {
  std::string_view method;  // "-" when the head could not be parsed
  std::string_view target;  // raw target, query included: a logger must not print it as it is
  int status = 0;
  std::chrono::microseconds duration{0};  // from the request's first byte to its answer written
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  std::string_view remote;  // "ip:port" or "unix:PATH"
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Decides from the head (method and target) how the body is read. Called before the body.
  virtual BodyMode body_mode(std::string_view method, std::string_view target) const = 0;
  virtual boost::asio::awaitable<Response> handle(Request& request) = 0;
  // Called once per request the server answered (also for those it refused itself: 400, 413, 431, 500),
  // on the connection's strand. It runs on the request path: keep it cheap, and it must not throw.
  virtual void request_done(const RequestRecord& record) noexcept { (void)record; }
};

class HttpServer {
 public:
  // Binds the listen address now (so the port is known before run()); errors name the address. With
  // config.tls enabled, loads the certificate and key now too (errors name the file) and speaks HTTPS.
  // Connections live on strands of `io`, or with a pool on its contexts in turn (see io_pool.hpp).
  static Result<std::unique_ptr<HttpServer>> create(boost::asio::io_context& io, const HttpConfig& config,
                                                    const std::string& listen, RequestHandler& handler,
                                                    IoPool* pool = nullptr);
  // Binds the Unix socket config.unix_socket, replacing a stale socket file left by a dead process
  // (never a file of another kind, nor a socket another process serves), with config.unix_socket_mode.
  // Plain HTTP: the file mode decides who may connect. The file is removed at stop().
  static Result<std::unique_ptr<HttpServer>> create_unix(boost::asio::io_context& io, const HttpConfig& config,
                                                         RequestHandler& handler, IoPool* pool = nullptr);
  virtual ~HttpServer() = default;

  virtual std::string host() const = 0;  // the bound address, or the socket's path
  virtual uint16_t port() const = 0;     // the bound port (the chosen one when 0 was asked for); 0 on a Unix socket
  virtual bool tls() const = 0;          // serves HTTPS

  // Starts accepting on the io_context (returns at once; run the io_context to serve).
  virtual void start() = 0;
  // Graceful stop: no new connections; idle connections close at once; requests in flight finish
  // (answered with Connection: close) within shutdown_grace_seconds, after which their connections
  // are closed and whatever their handlers wait on is cancelled. `on_stopped` runs once (on an io
  // thread) when the last connection is gone, at once if there is none. Safe to call from any thread
  // and more than once (every callback runs). Destroying the server without stop() closes the
  // acceptor, but the handler must outlive requests still in flight: stop, then wait for on_stopped.
  virtual void stop(std::function<void()> on_stopped) = 0;

  // Requests being handled right now (for health and tests).
  virtual size_t active_requests() const = 0;
};

}  // namespace edgesync::http
