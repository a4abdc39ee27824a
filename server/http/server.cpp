// HttpServer: the acceptor, the registry of live connections, graceful stop.
#include "server/http/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <mutex>

#include "server/http/connection.hpp"

namespace edgesync::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

Result<tcp::endpoint> resolve_listen(asio::io_context& io, const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::invalid("listen: " + listen + " is not HOST:PORT", "listen");
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  error_code error;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, port, tcp::resolver::numeric_service, error);
  if (error || results.empty())
    return Status::invalid("listen: cannot resolve " + listen + ": " + error.message(), "listen");
  return results.begin()->endpoint();
}

class BeastServer final : public HttpServer {
 public:
  BeastServer(asio::io_context& io, const HttpConfig& config, RequestHandler& handler)
      : io_(io),
        acceptor_(asio::make_strand(io)),
        shared_(std::make_shared<ServerShared>()),
        grace_timer_(acceptor_.get_executor()) {
    shared_->config = config;
    shared_->handler = &handler;
  }

  Status bind(const std::string& listen) {
    auto endpoint = resolve_listen(io_, listen);
    if (!endpoint) return endpoint.status();
    error_code error;
    acceptor_.open(endpoint->protocol(), error);
    if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(*endpoint, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) return Status::invalid("listen: cannot listen on " + listen + ": " + error.message(), "listen");
    bound_ = acceptor_.local_endpoint(error);
    return Status::ok();
  }

  std::string host() const override { return bound_.address().to_string(); }
  uint16_t port() const override { return bound_.port(); }
  size_t active_requests() const override { return shared_->active_requests.load(); }

  void start() override { asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached); }

  void stop(std::function<void()> on_stopped) override {
    asio::post(acceptor_.get_executor(), [this, on_stopped = std::move(on_stopped)]() mutable {
      if (shared_->stopping.exchange(true)) return;
      error_code ignored;
      acceptor_.close(ignored);
      std::vector<std::shared_ptr<Connection>> live;
      {
        std::lock_guard lock(mutex_);
        on_stopped_ = std::move(on_stopped);
        for (auto& [id, connection] : connections_) live.push_back(connection);
      }
      // Idle connections close now; busy ones finish their request (keep-alive is off from here).
      for (auto& connection : live) close_if(connection, /*only_idle=*/true);
      grace_timer_.expires_after(std::chrono::seconds(shared_->config.shutdown_grace_seconds));
      grace_timer_.async_wait([this](const error_code& error) {
        if (error) return;
        std::vector<std::shared_ptr<Connection>> remaining;
        {
          std::lock_guard lock(mutex_);
          for (auto& [id, connection] : connections_) remaining.push_back(connection);
        }
        if (!remaining.empty())
          spdlog::warn("closing {} connection(s) still busy after the grace period", remaining.size());
        for (auto& connection : remaining) close_if(connection, /*only_idle=*/false);
      });
      finish_if_done();
    });
  }

 private:
  void close_if(const std::shared_ptr<Connection>& connection, bool only_idle) {
    asio::post(connection->stream.get_executor(), [connection, only_idle] {
      if (only_idle && !connection->idle) return;
      error_code ignored;
      connection->stream.socket().cancel(ignored);
      connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  void finish_if_done() {
    std::function<void()> callback;
    {
      std::lock_guard lock(mutex_);
      if (!shared_->stopping || !connections_.empty() || !on_stopped_) return;
      callback = std::move(on_stopped_);
      on_stopped_ = nullptr;
    }
    grace_timer_.cancel();
    callback();
  }

  asio::awaitable<void> accept_loop() {
    while (!shared_->stopping) {
      error_code error;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::make_strand(io_), asio::redirect_error(asio::use_awaitable, error));
      if (error) {
        if (shared_->stopping || error == asio::error::operation_aborted) break;
        spdlog::warn("accept failed: {}", error.message());
        continue;  // e.g. out of file descriptors: keep serving the others
      }
      socket.set_option(tcp::no_delay(true), error);
      auto connection = std::make_shared<Connection>(std::move(socket));
      uint64_t id;
      {
        std::lock_guard lock(mutex_);
        id = next_connection_id_++;
        connections_.emplace(id, connection);
      }
      asio::co_spawn(connection->stream.get_executor(), serve_connection(shared_, connection),
                     [this, id](std::exception_ptr failure) {
                       if (failure) {
                         try {
                           std::rethrow_exception(failure);
                         } catch (const std::exception& error) {
                           spdlog::error("connection failed: {}", error.what());
                         }
                       }
                       {
                         std::lock_guard lock(mutex_);
                         connections_.erase(id);
                       }
                       asio::post(acceptor_.get_executor(), [this] { finish_if_done(); });
                     });
    }
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  tcp::endpoint bound_;
  std::shared_ptr<ServerShared> shared_;
  asio::steady_timer grace_timer_;
  std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
  uint64_t next_connection_id_ = 0;
  std::function<void()> on_stopped_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::create(asio::io_context& io, const HttpConfig& config,
                                                       const std::string& listen, RequestHandler& handler) {
  auto server = std::make_unique<BeastServer>(io, config, handler);
  if (Status status = server->bind(listen); !status) return status;
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace edgesync::http
