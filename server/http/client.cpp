// HttpClient: one connection (plain TCP, or TLS over it for https) driven by one coroutine; a request
// is written and its answer read by exchange_on(), compiled for both kinds of stream.
#include "server/http/client.hpp"

#include <strings.h>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <tuple>

#include "server/http/streams.hpp"
#include "server/http/tls_context.hpp"

namespace edgesync::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kPieceBytes = 256 * 1024;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// "host:port", with an IPv6 address in brackets: for the Host header and for messages.
std::string authority_of(const Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "PUT" || method == "DELETE" || method == "HEAD";
}

}  // namespace

Result<Url> parse_url(std::string_view text) {
  const std::string quoted = "URL '" + std::string(text) + "'";
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return Status::invalid(quoted + " has no scheme (expected http:// or https://)");
  url.scheme = std::string(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https")
    return Status::invalid(quoted + ": scheme '" + url.scheme + "' is not supported, only http and https");
  url.port = url.scheme == "https" ? 443 : 80;
  std::string_view rest = text.substr(scheme_end + 3);
  // A fragment never goes on the wire. A query stays in base_path: webhook URLs are whole targets.
  rest = rest.substr(0, rest.find('#'));
  const size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    url.base_path = std::string(rest.substr(path_start));
    if (url.base_path[0] == '?') url.base_path.insert(0, "/");
    const bool has_query = url.base_path.find('?') != std::string::npos;
    while (!has_query && !url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  }
  if (authority.find('@') != std::string_view::npos) return Status::invalid(quoted + " has user information");
  // The port follows the last colon, unless that colon is inside an IPv6 literal ("[::1]").
  std::string_view host = authority;
  std::string_view port;
  const size_t colon = authority.rfind(':');
  const size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return Status::invalid(quoted + " has a bad port '" + std::string(port) + "' (expected 1-65535)");
    url.port = static_cast<uint16_t>(value);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return Status::invalid(quoted + " has no host");
  if (host.find_first_of("[] ") != std::string_view::npos) return Status::invalid(quoted + " has a malformed host");
  url.host = std::string(host);
  return url;
}

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return std::nullopt;
}

struct HttpClient::Connection {
  explicit Connection(asio::any_io_executor executor) : plain(std::in_place, std::move(executor)) {
    // Beast reads as much as the buffer's free capacity: a fresh buffer would read 512 bytes at a time.
    buffer.reserve(kPieceBytes);
  }
  // Exactly one is set: `plain` until a TLS handshake starts, which moves the socket into `secure`.
  std::optional<TcpStream> plain;
  std::optional<TlsStream> secure;
  TcpStream& timed() { return secure ? secure->next_layer() : *plain; }
  beast::flat_buffer buffer;
  bool used = false;  // carried a request before: a failure may just mean the server closed it
};

HttpClient::HttpClient(asio::any_io_executor executor, Url url, ClientOptions options)
    : executor_(std::move(executor)), url_(std::move(url)), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

void HttpClient::close() {
  aborted_ = true;
  if (!connection_) return;
  beast::error_code ignored;
  connection_->timed().socket().shutdown(tcp::socket::shutdown_both, ignored);
  connection_->timed().cancel();
  connection_->timed().socket().close(ignored);
}

asio::awaitable<Status> HttpClient::ensure_connected(std::chrono::steady_clock::time_point connect_deadline) {
  if (connection_ && connection_->timed().socket().is_open()) co_return Status::ok();
  const std::string where = authority_of(url_);
  const bool https = url_.scheme == "https";
  if (https && !tls_context_) {
    auto made = make_client_tls_context(options_.ca_file);
    if (!made) co_return Status::unavailable("cannot connect to " + where + " over https: " + made.status().message());
    tls_context_ = std::move(*made);
  }
  connection_ = std::make_unique<Connection>(executor_);
  // The resolver has no deadline of its own; hosts are addresses or local names in practice.
  tcp::resolver resolver(executor_);
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(url_.host, std::to_string(url_.port), kUseTuple);
  if (aborted_) co_return Status::unavailable("the request to " + where + " was cancelled");
  if (resolve_error) co_return Status::unavailable("cannot resolve " + where + ": " + resolve_error.message());
  connection_->plain->expires_at(connect_deadline);
  auto [connect_error, endpoint] = co_await connection_->plain->async_connect(endpoints, kUseTuple);
  if (connect_error || aborted_) {
    connection_.reset();
    if (aborted_) co_return Status::unavailable("the request to " + where + " was cancelled");
    if (connect_error == beast::error::timeout) co_return Status::unavailable("connecting to " + where + " timed out");
    co_return Status::unavailable("cannot connect to " + where + ": " + connect_error.message());
  }
  connection_->plain->socket().set_option(tcp::no_delay(true));
  if (!https) co_return Status::ok();

  Connection& connection = *connection_;
  connection.secure.emplace(std::move(*connection.plain), *tls_context_);
  connection.plain.reset();
  expect_peer_name(connection.secure->native_handle(), url_.host);
  connection.secure->next_layer().expires_at(connect_deadline);
  auto [handshake_error] = co_await connection.secure->async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (handshake_error || aborted_) {
    const std::string why = describe_handshake_error(connection.secure->native_handle(), handshake_error);
    connection_.reset();
    if (aborted_) co_return Status::unavailable("the request to " + where + " was cancelled");
    if (handshake_error == beast::error::timeout)
      co_return Status::unavailable("the TLS handshake with " + where + " timed out");
    co_return Status::unavailable("the TLS handshake with " + where + " failed: " + why);
  }
  co_return Status::ok();
}

