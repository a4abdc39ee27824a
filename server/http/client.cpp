#include "server/http/client.hpp"

#include <strings.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace edgesync::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kPieceBytes = 256 * 1024;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

bool idempotent(std::string_view method) {
  return method == "GET" || method == "PUT" || method == "DELETE" || method == "HEAD";
}

}  // namespace

Result<Url> parse_url(std::string_view text) {
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return Status::invalid("URL (" + std::string(text) + ") has no scheme");
  url.scheme = std::string(text.substr(0, scheme_end));
  if (url.scheme == "https") return Status::invalid("https URLs are not supported yet (" + std::string(text) + ")");
  if (url.scheme != "http") return Status::invalid("URL (" + std::string(text) + ") must start with http://");
  std::string_view rest = text.substr(scheme_end + 3);
  const size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    url.base_path = std::string(rest.substr(path_start));
    while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return Status::invalid("URL (" + std::string(text) + ") has a bad port");
    url.port = static_cast<uint16_t>(value);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Status::invalid("URL (" + std::string(text) + ") has no host");
  url.host = std::string(authority);
  return url;
}

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return std::nullopt;
}

struct HttpClient::Connection {
  explicit Connection(asio::any_io_executor executor) : stream(std::move(executor)) {
    // Beast reads as much as the buffer's free capacity: a fresh buffer would read 512 bytes at a time.
    buffer.reserve(kPieceBytes);
  }
  beast::tcp_stream stream;
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
  connection_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  connection_->stream.cancel();
  connection_->stream.socket().close(ignored);
}

asio::awaitable<Status> HttpClient::ensure_connected() {
  if (connection_ && connection_->stream.socket().is_open()) co_return Status::ok();
  connection_ = std::make_unique<Connection>(executor_);
  const std::string where = url_.host + ":" + std::to_string(url_.port);
  tcp::resolver resolver(executor_);
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(url_.host, std::to_string(url_.port), kUseTuple);
  if (aborted_) co_return Status::unavailable("the request to " + where + " was cancelled");
  if (resolve_error) co_return Status::unavailable("cannot resolve " + where + ": " + resolve_error.message());
  connection_->stream.expires_after(options_.connect_timeout);
  auto [connect_error, endpoint] = co_await connection_->stream.async_connect(endpoints, kUseTuple);
  if (connect_error || aborted_) {
    connection_.reset();
    if (aborted_) co_return Status::unavailable("the request to " + where + " was cancelled");
    co_return Status::unavailable("cannot connect to " + where + ": " + connect_error.message());
  }
  connection_->stream.socket().set_option(tcp::no_delay(true));
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
  const std::string where = url_.host + ":" + std::to_string(url_.port);
  aborted_ = false;
  for (int attempt = 0;; ++attempt) {
    if (Status connected = co_await ensure_connected(); !connected) co_return connected;
    Connection& connection = *connection_;
    const bool reused = connection.used;
    connection.used = true;
    bool response_started = false;
    bool source_touched = false;

    // Sends the head (and a buffered body) or the head then the streamed body.
    auto fail = [&](const char* what, const beast::error_code& error) -> Status {
      connection_.reset();
      return Status::unavailable(std::string(what) + " " + where + " failed: " + error.message());
    };
    std::string target = url_.base_path + request.target;
    if (target.empty() || target[0] == '?') target.insert(0, "/");
    bhttp::request<bhttp::buffer_body> head{bhttp::string_to_verb(request.method), target, 11};
    head.set(bhttp::field::host, url_.host + ":" + std::to_string(url_.port));
    head.set(bhttp::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : request.headers) head.set(name, value);
    const uint64_t length = upload ? upload->first : request.body.size();
    head.content_length(length);
    head.body().data = nullptr;
    head.body().more = length > 0;
    bhttp::request_serializer<bhttp::buffer_body> serializer{head};
    connection.stream.expires_after(options_.request_timeout);
    auto [head_error, head_sent] = co_await bhttp::async_write_header(connection.stream, serializer, kUseTuple);
    Status sent = Status::ok();
    if (head_error) sent = fail("writing to", head_error);
    if (sent && length > 0 && !upload) {
      head.body().data = request.body.data();
      head.body().size = request.body.size();
      head.body().more = false;
      connection.stream.expires_after(options_.request_timeout);
      auto [error, written] = co_await bhttp::async_write(connection.stream, serializer, kUseTuple);
      if (error && error != bhttp::error::need_buffer) sent = fail("writing to", error);
    }
    if (sent && upload) {
      std::vector<char> piece(kPieceBytes);
      uint64_t left = length;
      while (sent && left > 0) {
        source_touched = true;
        auto produced = (*upload->second)(std::span<char>(piece.data(), std::min<uint64_t>(piece.size(), left)));
        if (!produced) {
          connection_.reset();
          co_return produced.status();
        }
        if (*produced == 0) {
          connection_.reset();
          co_return Status::io_error("the request body ended early");
        }
        left -= *produced;
        head.body().data = piece.data();
        head.body().size = *produced;
        head.body().more = left > 0;
        connection.stream.expires_after(options_.request_timeout);
        auto [error, written] = co_await bhttp::async_write(connection.stream, serializer, kUseTuple);
        if (error && error != bhttp::error::need_buffer) sent = fail("writing to", error);
      }
    }
    if (aborted_) {
      connection_.reset();
      co_return Status::unavailable("the request to " + where + " was cancelled");
    }
    if (!sent) {
      if (reused && attempt == 0 && !source_touched && idempotent(request.method)) continue;  // stale keep-alive
      co_return sent;
    }

    // The response: head first, then the body buffered or streamed.
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);
    connection.stream.expires_after(options_.request_timeout);
    auto [read_error, head_read] =
        co_await bhttp::async_read_header(connection.stream, connection.buffer, parser, kUseTuple);
    if (aborted_) {
      connection_.reset();
      co_return Status::unavailable("the request to " + where + " was cancelled");
    }
    if (read_error) {
      const bool retry = reused && attempt == 0 && !source_touched && idempotent(request.method) &&
                         (read_error == bhttp::error::end_of_stream || read_error == asio::error::connection_reset);
      Status failed = fail("reading from", read_error);
      if (retry) continue;
      co_return failed;
    }
    ClientResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) response.headers.emplace_back(field.name_string(), field.value());
    const bool stream_body = sink && response.status >= 200 && response.status < 300;
    std::vector<char> piece(kPieceBytes);
    uint64_t buffered = 0;
    while (!parser.is_done()) {
      response_started = true;
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      connection.stream.expires_after(options_.request_timeout);
      auto [error, read] = co_await bhttp::async_read_some(connection.stream, connection.buffer, parser, kUseTuple);
      if (error && error != bhttp::error::need_buffer) co_return fail("reading from", error);
      const size_t got = piece.size() - parser.get().body().size;
      if (got == 0) continue;
      if (stream_body) {
        if (Status accepted = (*sink)(std::span<const char>(piece.data(), got)); !accepted) {
          connection_.reset();  // the rest of the body is still on the wire
          co_return accepted;
        }
      } else {
        buffered += got;
        if (buffered > options_.max_body_bytes) {
          connection_.reset();
          co_return Status(StatusCode::kPayloadTooLarge, "the response of " + where + " is too large");
        }
        response.body.append(piece.data(), got);
      }
    }
    (void)response_started;
    if (!parser.get().keep_alive()) connection_.reset();
    co_return response;
  }
}

}  // namespace edgesync::http
