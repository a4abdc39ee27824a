// Internal to server/http: what the listener (server.cpp) and the connection coroutines (session.cpp)
// share. Nothing outside server/http includes this header.
//
// ServerContext is created by the server and held by shared_ptr by every session, so a session that
// outlives the server object still finds valid state; its config and handler never change after
// construction and its flags and counters are atomics, so any io thread may read it. A Connection
// belongs to one session coroutine running on that connection's strand: the listener touches it only
// by posting to that strand (close when idle at stop(), force close after the grace period).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstddef>
#include <memory>

#include "common/config.hpp"
#include "server/http/server.hpp"

namespace edgesync::http {

struct ServerContext {
  ServerContext(const HttpConfig& http_config, RequestHandler& request_handler)
      : config(http_config), handler(request_handler) {}

  const HttpConfig config;
  RequestHandler& handler;
  std::atomic<bool> stopping{false};  // set once by stop(); sessions then turn keep-alive off
  std::atomic<size_t> active_requests{0};
};

class Connection {
 public:
  explicit Connection(boost::asio::ip::tcp::socket socket) : stream_(std::move(socket)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::beast::tcp_stream& stream() { return stream_; }
  boost::asio::cancellation_slot cancellation_slot() { return cancel_.slot(); }

  // Everything below runs on the connection's strand.

  // True while the session waits for the first byte of the next request: nothing would be lost by
  // closing the connection now.
  void set_idle(bool idle) { idle_ = idle; }

  // stop(): an idle connection has nothing to finish. The session's pending read fails and it ends.
  void close_if_idle() {
    if (idle_) stream_.cancel();
  }

  // The grace period is over: close the socket and cancel whatever the session (or the handler it
  // is running) is waiting for, so that it ends promptly.
  void force_close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    cancel_.emit(boost::asio::cancellation_type::terminal);
  }

 private:
  boost::beast::tcp_stream stream_;
  boost::asio::cancellation_signal cancel_;  // bound to the session coroutine by the listener
  bool idle_ = true;
};

// Serves requests on the connection until it closes. Runs on the connection's strand; never throws
// for network or protocol errors (a handler's exception becomes a 500).
boost::asio::awaitable<void> serve_connection(std::shared_ptr<ServerContext> context,
                                              std::shared_ptr<Connection> connection);

}  // namespace edgesync::http
