// One connection's life: read a request head, let the handler choose how the body is read, run the
// handler, write the answer (a string or a stream in bounded pieces), repeat while kept alive.
#include <spdlog/spdlog.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "server/http/connection.hpp"

namespace edgesync::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr size_t kStreamPieceBytes = 64 * 1024;
constexpr auto kWriteTimeout = std::chrono::seconds(60);

// The Request a handler sees, over a Beast parser of either body kind.
template <class Body>
class ParsedRequest final : public Request {
 public:
  ParsedRequest(bhttp::request_parser<Body>& parser, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                const HttpConfig& config)
      : parser_(parser), stream_(stream), buffer_(buffer), config_(config) {}

  std::string_view method() const override { return parser_.get().method_string(); }
  std::string_view target() const override { return parser_.get().target(); }
  std::optional<std::string_view> header(std::string_view name) const override {
    auto found = parser_.get().find(name);
    if (found == parser_.get().end()) return std::nullopt;
    return found->value();
  }
  std::optional<uint64_t> content_length() const override {
    auto length = parser_.content_length();
    return length ? std::optional<uint64_t>(*length) : std::nullopt;
  }
  const std::string& body() const override {
    if constexpr (std::is_same_v<Body, bhttp::string_body>) {
      return parser_.get().body();
    } else {
      static const std::string kEmpty;
      return kEmpty;
    }
  }
  asio::awaitable<Result<size_t>> read_body_some(std::span<char> out) override {
    if constexpr (std::is_same_v<Body, bhttp::buffer_body>) {
      if (parser_.is_done() || out.empty()) co_return size_t{0};
      parser_.get().body().data = out.data();
      parser_.get().body().size = out.size();
      error_code error;
      stream_.expires_after(std::chrono::seconds(config_.read_timeout_seconds));
      co_await bhttp::async_read(stream_, buffer_, parser_, asio::redirect_error(asio::use_awaitable, error));
      if (error == bhttp::error::need_buffer) error = {};
      if (error) co_return Status::invalid("reading the request body failed: " + error.message());
      co_return out.size() - parser_.get().body().size;
    } else {
      co_return Status::internal("this route's body is buffered");
    }
  }
  std::string remote_endpoint() const override {
    error_code error;
    auto endpoint = stream_.socket().remote_endpoint(error);
    return error ? std::string("?") : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  bool body_complete() const { return parser_.is_done(); }

 private:
  bhttp::request_parser<Body>& parser_;
  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  const HttpConfig& config_;
};

void add_standard_headers(bhttp::fields& fields, const Response& response) {
  fields.set(bhttp::field::cache_control, "no-store, no-cache, must-revalidate");
  fields.set(bhttp::field::pragma, "no-cache");
  fields.set(bhttp::field::strict_transport_security, "max-age=63072000; includeSubDomains; preload");
  for (const auto& [name, value] : response.headers) fields.set(name, value);
}

// Writes the answer; false when the connection must close (write failed, stream source failed).
asio::awaitable<bool> write_response(beast::tcp_stream& stream, Response& response, bool keep_alive, bool head) {
  error_code error;
  stream.expires_after(kWriteTimeout);
  if (!response.stream) {
    bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), 11};
    add_standard_headers(message.base(), response);
    message.keep_alive(keep_alive);
    const size_t length = response.body.size();
    if (!head) message.body() = std::move(response.body);
    message.content_length(length);
    bhttp::response_serializer<bhttp::string_body> serializer{message};
    if (head) {
      co_await bhttp::async_write_header(stream, serializer, asio::redirect_error(asio::use_awaitable, error));
    } else {
      co_await bhttp::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, error));
    }
    co_return !error;
  }

  bhttp::response<bhttp::buffer_body> message{static_cast<bhttp::status>(response.status), 11};
  add_standard_headers(message.base(), response);
  message.keep_alive(keep_alive);
  message.content_length(response.stream->length);
  message.body().data = nullptr;
  message.body().more = !head && response.stream->length > 0;
  bhttp::response_serializer<bhttp::buffer_body> serializer{message};
  co_await bhttp::async_write_header(stream, serializer, asio::redirect_error(asio::use_awaitable, error));
  if (error) co_return false;
  if (head) co_return true;

  std::vector<char> piece(kStreamPieceBytes);
  uint64_t remaining = response.stream->length;
  while (remaining > 0) {
    auto produced = response.stream->source(std::span<char>(piece.data(), std::min<uint64_t>(piece.size(), remaining)));
    if (!produced || *produced == 0) {
      spdlog::warn("response stream failed: {}", produced ? "ended early" : produced.status().message());
      co_return false;  // the length is promised: the only honest end is to close the connection
    }
    remaining -= *produced;
    message.body().data = piece.data();
    message.body().size = *produced;
    message.body().more = remaining > 0;
    stream.expires_after(kWriteTimeout);
    co_await bhttp::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, error));
    if (error == bhttp::error::need_buffer) error = {};
    if (error) co_return false;
  }
  if (!serializer.is_done()) {
    message.body().data = nullptr;
    message.body().more = false;
    co_await bhttp::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, error));
    if (error && error != bhttp::error::need_buffer) co_return false;
  }
  co_return true;
}

