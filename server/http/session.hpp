// Internal to server/http: what the listener (server.cpp) and the connection coroutines (session.cpp)
// share. Nothing outside server/http includes this header.
//
// ServerContext is created by the server and held by shared_ptr by every session, so a session that
// outlives the server object still finds valid state; its config, handler and TLS context never change
// after construction and its flags and counters are atomics, so any io thread may read it. A Connection
// belongs to one session coroutine running on that connection's strand: the listener touches it only
// by posting to that strand (close when idle at stop(), force close after the grace period). Its byte
// stream (TCP, TLS over TCP, or a Unix socket) is hidden in session.cpp, where one request loop is
// compiled for each kind. "Strand" here means the connection's executor: a strand, or under an IoPool
// a context that one thread runs, which serialises the connection's handlers the same way.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <cstddef>
#include <memory>

#include "common/config.hpp"
#include "server/http/server.hpp"

namespace boost::asio::ssl {
class context;
}

namespace edgesync::http {

struct ServerContext {
  ServerContext(const HttpConfig& http_config, RequestHandler& request_handler,
                std::shared_ptr<boost::asio::ssl::context> tls_context = nullptr)
      : config(http_config), handler(request_handler), tls(std::move(tls_context)) {}

  const HttpConfig config;
  RequestHandler& handler;
  // Set when the TCP listener speaks HTTPS: every TCP connection then starts with a handshake.
  const std::shared_ptr<boost::asio::ssl::context> tls;
  std::atomic<bool> stopping{false};  // set once by stop(); sessions then turn keep-alive off
  std::atomic<size_t> active_requests{0};
};

class Connection {
 public:
  Connection() = default;
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The connection's strand.
  virtual boost::asio::any_io_executor executor() = 0;
  boost::asio::cancellation_slot cancellation_slot() { return cancel_.slot(); }

  // Everything below runs on the connection's strand.

  // True while the session waits for the first byte of the next request (or for a TLS handshake):
  // nothing would be lost by closing the connection now.
  void set_idle(bool idle) { idle_ = idle; }

  // stop(): an idle connection has nothing to finish. The session's pending read fails and it ends.
  void close_if_idle() {
    if (idle_) cancel_stream();
  }

  // The grace period is over: close the socket and cancel whatever the session (or the handler it
  // is running) is waiting for, so that it ends promptly.
  void force_close() {
    close_stream();
    cancel_.emit(boost::asio::cancellation_type::terminal);
  }

  // The session: serves requests until the connection closes.
  virtual boost::asio::awaitable<void> serve(ServerContext& context) = 0;

 protected:
  virtual void cancel_stream() = 0;
  virtual void close_stream() = 0;

 private:
  boost::asio::cancellation_signal cancel_;  // bound to the session coroutine by the listener
  bool idle_ = true;
};

// A TCP connection: HTTPS when context.tls is set, plain HTTP otherwise.
std::shared_ptr<Connection> make_connection(boost::asio::ip::tcp::socket socket, const ServerContext& context);
// A Unix-socket connection: plain HTTP (the socket's file mode is its protection).
std::shared_ptr<Connection> make_connection(boost::asio::local::stream_protocol::socket socket,
                                            const ServerContext& context);

// Serves requests on the connection until it closes. Runs on the connection's strand; never throws
// for network or protocol errors (a handler's exception becomes a 500).
boost::asio::awaitable<void> serve_connection(std::shared_ptr<ServerContext> context,
                                              std::shared_ptr<Connection> connection);

}  // namespace edgesync::http
