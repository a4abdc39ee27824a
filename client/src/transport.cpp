#include "client/src/transport.hpp"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

#include "edgesync/client/error.hpp"

namespace edgesync::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;
using Socket = asio::generic::stream_protocol::socket;
using TlsStream = asio::ssl::stream<Socket>;

namespace {

constexpr size_t kPieceBytes = 64 * 1024;

Error invalid_url(const std::string& url, const std::string& why) {
  return Error(ErrorKind::kInvalidInput, 0, "Invalid server URL (" + url + "): " + why);
}

}  // namespace

Endpoint parse_endpoint(const std::string& url) {
  Endpoint endpoint;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw invalid_url(url, "expected scheme://");
  const std::string scheme = url.substr(0, scheme_end);
  std::string rest = url.substr(scheme_end + 3);
  if (scheme == "unix" || scheme == "secure-unix") {
    endpoint.unix_socket = true;
    endpoint.tls = scheme == "secure-unix";
    endpoint.host = "localhost";
    endpoint.socket_path = rest;
    if (rest.empty() || rest[0] != '/') throw invalid_url(url, "expected an absolute socket path");
    return endpoint;
  }
  if (scheme != "http" && scheme != "https") throw invalid_url(url, "scheme must be http, https, unix or secure-unix");
  endpoint.tls = scheme == "https";
  endpoint.port = endpoint.tls ? 443 : 80;
  const size_t path_start = rest.find('/');
  if (path_start != std::string::npos) {
    if (rest.find_first_not_of('/', path_start) != std::string::npos)
      throw invalid_url(url, "a path after host:port is not supported");
    rest.resize(path_start);
  }
  std::string host = rest;
  std::string port_text;
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string::npos) throw invalid_url(url, "unclosed [");
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') throw invalid_url(url, "expected :port after ]");
      port_text = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    port_text = host.substr(colon + 1);
    host.resize(colon);
  }
  if (host.empty()) throw invalid_url(url, "no host");
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535)
      throw invalid_url(url, "bad port");
    endpoint.port = static_cast<uint16_t>(value);
  }
  endpoint.host = host;
  return endpoint;
}

struct Transport::Impl {
  Impl(Endpoint endpoint_in, TransportOptions options_in)
      : endpoint(std::move(endpoint_in)), options(std::move(options_in)) {
    if (!endpoint.tls) return;
    ssl.set_verify_mode(asio::ssl::verify_peer);
    error_code ec;
    if (options.ca_file.empty()) {
      ssl.set_default_verify_paths(ec);
    } else {
      ssl.load_verify_file(options.ca_file, ec);
    }
    if (ec)
      throw Error(ErrorKind::kInvalidInput, 0,
                  "Cannot load CA certificates (" + options.ca_file + "): " + ec.message());
  }

  Endpoint endpoint;
  TransportOptions options;
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::optional<Socket> plain;
  std::optional<TlsStream> secure;
  beast::flat_buffer buffer;
  std::atomic<bool> stopped{false};
  bool timed_out = false;
  bool answer_started = false;  // a response header arrived: the request must not be sent again

  bool connected() const { return plain.has_value() || secure.has_value(); }

  void close() {
    error_code ignored;
    if (plain) plain->close(ignored);
    if (secure) secure->next_layer().close(ignored);
  }

