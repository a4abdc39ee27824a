#include "tests/support/tcp_proxy.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <set>
#include <thread>

namespace edgesync::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
}

struct TcpProxy::State {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::atomic<uint16_t> target_port;
  std::atomic<uint64_t> to_client{0};
  std::atomic<uint64_t> to_server{0};
  std::atomic<int64_t> cut_at{-1};         // a to_client total; -1 = none
  std::atomic<int64_t> cut_server_at{-1};  // a to_server total; -1 = none
  std::atomic<bool> refuse{false};
  std::atomic<uint64_t> rate{0};
  // io thread only:
  std::set<std::shared_ptr<tcp::socket>> sockets;
  std::thread thread;
  const uint16_t port = acceptor.local_endpoint().port();  // read by any thread

  explicit State(uint16_t target) : target_port(target) {}

  void close_all() {
    for (auto& socket : sockets) {
      boost::system::error_code ignored;
      socket->set_option(asio::socket_base::linger(true, 0), ignored);  // RST: an abrupt cut
      socket->close(ignored);
    }
    sockets.clear();
  }

  // The coroutines hold no reference to the state: the destructor joins the io thread, and frames still
  // pending then are destroyed with the io_context (a reference would keep the state alive forever).
  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [error, accepted] = co_await acceptor.async_accept(kUseTuple);
      if (error) co_return;
      auto client = std::make_shared<tcp::socket>(std::move(accepted));
      if (refuse) {
        boost::system::error_code ignored;
        client->close(ignored);
        continue;
      }
      asio::co_spawn(io, connect_and_pump(client), asio::detached);
    }
  }

  asio::awaitable<void> connect_and_pump(std::shared_ptr<tcp::socket> client) {
    auto server = std::make_shared<tcp::socket>(io);
    auto [error] = co_await server->async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), target_port.load()), kUseTuple);
    if (error) {
      boost::system::error_code ignored;
      client->close(ignored);
      co_return;
    }
    sockets.insert(client);
    sockets.insert(server);
    asio::co_spawn(io, pump(client, server, false), asio::detached);
    asio::co_spawn(io, pump(server, client, true), asio::detached);
  }

  asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to, bool to_the_client) {
    std::vector<char> buffer(64 * 1024);
    while (true) {
      size_t want = buffer.size();
      const uint64_t limit = rate.load();
      if (to_the_client && limit > 0) want = std::min<size_t>(want, std::max<uint64_t>(1, limit / 100));
      std::atomic<int64_t>& cut = to_the_client ? cut_at : cut_server_at;
      if (cut.load() >= 0) {
        const int64_t left = cut.load() - static_cast<int64_t>((to_the_client ? to_client : to_server).load());
        if (left <= 0) {
          cut = -1;
          close_all();
          co_return;
        }
        want = std::min<size_t>(want, static_cast<size_t>(left));
      }
      auto [read_error, n] = co_await from->async_read_some(asio::buffer(buffer.data(), want), kUseTuple);
      if (read_error) break;
      auto [write_error, written] = co_await asio::async_write(*to, asio::buffer(buffer.data(), n), kUseTuple);
      if (write_error) break;
      (to_the_client ? to_client : to_server) += n;
      if (to_the_client && limit > 0) {
        asio::steady_timer pause(io, std::chrono::microseconds(n * 1'000'000 / limit));
        co_await pause.async_wait(kUseTuple);
      }
    }
    // One side ended: end the other too (a half-closed HTTP link is of no use here).
    boost::system::error_code ignored;
    to->shutdown(tcp::socket::shutdown_send, ignored);
    sockets.erase(from);
    from->close(ignored);
  }
};

TcpProxy::TcpProxy(uint16_t target_port) : state_(std::make_shared<State>(target_port)) {
  asio::co_spawn(state_->io, state_->accept_loop(), asio::detached);
  state_->thread = std::thread([state = state_] { state->io.run(); });
}

TcpProxy::~TcpProxy() {
  asio::post(state_->io, [state = state_] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
    state->close_all();
    state->io.stop();
  });
  state_->thread.join();
}

uint16_t TcpProxy::port() const {
  return state_->port;
}
uint64_t TcpProxy::bytes_to_client() const {
  return state_->to_client.load();
}
uint64_t TcpProxy::bytes_to_server() const {
  return state_->to_server.load();
}
void TcpProxy::reset_counters() {
  state_->to_client = 0;
  state_->to_server = 0;
}
void TcpProxy::cut_after_bytes_to_client(uint64_t n) {
  state_->cut_at = static_cast<int64_t>(state_->to_client.load() + n);
}
void TcpProxy::cut_after_bytes_to_server(uint64_t n) {
  state_->cut_server_at = static_cast<int64_t>(state_->to_server.load() + n);
}
void TcpProxy::drop_all() {
  asio::post(state_->io, [state = state_] { state->close_all(); });
}
void TcpProxy::set_refuse(bool refuse) {
  state_->refuse = refuse;
}
void TcpProxy::set_target_port(uint16_t port) {
  state_->target_port = port;
}
void TcpProxy::set_rate_limit(uint64_t bytes_per_second) {
  state_->rate = bytes_per_second;
}

}  // namespace edgesync::test
