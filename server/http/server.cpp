// HttpServer: binding, the accept loop, the registry of live connections and graceful stop (the
// listener of Beast's advanced server example, plus a stop that lets requests in flight finish).
#include "server/http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <mutex>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "server/http/session.hpp"
#include "server/http/tls_context.hpp"
#include "server/http/unix_socket_file.hpp"

namespace edgesync::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using local = asio::local::stream_protocol;

namespace {

// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (every interface) → the endpoints to try, in resolver order.
Result<std::vector<tcp::endpoint>> resolve_listen(asio::io_context& io, const std::string& listen) {
  const auto invalid = [&listen](const std::string& why) {
    return Status::invalid("listen address \"" + listen + "\": " + why, "listen");
  };
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return invalid("expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  const auto [end, parse_error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || parse_error != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return invalid("the port must be a number from 0 to 65535");
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return invalid("an IPv6 address must be written [ADDRESS]");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return invalid("an IPv6 address must be written [ADDRESS]:PORT");
  }
  if (host.empty() || host == "*") return std::vector<tcp::endpoint>{{tcp::v4(), static_cast<uint16_t>(port)}};

  error_code error;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, port_text, tcp::resolver::numeric_service, error);
  if (error || results.empty()) return invalid("cannot resolve " + host + ": " + error.message());
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  return endpoints;
}