Response plain_error(int status, std::string text) {
  return Response::text(status, std::move(text) + "\n");
}

// Runs the handler; a throwing handler answers 500 and the connection lives on.
asio::awaitable<Response> call_handler(ServerShared& shared, Request& request) {
  try {
    co_return co_await shared.handler->handle(request);
  } catch (const std::exception& error) {
    spdlog::error("handler failed on {} {}: {}", request.method(), request.target(), error.what());
  }
  co_return plain_error(500, "internal error");
}

// Reads the body as the handler asked, calls it, answers. Returns whether to keep the connection.
template <class Body>
asio::awaitable<bool> handle_with_body(ServerShared& shared, Connection& connection, beast::flat_buffer& buffer,
                                       bhttp::request_parser<bhttp::empty_body>& head_parser) {
  bhttp::request_parser<Body> parser(std::move(head_parser));
  const bool head = parser.get().method() == bhttp::verb::head;
  bool keep_alive = parser.get().keep_alive();
  error_code error;

  if constexpr (std::is_same_v<Body, bhttp::string_body>) {
    // The head was read without a limit, so Beast has not compared Content-Length with ours: do it
    // here; a chunked body is held to the limit by the parser as it reads.
    const uint64_t limit = shared.config.max_metadata_bytes;
    parser.body_limit(limit);
    if (auto length = parser.content_length(); length && *length > limit) error = bhttp::error::body_limit;
    if (!error) {
      connection.stream.expires_after(std::chrono::seconds(shared.config.read_timeout_seconds));
      co_await bhttp::async_read(connection.stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
    }
    if (error == bhttp::error::body_limit) {
      Response refused = plain_error(413, "The request body is larger than the limit of " +
                                              std::to_string(shared.config.max_metadata_bytes) + " bytes");
      co_await write_response(connection.stream, refused, false, head);
      co_return false;  // the rest of the body was not read: the connection cannot be reused
    }
    if (error) {
      if (error != bhttp::error::end_of_stream && error != beast::error::timeout) {
        Response refused = plain_error(400, "Malformed request: " + error.message());
        co_await write_response(connection.stream, refused, false, head);
      }
      co_return false;
    }
  } else {
    parser.body_limit(boost::none);  // streamed: the handler decides how much it takes
  }

  const auto started = std::chrono::steady_clock::now();
  ParsedRequest<Body> request(parser, connection.stream, buffer, shared.config);
  ++shared.active_requests;
  Response response = co_await call_handler(shared, request);
  --shared.active_requests;
  // A body the handler left unread would be taken for the next request: close instead.
  if (!request.body_complete()) keep_alive = false;
  if (shared.stopping) keep_alive = false;
  const bool written = co_await write_response(connection.stream, response, keep_alive, head);
  spdlog::debug(
      "{} {} {} {} ms", request.method(), request.target(), response.status,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  co_return written&& keep_alive;
}

}  // namespace

asio::awaitable<void> serve_connection(std::shared_ptr<ServerShared> shared, std::shared_ptr<Connection> connection) {
  beast::flat_buffer buffer;
  while (!shared->stopping) {
    bhttp::request_parser<bhttp::empty_body> head_parser;
    head_parser.header_limit(shared->config.max_header_bytes);
    head_parser.body_limit(boost::none);  // each body kind sets its own limit once the route is known
    head_parser.eager(false);
    error_code error;
    connection->idle = true;
    connection->stream.expires_after(std::chrono::seconds(shared->config.idle_timeout_seconds));
    co_await bhttp::async_read_header(connection->stream, buffer, head_parser,
                                      asio::redirect_error(asio::use_awaitable, error));
    connection->idle = false;
    if (error == bhttp::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::operation_aborted || error == asio::error::connection_reset ||
        error == asio::error::bad_descriptor) {
      break;
    }
    if (error) {
      const bool too_large = error == bhttp::error::header_limit;
      Response refused = too_large ? plain_error(431, "Request header fields too large")
                                   : plain_error(400, "Malformed request: " + error.message());
      co_await write_response(connection->stream, refused, false, false);
      break;
    }
    auto& head = head_parser.get();
    // curl and others wait for this before sending a large body.
    if (auto expect = head.find(bhttp::field::expect);
        expect != head.end() && beast::iequals(expect->value(), "100-continue")) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
      co_await bhttp::async_write(connection->stream, go_on, asio::redirect_error(asio::use_awaitable, error));
      if (error) break;
    }
    const BodyMode mode = shared->handler->body_mode(head.method_string(), head.target());
    // Not a ?: with a co_await in each arm: GCC 12 miscompiles that.
    bool keep = false;
    if (mode == BodyMode::kStreamed) {
      keep = co_await handle_with_body<bhttp::buffer_body>(*shared, *connection, buffer, head_parser);
    } else {
      keep = co_await handle_with_body<bhttp::string_body>(*shared, *connection, buffer, head_parser);
    }
    if (!keep) break;
  }
  error_code ignored;
  connection->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  connection->stream.socket().close(ignored);
}

}  // namespace edgesync::http