  void drop() {
    close();
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  std::string where() const {
    return endpoint.unix_socket ? endpoint.socket_path : endpoint.host + ":" + std::to_string(endpoint.port);
  }

  [[noreturn]] void fail(const std::string& step, const error_code& ec) {
    drop();
    if (stopped) throw Error(ErrorKind::kStopped, 0, "Stopped");
    if (timed_out) throw Error(ErrorKind::kTransport, 0, step + " " + where() + ": timed out");
    throw Error(ErrorKind::kTransport, 0, step + " " + where() + ": " + ec.message());
  }

  // Runs one asynchronous operation to completion or until `timeout`, when the socket is closed
  // (which completes the operation with operation_aborted).
  template <class Start>
  error_code run(Start start, std::chrono::milliseconds timeout) {
    error_code result;
    bool done = false;
    timed_out = false;
    io.restart();
    start([&](error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    io.run_for(timeout);
    if (!done) {
      timed_out = true;
      close();
      io.restart();
      io.run();
    }
    if (stopped && !result) result = asio::error::operation_aborted;
    return result;
  }

  void connect() {
    if (stopped) throw Error(ErrorKind::kStopped, 0, "Stopped");
    Socket socket(io);
    error_code ec;
    if (endpoint.unix_socket) {
      const asio::local::stream_protocol::endpoint local(endpoint.socket_path);
      const asio::generic::stream_protocol::endpoint target(local);
      ec = run([&](auto handler) { socket.async_connect(target, handler); }, options.connect_timeout);
      if (ec) fail("Cannot connect to", ec);
    } else {
      asio::ip::tcp::resolver resolver(io);
      asio::ip::tcp::resolver::results_type results;
      ec = run(
          [&](auto handler) {
            resolver.async_resolve(
                endpoint.host, std::to_string(endpoint.port),
                [&results, handler](error_code error, asio::ip::tcp::resolver::results_type found) mutable {
                  results = std::move(found);
                  handler(error);
                });
          },
          options.connect_timeout);
      if (ec) fail("Cannot resolve", ec);
      ec = asio::error::host_not_found;
      for (const auto& entry : results) {
        error_code ignored;
        socket.close(ignored);
        const asio::generic::stream_protocol::endpoint target(entry.endpoint());
        ec = run([&](auto handler) { socket.async_connect(target, handler); }, options.connect_timeout);
        if (!ec) break;
      }
      if (ec) fail("Cannot connect to", ec);
      if (endpoint.host.find(':') == std::string::npos) {
        const int on = 1;
        ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      }
    }
    if (!endpoint.tls) {
      plain.emplace(std::move(socket));
      return;
    }
    secure.emplace(std::move(socket), ssl);
    SSL_set_tlsext_host_name(secure->native_handle(), endpoint.host.c_str());
    secure->set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
    ec = run([&](auto handler) { secure->async_handshake(asio::ssl::stream_base::client, handler); },
             options.connect_timeout);
    if (ec) fail("TLS handshake with", ec);
  }

  template <class Stream>
  HttpResponse exchange(Stream& stream, const HttpRequest& request, const BodySink* sink,
                        std::optional<uint64_t> length, const BodySource* source) {
    const auto timeout = request.timeout.value_or(options.request_timeout);
    bhttp::request<bhttp::buffer_body> message;
    message.version(11);
    message.method_string(request.method);
    message.target(request.target);
    message.set(bhttp::field::host,
                endpoint.unix_socket ? std::string("localhost") : endpoint.host + ":" + std::to_string(endpoint.port));
    message.set(bhttp::field::user_agent, "edgesync-client");
    for (const auto& [name, value] : request.headers) message.set(name, value);
    if (source) {
      if (length) {
        message.content_length(*length);
      } else {
        message.chunked(true);
      }
    } else if (!request.body.empty() || request.method == "PUT" || request.method == "POST") {
      message.content_length(request.body.size());
    }
    bhttp::request_serializer<bhttp::buffer_body> serializer(message);
    error_code ec = run([&](auto handler) { bhttp::async_write_header(stream, serializer, handler); }, timeout);
    if (ec) fail("Sending to", ec);

    std::vector<char> piece(kPieceBytes);
    uint64_t sent = 0;
    bool last = false;
    while (!last) {
      size_t size = 0;
      if (source) {
        size_t want = piece.size();
        if (length) want = static_cast<size_t>(std::min<uint64_t>(want, *length - sent));
        size = want == 0 ? 0 : (*source)(piece.data(), want);
        if (length && size == 0 && sent < *length) {
          drop();
          throw Error(ErrorKind::kInvalidInput, 0,
                      "The data ended after " + std::to_string(sent) + " of " + std::to_string(*length) + " bytes");
        }
        message.body().data = size == 0 ? nullptr : piece.data();
      } else {
        size = request.body.size();
        message.body().data = size == 0 ? nullptr : const_cast<char*>(request.body.data());
      }
      sent += size;
      last = size == 0 || !source;
      message.body().size = size;
      message.body().more = !last;
      ec = run([&](auto handler) { bhttp::async_write(stream, serializer, handler); }, timeout);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) fail("Sending to", ec);
      if (last && size != 0) {  // the final empty piece (ends a chunked body)
        message.body().data = nullptr;
        message.body().size = 0;
        message.body().more = false;
        ec = run([&](auto handler) { bhttp::async_write(stream, serializer, handler); }, timeout);
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) fail("Sending to", ec);
      }
    }

    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (request.method == "HEAD") parser.skip(true);
    ec = run([&](auto handler) { bhttp::async_read_header(stream, buffer, parser, handler); }, timeout);
    if (ec) fail("Reading the answer of", ec);
    answer_started = true;
    HttpResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) response.headers.emplace_back(field.name_string(), field.value());
    const bool to_sink = sink && response.status >= 200 && response.status < 300;
    while (!parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      ec = run([&](auto handler) { bhttp::async_read(stream, buffer, parser, handler); }, timeout);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) fail("Reading the answer of", ec);
      const size_t got = piece.size() - parser.get().body().size;
      if (got == 0) continue;
      if (to_sink) {
        try {
          (*sink)(piece.data(), got);
        } catch (...) {
          drop();  // the rest of the body is still on the wire
          throw;
        }
      } else {
        if (response.body.size() + got > options.max_buffered_body) {
          drop();
          throw Error(ErrorKind::kProtocol, 0, "The answer of " + where() + " is larger than the client accepts");
        }
        response.body.append(piece.data(), got);
      }
    }
    if (!parser.get().keep_alive()) drop();
    return response;
  }

  HttpResponse perform(const HttpRequest& request, const BodySink* sink, std::optional<uint64_t> length,
                       const BodySource* source) {
    if (stopped) throw Error(ErrorKind::kStopped, 0, "Stopped");
    // A kept-alive connection may have been closed by the server meanwhile: a request that sends no
    // streamed body is sent again once on a fresh connection if the reused one fails before answering.
    const bool reused = connected();
    if (source && reused) drop();  // a streamed body cannot be sent twice
    for (int attempt = 0;; ++attempt) {
      if (!connected()) connect();
      answer_started = false;
      try {
        if (secure) return exchange(*secure, request, sink, length, source);
        return exchange(*plain, request, sink, length, source);
      } catch (const Error& error) {
        if (error.kind() != ErrorKind::kTransport || !reused || source || attempt > 0 || timed_out || answer_started)
          throw;
      }
    }
  }
};

Transport::Transport(Endpoint endpoint, TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(endpoint), std::move(options))) {}

Transport::~Transport() = default;

HttpResponse Transport::request(const HttpRequest& request) {
  return impl_->perform(request, nullptr, std::nullopt, nullptr);
}

HttpResponse Transport::download(const HttpRequest& request, const BodySink& sink) {
  return impl_->perform(request, &sink, std::nullopt, nullptr);
}

HttpResponse Transport::upload(const HttpRequest& request, std::optional<uint64_t> length, const BodySource& source) {
  return impl_->perform(request, nullptr, length, &source);
}

void Transport::cancel() {
  impl_->stopped = true;
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl] { impl->close(); });
}

}  // namespace edgesync::client::detail