// Shared (by shared_ptr) between the HttpServer object, the accept loop and every session's completion,
// so that none of them outlives what it touches. The acceptor, the grace timer, `accepting_` and
// `on_stopped_` live on the acceptor's strand; `connections_` is under `mutex_` because sessions
// leave from their own strands. Protocol is TCP or a Unix socket; the rest does not depend on it.
template <class Protocol>
class Listener : public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<ServerContext> context)
      : io_(io),
        context_(std::move(context)),
        acceptor_(asio::make_strand(io)),
        grace_timer_(acceptor_.get_executor()) {}

  ~Listener() {
    if constexpr (std::is_same_v<Protocol, local>) remove_socket_file();
  }

  Status bind(const std::string& listen) requires std::is_same_v<Protocol, tcp> {
    auto endpoints = resolve_listen(io_, listen);
    if (!endpoints) return endpoints.status();
    error_code error;
    for (const tcp::endpoint& endpoint : *endpoints) {
      error = {};
      acceptor_.open(endpoint.protocol(), error);
      if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
      if (!error) acceptor_.bind(endpoint, error);
      if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
      if (!error) {
        bound_ = acceptor_.local_endpoint(error);
        if (!error) return Status::ok();
      }
      error_code ignored;
      acceptor_.close(ignored);
    }
    return Status::invalid("cannot listen on " + listen + ": " + error.message(), "listen");
  }

  // Binds, sets the file mode, then listens: nobody can connect before the mode is in place.
  Status bind(const std::string& path, uint32_t mode) requires std::is_same_v<Protocol, local> {
    if (Status cleared = clear_stale_socket_file(path); !cleared) return cleared;
    const auto failed = [&path](const std::string& step, const error_code& error) {
      return Status::invalid("http.unix_socket: cannot " + step + " " + path + ": " + error.message(),
                             "http.unix_socket");
    };
    error_code error;
    acceptor_.open(local(), error);
    if (error) return failed("open a socket for", error);
    acceptor_.bind(local::endpoint(path), error);
    if (error) return failed("bind", error);
    auto identity = identify_file(path);
    if (!identity) return identity.status();
    socket_path_ = path;
    socket_file_ = *identity;
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0)
      return failed("set the file mode of", error_code(errno, boost::system::system_category()));
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) return failed("listen on", error);
    bound_ = acceptor_.local_endpoint(error);
    return Status::ok();
  }

  const typename Protocol::endpoint& bound() const { return bound_; }
  bool tls() const { return context_->tls != nullptr; }
  size_t active_requests() const { return context_->active_requests.load(); }

  void start() {
    asio::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      if (self->started_ || self->context_->stopping) return;
      self->started_ = true;
      self->accepting_ = true;
      asio::co_spawn(self->acceptor_.get_executor(), self->accept_loop(), [self](std::exception_ptr failure) {
        if (failure) spdlog::warn("the accept loop failed; no new connections are accepted");
        self->accepting_ = false;
        self->finish_if_done();
      });
    });
  }

  void stop(std::function<void()> on_stopped) {
    asio::post(acceptor_.get_executor(),
               [self = this->shared_from_this(), on_stopped = std::move(on_stopped)]() mutable {
                 self->begin_stop(std::move(on_stopped));
               });
  }

 private:
  // On the acceptor's strand.
  void begin_stop(std::function<void()> on_stopped) {
    if (on_stopped) on_stopped_.push_back(std::move(on_stopped));
    if (!context_->stopping.exchange(true)) {
      error_code ignored;
      acceptor_.close(ignored);  // the pending accept ends with operation_aborted
      if constexpr (std::is_same_v<Protocol, local>) remove_socket_file();
      // Idle connections close now; busy ones finish their request with keep-alive off.
      for (auto& connection : live_connections()) {
        asio::post(connection->executor(), [connection] { connection->close_if_idle(); });
      }
      grace_timer_.expires_after(std::chrono::seconds(context_->config.shutdown_grace_seconds));
      grace_timer_.async_wait([self = this->shared_from_this()](const error_code& error) {
        if (!error) self->force_close_remaining();
      });
    }
    finish_if_done();
  }

  // On the acceptor's strand, when the grace period is over.
  void force_close_remaining() {
    const auto remaining = live_connections();
    if (remaining.empty()) return;
    spdlog::warn("closing {} connection(s) still busy after the {} s grace period", remaining.size(),
                 context_->config.shutdown_grace_seconds);
    for (auto& connection : remaining) {
      asio::post(connection->executor(), [connection] { connection->force_close(); });
    }
  }

  // On the acceptor's strand: calls the stop callbacks once nothing is left running.
  void finish_if_done() {
    if (!context_->stopping || accepting_ || on_stopped_.empty()) return;
    {
      std::lock_guard lock(mutex_);
      if (!connections_.empty()) return;
    }
    grace_timer_.cancel();
    auto callbacks = std::move(on_stopped_);
    on_stopped_.clear();
    for (auto& callback : callbacks) callback();
  }

  std::vector<std::shared_ptr<Connection>> live_connections() {
    std::vector<std::shared_ptr<Connection>> live;
    std::lock_guard lock(mutex_);
    live.reserve(connections_.size());
    for (auto& [id, connection] : connections_) live.push_back(connection);
    return live;
  }

  // On the acceptor's strand. Each connection gets a strand of its own.
  asio::awaitable<void> accept_loop() {
    asio::steady_timer pause(acceptor_.get_executor());
    while (true) {
      error_code error;
      typename Protocol::socket socket =
          co_await acceptor_.async_accept(asio::make_strand(io_), asio::redirect_error(asio::use_awaitable, error));
      if (context_->stopping || error == asio::error::operation_aborted) break;  // an accepted socket closes here
      if (error) {
        // Out of file descriptors, typically: keep the others served, and do not spin on the error.
        spdlog::warn("accepting a connection failed: {}", error.message());
        pause.expires_after(std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
        continue;
      }
      spawn_session(std::move(socket));
    }
  }

  void spawn_session(typename Protocol::socket socket) {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);  // answers are written whole: do not delay them
    }
    std::shared_ptr<Connection> connection = make_connection(std::move(socket), *context_);
    uint64_t id = 0;
    {
      std::lock_guard lock(mutex_);
      id = next_connection_id_++;
      connections_.emplace(id, connection);
    }
    // The completion holds the connection too: its cancellation signal must outlive the coroutine.
    auto on_done = [self = this->shared_from_this(), id, connection](std::exception_ptr failure) {
      if (failure) {
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& error) {
          spdlog::warn("a connection ended with an exception: {}", error.what());
        } catch (...) {
          spdlog::warn("a connection ended with an unknown exception");
        }
      }
      self->forget(id);
    };
    asio::co_spawn(connection->executor(), serve_connection(context_, connection),
                   asio::bind_cancellation_slot(connection->cancellation_slot(), std::move(on_done)));
  }

  // From the connection's strand, when its session ended.
  void forget(uint64_t id) {
    {
      std::lock_guard lock(mutex_);
      connections_.erase(id);
    }
    if (context_->stopping)
      asio::post(acceptor_.get_executor(), [self = this->shared_from_this()] { self->finish_if_done(); });
  }

  // Once: at stop, or when a listener that was never stopped goes away.
  void remove_socket_file() {
    if (socket_path_.empty()) return;
    remove_socket_file_if_same(socket_path_, socket_file_);
    socket_path_.clear();
  }

  asio::io_context& io_;
  const std::shared_ptr<ServerContext> context_;
  typename Protocol::acceptor acceptor_;
  typename Protocol::endpoint bound_;
  std::string socket_path_;  // Unix sockets: the file this listener created (removed at stop)
  FileIdentity socket_file_;
  asio::steady_timer grace_timer_;
  bool started_ = false;
  bool accepting_ = false;
  std::vector<std::function<void()>> on_stopped_;

  std::mutex mutex_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;
  uint64_t next_connection_id_ = 0;
};