asio::awaitable<Result<ClientResponse>> HttpClient::request(ClientRequest request) {
  co_return co_await exchange(request, nullptr, std::nullopt);
}

asio::awaitable<Result<ClientResponse>> HttpClient::download(ClientRequest request, BodySink sink) {
  co_return co_await exchange(request, &sink, std::nullopt);
}

asio::awaitable<Result<ClientResponse>> HttpClient::upload(ClientRequest request, uint64_t length, BodySource source) {
  co_return co_await exchange(request, nullptr, std::make_pair(length, &source));
}

asio::awaitable<Result<ClientResponse>> HttpClient::exchange(ClientRequest& request, const BodySink* sink,
                                                             std::optional<std::pair<uint64_t, BodySource*>> upload) {
  aborted_ = false;
  // A buffered exchange has one deadline for everything (a retry included); a streamed one restarts
  // the clock at every read and write, so only a stall fails it.
  const bool streamed = sink != nullptr || upload.has_value();
  const auto deadline = std::chrono::steady_clock::now() + options_.request_timeout;
  for (int attempt = 0;; ++attempt) {
    auto connect_deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
    if (!streamed) connect_deadline = std::min(connect_deadline, deadline);
    if (Status connected = co_await ensure_connected(connect_deadline); !connected) co_return connected;
    Connection& connection = *connection_;
    // A kept-alive connection the server has closed in the meantime fails before any answer: worth
    // one more try on a fresh connection, when repeating the request is harmless.
    const bool may_retry = connection.used && attempt == 0 && idempotent(request.method);
    connection.used = true;
    // Not a conditional expression: GCC mishandles co_await inside ?: (the result's temporaries).
    std::optional<Result<ClientResponse>> outcome;
    if (connection.secure) {
      outcome = co_await exchange_on(*connection.secure, request, sink, upload, may_retry, deadline);
    } else {
      outcome = co_await exchange_on(*connection.plain, request, sink, upload, may_retry, deadline);
    }
    if (outcome) co_return std::move(*outcome);
  }
}

