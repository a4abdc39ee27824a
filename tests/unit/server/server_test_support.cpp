// The test handler, the in-process server fixture and the synchronous Beast client of the HTTP server
// tests. The client runs each operation on its own io_context with a tcp_stream deadline.
#include "tests/unit/server/server_test_support.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace edgesync::http::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

uint64_t fnv1a(uint64_t hash, const char* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 1099511628211ULL;
  }
  return hash;
}
constexpr uint64_t kFnvBasis = 14695981039346656037ULL;

std::string digest_text(uint64_t size, uint64_t hash) {
  char text[64];
  std::snprintf(text, sizeof text, "%llu:%016llx", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(hash));
  return text;
}

uint64_t number_param(const Request& request, std::string_view name, uint64_t fallback) {
  const auto value = request.query_param(name);
  return value ? std::stoull(*value) : fallback;
}

}  // namespace

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto give_up = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::string pattern(size_t size, unsigned seed) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * seed + (i >> 8) + seed) % 256);
  return bytes;
}

std::string digest_of(std::string_view bytes) {
  return digest_text(bytes.size(), fnv1a(kFnvBasis, bytes.data(), bytes.size()));
}

std::string chunked(std::string_view bytes, size_t piece_size) {
  std::string encoded;
  for (size_t offset = 0; offset < bytes.size(); offset += piece_size) {
    const std::string_view piece = bytes.substr(offset, piece_size);
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
    encoded.append(size_line).append(piece).append("\r\n");
  }
  return encoded + "0\r\n\r\n";
}

// ---- handler ------------------------------------------------------------------------------------

BodyMode TestHandler::body_mode(std::string_view, std::string_view target) const {
  return target.rfind("/stream/", 0) == 0 ? BodyMode::kStreamed : BodyMode::kBuffered;
}

asio::awaitable<Response> TestHandler::handle(Request& request) {
  const std::string path(request.path());
  if (path == "/echo") co_return Response::text(200, request.body());
  if (path == "/throw") throw std::runtime_error("a handler bug");
  if (path == "/stream/ignore") co_return Response::text(403, "not for you");
  if (path == "/stream/digest") {
    std::vector<char> piece(70000);  // not a multiple of anything the server uses
    uint64_t size = 0;
    uint64_t hash = kFnvBasis;
    while (true) {
      auto got = co_await request.read_body_some(piece);
      if (!got) {
        ++body_read_failures;
        co_return Response::text(400, got.status().message());
      }
      if (*got == 0) break;
      hash = fnv1a(hash, piece.data(), *got);
      size += *got;
    }
    co_return Response::text(200, digest_text(size, hash));
  }
  if (path == "/download") {
    const uint64_t size = number_param(request, "size", 0);
    const uint64_t fail_at = number_param(request, "fail_at", UINT64_MAX);
    auto whole = std::make_shared<std::string>(pattern(static_cast<size_t>(size), 3));
    auto offset = std::make_shared<uint64_t>(0);
    Response response;
    response.set_header("Content-Type", "application/octet-stream");
    response.stream = StreamedBody{size, [whole, offset, fail_at](std::span<char> out) -> Result<size_t> {
                                     if (*offset >= fail_at) return Status::io_error("the disk went away");
                                     const size_t n = std::min<uint64_t>(out.size(), whole->size() - *offset);
                                     std::copy_n(whole->data() + *offset, n, out.data());
                                     *offset += n;
                                     return n;
                                   }};
    co_return response;
  }
  if (path == "/status") {
    Response response = Response::empty(static_cast<int>(number_param(request, "code", 200)));
    if (request.query_param("close")) response.set_header("Connection", "close");
    co_return response;
  }
  if (path == "/header") {
    const auto value = request.header(request.query_param("name").value_or(""));
    Response response = Response::text(200, std::string(value.value_or("<none>")));
    response.set_header("X-Reply", "yes");
    co_return response;
  }
  if (path == "/slow") {
    ++slow_started;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!release_slow) {
      timer.expires_after(std::chrono::milliseconds(2));
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return Response::text(200, "slow done");
  }
  if (path == "/hang") {
    ++hang_started;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::minutes(5));
    error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted) ++hang_cancelled;
    co_return Response::text(503, "hang ended");
  }
  co_return Response::empty(404);
}

// ---- server fixture -------------------------------------------------------------------------------

HttpConfig test_config() {
  HttpConfig config;
  config.max_header_bytes = 4096;
  config.max_metadata_bytes = 1000;
  config.idle_timeout_seconds = 1;
  config.read_timeout_seconds = 5;
  config.shutdown_grace_seconds = 20;
  return config;
}

struct TestServer::Io {
  asio::io_context io{2};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
};

TestServer::TestServer(const HttpConfig& config, Listen listen) : io_(std::make_unique<Io>()) {
  // EDGESYNC_TEST_DEBUG=1 shows the server's per-request log lines.
  if (std::getenv("EDGESYNC_TEST_DEBUG") != nullptr) spdlog::set_level(spdlog::level::debug);
  auto created = listen == Listen::kTcp ? HttpServer::create(io_->io, config, "127.0.0.1:0", handler_)
                                        : HttpServer::create_unix(io_->io, config, handler_);
  if (!created) throw std::runtime_error("cannot create the server: " + created.status().message());
  server_ = std::move(*created);
  server_->start();
  for (int i = 0; i < 2; ++i) io_->threads.emplace_back([this] { io_->io.run(); });
}

TestServer::~TestServer() {
  if (!stop_requested_) stop();
  handler_.release_slow = true;
  wait_until([this] { return stopped(); }, std::chrono::seconds(30));
  io_->work.reset();
  io_->io.stop();
  for (auto& thread : io_->threads) thread.join();
}

