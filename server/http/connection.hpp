// Internal to server/http: one connection's shared state and its coroutine.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <functional>
#include <memory>

#include "common/config.hpp"
#include "server/http/server.hpp"

namespace edgesync::http {

// Shared by the server and every connection coroutine.
struct ServerShared {
  HttpConfig config;
  RequestHandler* handler = nullptr;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> active_requests{0};
};

// One connection; shared with the server's registry so that stop() can close it on its strand.
struct Connection {
  explicit Connection(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
  boost::beast::tcp_stream stream;
  bool idle = true;  // waiting for the next request (touched only on the connection's strand)
};

// Serves requests on the connection until it closes; calls on_closed at the end.
boost::asio::awaitable<void> serve_connection(std::shared_ptr<ServerShared> shared,
                                              std::shared_ptr<Connection> connection);

}  // namespace edgesync::http