template <class Stream>
asio::awaitable<std::optional<Result<ClientResponse>>> HttpClient::exchange_on(
    Stream& stream, ClientRequest& request, const BodySink* sink,
    std::optional<std::pair<uint64_t, BodySource*>> upload, bool may_retry,
    std::chrono::steady_clock::time_point deadline) {
  const std::string where = authority_of(url_);
  const bool streamed = sink != nullptr || upload.has_value();
  beast::flat_buffer& buffer = connection_->buffer;
  auto arm = [&] {
    if (streamed) {
      timed_layer(stream).expires_after(options_.request_timeout);
    } else {
      timed_layer(stream).expires_at(deadline);
    }
  };
  auto fail = [&](const char* what, const beast::error_code& error) -> Status {
    connection_.reset();
    if (error == beast::error::timeout) {
      return Status::unavailable(std::string(what) + " " + where + " timed out (" +
                                 std::to_string(options_.request_timeout.count()) + " ms)");
    }
    return Status::unavailable(std::string(what) + " " + where + " failed: " + error.message());
  };
  auto cancelled = [&]() -> Status {
    connection_.reset();
    return Status::unavailable("the request to " + where + " was cancelled");
  };
  bool source_touched = false;

  // Sends the head (and a buffered body) or the head then the streamed body.
  std::string target = url_.base_path + request.target;
  if (target.empty() || target[0] == '?') target.insert(0, "/");
  bhttp::request<bhttp::buffer_body> head{bhttp::string_to_verb(request.method), target, 11};
  head.set(bhttp::field::host, where);
  head.set(bhttp::field::user_agent, options_.user_agent);
  for (const auto& [name, value] : request.headers) head.set(name, value);
  if (request.close_after) head.set(bhttp::field::connection, "close");
  const uint64_t length = upload ? upload->first : request.body.size();
  // Servers may insist on a length for the methods that carry a body, even an empty one.
  if (length > 0 || request.method == "POST" || request.method == "PUT" || request.method == "PATCH")
    head.content_length(length);
  head.body().data = nullptr;
  head.body().more = length > 0;
  bhttp::request_serializer<bhttp::buffer_body> serializer{head};
  beast::error_code write_error;
  arm();
  std::tie(write_error, std::ignore) = co_await bhttp::async_write_header(stream, serializer, kUseTuple);
  if (!write_error && length > 0 && !upload) {
    head.body().data = request.body.data();
    head.body().size = request.body.size();
    head.body().more = false;
    arm();
    std::tie(write_error, std::ignore) = co_await bhttp::async_write(stream, serializer, kUseTuple);
    if (write_error == bhttp::error::need_buffer) write_error = {};
  }
  if (!write_error && upload) {
    std::vector<char> piece(kPieceBytes);
    uint64_t left = length;
    while (!write_error && left > 0) {
      source_touched = true;
      auto produced = (*upload->second)(std::span<char>(piece.data(), std::min<uint64_t>(piece.size(), left)));
      if (!produced) {
        connection_.reset();
        co_return Result<ClientResponse>(produced.status());
      }
      if (*produced == 0) {
        connection_.reset();
        co_return Result<ClientResponse>(Status::io_error("the request body for " + where + " ended early"));
      }
      left -= *produced;
      head.body().data = piece.data();
      head.body().size = *produced;
      head.body().more = left > 0;
      arm();
      std::tie(write_error, std::ignore) = co_await bhttp::async_write(stream, serializer, kUseTuple);
      if (write_error == bhttp::error::need_buffer) write_error = {};
    }
  }
  if (aborted_) co_return Result<ClientResponse>(cancelled());
  if (write_error) {
    Status failed = fail("writing to", write_error);
    if (may_retry && !source_touched && write_error != beast::error::timeout) co_return std::nullopt;
    co_return Result<ClientResponse>(failed);
  }

  // The response: head first, then the body buffered or streamed.
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(boost::none);
  if (request.method == "HEAD") parser.skip(true);  // a HEAD answer announces a body it does not carry
  arm();
  auto [read_error, head_read] = co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
  if (aborted_) co_return Result<ClientResponse>(cancelled());
  if (read_error) {
    const bool stale = read_error == bhttp::error::end_of_stream || read_error == asio::error::eof ||
                       read_error == asio::error::connection_reset || read_error == asio::ssl::error::stream_truncated;
    Status failed = fail("reading from", read_error);
    if (may_retry && !source_touched && stale) co_return std::nullopt;
    co_return Result<ClientResponse>(failed);
  }
  ClientResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  for (const auto& field : parser.get()) response.headers.emplace_back(field.name_string(), field.value());
  const bool stream_body = sink && response.status >= 200 && response.status < 300;
  std::vector<char> piece(kPieceBytes);
  uint64_t buffered = 0;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    arm();
    auto [error, read] = co_await bhttp::async_read_some(stream, buffer, parser, kUseTuple);
    if (aborted_) co_return Result<ClientResponse>(cancelled());
    if (error && error != bhttp::error::need_buffer) co_return Result<ClientResponse>(fail("reading from", error));
    const size_t got = piece.size() - parser.get().body().size;
    if (got == 0) continue;
    if (stream_body) {
      if (Status accepted = (*sink)(std::span<const char>(piece.data(), got)); !accepted) {
        connection_.reset();  // the rest of the body is still on the wire
        co_return Result<ClientResponse>(accepted);
      }
    } else {
      buffered += got;
      if (buffered > options_.max_body_bytes) {
        connection_.reset();
        co_return Result<ClientResponse>(Status(
            StatusCode::kPayloadTooLarge,
            "the response of " + where + " is larger than " + std::to_string(options_.max_body_bytes) + " bytes"));
      }
      response.body.append(piece.data(), got);
    }
  }
  if (!parser.get().keep_alive() || request.close_after) connection_.reset();
  co_return Result<ClientResponse>(std::move(response));
}

}  // namespace edgesync::http