void TestServer::stop() {
  stop_requested_ = true;
  server_->stop([this] {
    ++on_stopped_calls_;
    stopped_ = true;
  });
}

// ---- client ---------------------------------------------------------------------------------------

struct TestClient::Impl {
  asio::io_context io;
  beast::tcp_stream stream{io};
  // HTTPS: TLS over `stream` (whose deadline still bounds every operation).
  std::optional<asio::ssl::context> tls_context;
  std::optional<asio::ssl::stream<beast::tcp_stream&>> tls;
  beast::flat_buffer buffer;
  std::chrono::seconds deadline;
  bool connected = false;
  std::string connect_error;

  // Calls use(stream) with the TLS stream or the TCP one.
  template <class Use>
  auto with_stream(Use&& use) {
    return tls ? use(*tls) : use(stream);
  }
  // Asio reports the end of a connection once: a read after it would wait for an event that never
  // comes. So remember it.
  bool peer_closed = false;

  void note(const error_code& error) {
    if (error == asio::error::eof || error == asio::error::connection_reset || error == bhttp::error::end_of_stream ||
        error == bhttp::error::partial_message || error == asio::ssl::error::stream_truncated)
      peer_closed = true;
  }

  // Runs one asynchronous operation to its end; the stream's deadline bounds it.
  template <class Initiate>
  error_code run(Initiate&& initiate, std::chrono::steady_clock::duration limit) {
    error_code result = asio::error::would_block;
    stream.expires_after(limit);
    initiate([&result](error_code error, auto&&...) { result = error; });
    io.restart();
    io.run();
    return result;
  }
  template <class Initiate>
  error_code run(Initiate&& initiate) {
    return run(std::forward<Initiate>(initiate), deadline);
  }
};

TestClient::TestClient(uint16_t port, std::chrono::seconds deadline) : impl_(std::make_unique<Impl>()) {
  impl_->deadline = deadline;
  impl_->buffer.reserve(256 * 1024);  // Beast reads no more than the free capacity at a time
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  const error_code error = impl_->run([&](auto handler) { impl_->stream.async_connect(endpoint, handler); });
  impl_->connected = !error;
  if (error) impl_->connect_error = error.message();
}

TestClient::TestClient(uint16_t port, const std::string& ca_file, std::chrono::seconds deadline)
    : TestClient(port, deadline) {
  if (!impl_->connected) return;
  impl_->tls_context.emplace(asio::ssl::context::tls_client);
  impl_->tls_context->set_verify_mode(asio::ssl::verify_peer);
  impl_->tls_context->load_verify_file(ca_file);
  impl_->tls.emplace(impl_->stream, *impl_->tls_context);
  impl_->tls->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  const error_code error =
      impl_->run([&](auto handler) { impl_->tls->async_handshake(asio::ssl::stream_base::client, handler); });
  impl_->connected = !error;
  if (error) impl_->connect_error = error.message();
}

TestClient::~TestClient() = default;

bool TestClient::connected() const {
  return impl_->connected;
}

const std::string& TestClient::connect_error() const {
  return impl_->connect_error;
}

bool TestClient::send(std::string_view bytes) {
  const error_code error = impl_->run([&](auto handler) {
    impl_->with_stream(
        [&](auto& stream) { asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), handler); });
  });
  return !error;
}

Reply TestClient::read_reply(bool head_request) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  parser.header_limit(64 * 1024);
  if (head_request) parser.skip(true);
  const error_code error = impl_->run([&](auto handler) {
    impl_->with_stream([&](auto& stream) { bhttp::async_read(stream, impl_->buffer, parser, handler); });
  });
  impl_->note(error);
  Reply reply;
  if (error) {
    reply.error = error.message();
    return reply;
  }
  const auto& message = parser.get();
  reply.ok = true;
  reply.status = static_cast<int>(message.result_int());
  reply.version = message.version();
  reply.keep_alive = message.keep_alive();
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = message.body();
  return reply;
}

Reply TestClient::request(const std::string& method, const std::string& target, const std::string& body,
                          const Headers& headers) {
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  if (!send(head + body)) {
    Reply failed;
    failed.error = "send failed";
    return failed;
  }
  return read_reply(method == "HEAD");
}

std::string TestClient::read_until_closed() {
  std::string received;
  for (const auto& piece : beast::buffers_range(impl_->buffer.data()))
    received.append(static_cast<const char*>(piece.data()), piece.size());
  impl_->buffer.consume(impl_->buffer.size());
  char piece[16384];
  while (!impl_->peer_closed) {
    size_t got = 0;
    const error_code error = impl_->run([&](auto handler) {
      impl_->with_stream([&](auto& stream) {
        stream.async_read_some(asio::buffer(piece), [&got, handler](error_code e, size_t n) mutable {
          got = n;
          handler(e, n);
        });
      });
    });
    received.append(piece, got);
    impl_->note(error);
    if (error) break;
  }
  return received;
}

bool TestClient::wait_closed(std::chrono::milliseconds deadline) {
  const auto give_up = std::chrono::steady_clock::now() + deadline;
  char piece[16384];
  while (!impl_->peer_closed && std::chrono::steady_clock::now() < give_up) {
    const error_code error = impl_->run(
        [&](auto handler) {
          impl_->with_stream([&](auto& stream) { stream.async_read_some(asio::buffer(piece), handler); });
        },
        give_up - std::chrono::steady_clock::now());
    impl_->note(error);
    if (impl_->peer_closed) return true;
    if (error) return false;  // the deadline passed (timeout) or something unexpected
  }
  return impl_->peer_closed;
}

std::string exchange_raw(uint16_t port, std::string_view bytes) {
  TestClient client(port);
  if (!client.connected() || !client.send(bytes)) return {};
  return client.read_until_closed();
}

}  // namespace edgesync::http::test