template <class Protocol>
class BeastServer final : public HttpServer {
 public:
  explicit BeastServer(std::shared_ptr<Listener<Protocol>> listener) : listener_(std::move(listener)) {}
  // Without a stop() first, at least the port is released and idle connections close; requests in
  // flight still run against the handler, which the owner must keep alive until they end.
  ~BeastServer() override { listener_->stop(nullptr); }

  std::string host() const override {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      return listener_->bound().address().to_string();
    } else {
      return std::string(listener_->bound().path());
    }
  }
  uint16_t port() const override {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      return listener_->bound().port();
    } else {
      return 0;
    }
  }
  bool tls() const override { return listener_->tls(); }
  size_t active_requests() const override { return listener_->active_requests(); }
  void start() override { listener_->start(); }
  void stop(std::function<void()> on_stopped) override { listener_->stop(std::move(on_stopped)); }

 private:
  std::shared_ptr<Listener<Protocol>> listener_;
};

// Downloads go out with sendfile(2), which cannot be told MSG_NOSIGNAL: a peer that resets the
// connection would raise SIGPIPE and its default action ends the process. Every other write already
// passes MSG_NOSIGNAL (Asio, send_now), so ignoring the signal changes nothing else: the write fails
// with EPIPE and that connection alone ends. A process-wide setting, hence made by every server.
void ignore_broken_pipes() {
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::create(asio::io_context& io, const HttpConfig& config,
                                                       const std::string& listen, RequestHandler& handler) {
  ignore_broken_pipes();
  std::shared_ptr<asio::ssl::context> tls_context;
  if (config.tls.enabled()) {
    auto made = make_server_tls_context(config.tls);
    if (!made) return made.status();
    tls_context = std::move(*made);
  }
  auto listener = std::make_shared<Listener<tcp>>(io, std::make_shared<ServerContext>(config, handler, tls_context));
  if (Status status = listener->bind(listen); !status) return status;
  return std::unique_ptr<HttpServer>(std::make_unique<BeastServer<tcp>>(std::move(listener)));
}

Result<std::unique_ptr<HttpServer>> HttpServer::create_unix(asio::io_context& io, const HttpConfig& config,
                                                            RequestHandler& handler) {
  ignore_broken_pipes();
  auto listener = std::make_shared<Listener<local>>(io, std::make_shared<ServerContext>(config, handler));
  if (Status status = listener->bind(config.unix_socket, config.unix_socket_mode); !status) return status;
  return std::unique_ptr<HttpServer>(std::make_unique<BeastServer<local>>(std::move(listener)));
}

}  // namespace edgesync::http
