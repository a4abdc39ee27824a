// One connection's life, as one coroutine on the connection's strand (the session of Beast's advanced
// server example): wait for a request, read its head, let the handler choose how the body is read,
// run the handler, write the answer, repeat while kept alive, then close without losing the answer.
// The same loop runs over TCP, TLS (a handshake first, a close_notify last) and Unix sockets: it is a
// template over the stream (streams.hpp), compiled here for each.
#include "server/http/session.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <optional>

#include "server/http/response_writer.hpp"
#include "server/http/streams.hpp"

namespace edgesync::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using LocalSocket = asio::local::stream_protocol::socket;
using Clock = std::chrono::steady_clock;

namespace {

// The first read of a request: enough for most heads in one go.
constexpr size_t kFirstReadBytes = 16 * 1024;
// A streamed body the handler left unread is read and dropped, to keep the connection, up to this
// much; past it closing is cheaper than reading what nobody wants.
constexpr uint64_t kDrainBytes = 64 * 1024;
// After the last answer on a connection: how long and how much we read (and drop) while waiting for
// the client to close its side.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1024 * 1024;

// The peer went away or stopped talking: there is nobody to answer.
bool is_disconnect(const error_code& error) {
  return error == bhttp::error::end_of_stream || error == bhttp::error::partial_message ||
         error == beast::error::timeout || error == asio::error::eof || error == asio::error::operation_aborted ||
         error == asio::error::connection_reset || error == asio::error::connection_aborted ||
         error == asio::error::broken_pipe || error == asio::error::bad_descriptor ||
         error == asio::error::not_connected || error == asio::ssl::error::stream_truncated;
}

Status body_read_failure(const error_code& error) {
  if (error == beast::error::timeout) return Status::invalid("reading the request body timed out");
  if (is_disconnect(error)) return Status::invalid("the connection closed before the request body ended");
  return Status::invalid("malformed request body: " + error.message());
}

std::string describe_peer(const tcp::socket& socket) {
  error_code error;
  const tcp::endpoint endpoint = socket.remote_endpoint(error);
  if (error) return "?";
  const std::string address = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

// Unix-socket peers have no address; the socket's path says which listener it came through.
std::string describe_peer(const LocalSocket& socket) {
  error_code error;
  const auto endpoint = socket.local_endpoint(error);
  return error ? "unix" : "unix:" + endpoint.path();
}

template <class Fields>
bool asks_for_continue(const bhttp::header<true, Fields>& head) {
  const auto expect = head.find(bhttp::field::expect);
  return expect != head.end() && beast::iequals(expect->value(), "100-continue");
}

// Counts a request in ServerContext::active_requests for as long as it is being handled.
class ActiveRequest {
 public:
  explicit ActiveRequest(std::atomic<size_t>& count) : count_(count) { ++count_; }
  ~ActiveRequest() { --count_; }
  ActiveRequest(const ActiveRequest&) = delete;
  ActiveRequest& operator=(const ActiveRequest&) = delete;

 private:
  std::atomic<size_t>& count_;
};

// One parser type for every request, whatever its body mode: a buffer_body reads into memory the
// caller provides, which serves a streamed body (the handler's buffer) and a buffered one (a string)
// alike, and each further Beast read instantiation costs seconds of compile time.
using Parser = bhttp::request_parser<bhttp::buffer_body>;

// The usual case: the read that woke the session brought the whole head. Parsing it here saves a trip
// through the scheduler per request: Beast's async_read_header, finding the head already buffered,
// completes by posting, which often hands the request to the other io thread (a profile of GET showed
// that hop). True when the head is parsed or refused (error set); false when more bytes must be read,
// with nothing consumed, so async_read_header carries on from the same state.
bool parse_buffered_head(Parser& parser, beast::flat_buffer& buffer, error_code& error) {
  while (!parser.is_header_done() && buffer.size() > 0) {
    const size_t used = parser.put(buffer.data(), error);
    buffer.consume(used);
    if (error == bhttp::error::need_more) {
      error = {};
      return false;
    }
    if (error) return true;
    if (used == 0) return false;
  }
  return parser.is_header_done();
}

struct PieceRead {
  error_code error;
  size_t bytes = 0;
};

// Reads the body bytes that are available, at least one, into [data, data + size); none only when the
// body has ended. Returning on any progress (not on a full buffer) lets the read timeout measure a
// stall, whatever the size of the caller's buffer.
template <class Stream>
asio::awaitable<PieceRead> read_piece(Stream& stream, beast::flat_buffer& buffer, Parser& parser, char* data,
                                      size_t size) {
  if (size == 0) co_return PieceRead{};  // nothing could ever fill it
  auto& body = parser.get().body();
  body.data = data;
  body.size = size;
  error_code error;
  // A read may end inside a chunk header, having produced no body byte yet: read again.
  while (!error && body.size == size && !parser.is_done()) {
    co_await bhttp::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
    if (error == bhttp::error::need_buffer) error = {};  // the piece is full; the body goes on
  }
  co_return PieceRead{error, size - body.size};
}

// The Request a handler sees. Buffered routes find the whole body in body(), read before the handler
// runs; streamed routes pull it through read_body_some().
template <class Stream>
class ParsedRequest final : public Request {
 public:
  ParsedRequest(Parser& parser, Stream& stream, beast::flat_buffer& buffer, const HttpConfig& config, BodyMode mode,
                bool expects_continue, const std::string& remote)
      : parser_(parser),
        stream_(stream),
        buffer_(buffer),
        config_(config),
        mode_(mode),
        expects_continue_(expects_continue),
        remote_(remote) {}

  std::string_view method() const override { return parser_.get().method_string(); }
  std::string_view target() const override { return parser_.get().target(); }
  std::optional<std::string_view> header(std::string_view name) const override {
    const auto found = parser_.get().find(name);
    if (found == parser_.get().end()) return std::nullopt;
    return found->value();
  }
  std::optional<uint64_t> content_length() const override {
    const auto length = parser_.content_length();
    return length ? std::optional<uint64_t>(*length) : std::nullopt;
  }
  const std::string& body() const override { return body_; }
  std::string remote_endpoint() const override { return remote_; }
  // Body bytes read from the connection so far (by the handler, or drained after it).
  uint64_t body_bytes() const { return mode_ == BodyMode::kBuffered ? body_.size() : streamed_bytes_; }

  asio::awaitable<Result<size_t>> read_body_some(std::span<char> out) override {
    if (mode_ != BodyMode::kStreamed) co_return Status::internal("the body of this route is buffered: use body()");
    if (failure_) co_return *failure_;
    if (parser_.is_done() || out.empty()) co_return size_t{0};
    // Invited only now: a handler that refuses the request without reading spares the client sending
    // a body nobody wants.
    if (expects_continue_ && !continue_sent_) {
      continue_sent_ = true;
      const bool sent = co_await write_continue(stream_, read_timeout());
      if (!sent) {
        failure_ = Status::invalid("the connection closed before the request body was sent");
        co_return *failure_;
      }
    }
    // Streamed bodies may be far larger than one read timeout allows: the timeout bounds each piece,
    // so a stalled body fails and a slow but moving one does not.
    timed_layer(stream_).expires_after(read_timeout());
    const PieceRead got = co_await read_piece(stream_, buffer_, parser_, out.data(), out.size());
    if (got.error) {
      if (is_disconnect(got.error) && got.error != beast::error::timeout) {
        spdlog::debug("{}: {} {}: body read failed: {}", remote_, method(), path(), got.error.message());
      } else {
        spdlog::warn("{}: {} {}: body read failed: {}", remote_, method(), path(), got.error.message());
      }
      failure_ = body_read_failure(got.error);
      co_return *failure_;
    }
    streamed_bytes_ += got.bytes;
    co_return got.bytes;
  }

  // Buffered routes: reads the whole body into body(), under the request's deadline. The parser's body
  // limit holds a chunked body to max_metadata_bytes; the caller checked Content-Length against it.
  asio::awaitable<error_code> read_whole_body(Clock::time_point deadline) {
    if (parser_.is_done()) co_return error_code{};
    if (expects_continue_) {
      continue_sent_ = true;
      const bool sent = co_await write_continue(stream_, read_timeout());
      if (!sent) co_return error_code(asio::error::broken_pipe);
      timed_layer(stream_).expires_at(deadline);  // the body still counts from the request's first byte
    }
    constexpr size_t kChunkedPieceBytes = 16 * 1024;
    while (!parser_.is_done()) {
      const auto rest = parser_.content_length_remaining();
      const size_t wanted = rest ? static_cast<size_t>(*rest) : kChunkedPieceBytes;
      const size_t used = body_.size();
      body_.resize(used + wanted);
      const PieceRead got = co_await read_piece(stream_, buffer_, parser_, body_.data() + used, wanted);
      body_.resize(used + got.bytes);
      if (got.error) co_return got.error;
    }
    co_return error_code{};
  }

  // After the handler: reads and drops a small rest of a streamed body it left unread, so that the
  // connection can serve the next request. False when the connection must close instead.
  asio::awaitable<bool> finish_body() {
    if (parser_.is_done()) co_return true;
    if (failure_ || mode_ != BodyMode::kStreamed) co_return false;
    // The client waits for our word before sending the body: it will never come.
    if (expects_continue_ && !continue_sent_) co_return false;
    if (const auto rest = parser_.content_length_remaining(); rest && *rest > kDrainBytes) co_return false;
    std::array<char, 8192> scratch;
    uint64_t drained = 0;
    timed_layer(stream_).expires_after(read_timeout());
    while (!parser_.is_done() && drained <= kDrainBytes) {
      const PieceRead got = co_await read_piece(stream_, buffer_, parser_, scratch.data(), scratch.size());
      if (got.error) co_return false;
      drained += got.bytes;
      streamed_bytes_ += got.bytes;
    }
    co_return parser_.is_done();
  }

 private:
  std::chrono::seconds read_timeout() const { return std::chrono::seconds(config_.read_timeout_seconds); }

  Parser& parser_;
  Stream& stream_;
  beast::flat_buffer& buffer_;
  const HttpConfig& config_;
  const BodyMode mode_;
  const bool expects_continue_;
  const std::string& remote_;
  std::string body_;             // buffered routes only
  uint64_t streamed_bytes_ = 0;  // streamed routes: body bytes read
  bool continue_sent_ = false;
  std::optional<Status> failure_;  // once a body read failed, every later one fails the same way
};

// What happens to the connection after a request.
enum class Next {
  kKeepAlive,           // serve the next request
  kCloseAfterResponse,  // an answer went out: close without losing it
  kClose,               // nothing to protect (peer gone, timed out, write failed)
};

// What the log line and an early refusal need to know of a request.
struct RequestLine {
  std::string_view method = "-";
  std::string_view target = "-";
  unsigned version = 11;
  bool head_request = false;

  // What log lines show: a query value may carry a secret (a token, a signed URL's signature).
  std::string_view path() const { return target.substr(0, target.find('?')); }
};

template <class Stream>
class Session {
 public:
  Session(ServerContext& context, Connection& connection, Stream& stream)
      : context_(context),
        connection_(connection),
        stream_(stream),
        remote_(describe_peer(timed_layer(stream).socket())) {}

  asio::awaitable<void> run() {
    if constexpr (kIsTls<Stream>) {
      const bool secured = co_await handshake();
      if (!secured) {
        close_now();
        co_return;
      }
    }
    Next next = Next::kKeepAlive;
    while (next == Next::kKeepAlive) {
      const bool has_request = co_await await_request();
      if (!has_request) break;
      next = co_await serve_request();
    }
    if (next == Next::kCloseAfterResponse) co_await close_gracefully();
    close_now();
  }

 private:
  void close_now() {
    error_code ignored;
    timed_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    timed_layer(stream_).close();
  }

  // TLS only: the handshake, bounded by the read timeout so that a peer that connects and says
  // nothing (or says plain HTTP) is cut off. The connection counts as idle meanwhile: stop() closes
  // it, as nothing was asked yet. False when the connection should close quietly.
  asio::awaitable<bool> handshake() {
    if (context_.stopping) co_return false;
    connection_.set_idle(true);
    timed_layer(stream_).expires_after(read_timeout());
    error_code error;
    co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, error));
    connection_.set_idle(false);
    if (error) {
      // Scanners, plain HTTP on the HTTPS port and clients that distrust our certificate all end
      // here: worth a debug line, not a warning each.
      spdlog::debug("{}: TLS handshake failed: {}", remote_, error.message());
      co_return false;
    }
    co_return true;
  }

  std::chrono::seconds read_timeout() const { return std::chrono::seconds(context_.config.read_timeout_seconds); }

  // Waits for the first byte of the next request under the idle timeout. False when the connection
  // should close quietly: idle too long, closed by the peer, or the server is stopping.
  asio::awaitable<bool> await_request() {
    if (buffer_.size() > 0) co_return true;  // pipelined: the next request is already here
    // Checked in the same strand step that marks the connection idle, so that stop() either finds it
    // idle (and closes it) or the session finds the server stopping.
    if (context_.stopping) co_return false;
    connection_.set_idle(true);
    timed_layer(stream_).expires_after(std::chrono::seconds(context_.config.idle_timeout_seconds));
    error_code error;
    const size_t received = co_await stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                                                             asio::redirect_error(asio::use_awaitable, error));
    connection_.set_idle(false);
    if (error) {
      if (error == beast::error::timeout) spdlog::debug("{}: closing an idle connection", remote_);
      co_return false;
    }
    buffer_.commit(received);
    co_return true;
  }

  asio::awaitable<Next> serve_request() {
    started_ = Clock::now();
    // One deadline from the first byte of the request to the end of its head (and buffered body).
    timed_layer(stream_).expires_at(started_ + read_timeout());
    Parser parser;
    parser.header_limit(context_.config.max_header_bytes);
    // The body limit depends on the route, known once the head is read.
    parser.body_limit(boost::none);
    error_code error;
    if (!parse_buffered_head(parser, buffer_, error))
      co_await bhttp::async_read_header(stream_, buffer_, parser, asio::redirect_error(asio::use_awaitable, error));
    if (error == bhttp::error::header_limit) {
      std::string text =
          "The request head is larger than the limit of " + std::to_string(context_.config.max_header_bytes) + " bytes";
      const Next next = co_await refuse(431, std::move(text), RequestLine{});
      co_return next;
    }
    if (is_disconnect(error)) {
      spdlog::debug("{}: connection ended while reading a request head: {}", remote_, error.message());
      co_return Next::kClose;
    }
    if (error) {
      spdlog::warn("{}: malformed request: {}", remote_, error.message());
      std::string text = "Malformed request: " + error.message();
      const Next next = co_await refuse(400, std::move(text), RequestLine{});
      co_return next;
    }

    const ActiveRequest counted(context_.active_requests);
    const auto& message = parser.get();
    const RequestLine line{message.method_string(), message.target(), message.version(),
                           message.method() == bhttp::verb::head};
    std::optional<BodyMode> mode;
    try {
      mode = context_.handler.body_mode(line.method, line.target);
    } catch (const std::exception& failure) {
      spdlog::warn("{}: {} {}: body_mode failed: {}", remote_, line.method, line.path(), failure.what());
    } catch (...) {
      spdlog::warn("{}: {} {}: body_mode failed", remote_, line.method, line.path());
    }
    if (!mode) {
      const Next next = co_await refuse(500, "internal error", line);
      co_return next;
    }
    bool keep_alive = message.keep_alive();
    // Only HTTP/1.1 clients wait for the interim answer, and only when a body is to come.
    const bool expects_continue = line.version >= 11 && !parser.is_done() && asks_for_continue(message);
    ParsedRequest<Stream> request(parser, stream_, buffer_, context_.config, *mode, expects_continue, remote_);

    if (*mode == BodyMode::kStreamed) {
      parser.body_limit(boost::none);  // the handler decides how much it takes
    } else {
      const uint64_t limit = context_.config.max_metadata_bytes;
      parser.body_limit(limit);
      // Beast compares Content-Length with the limit while parsing the head, which happened without a
      // limit: compare here, before inviting or reading the body.
      if (const auto length = parser.content_length(); length && *length > limit) error = bhttp::error::body_limit;
      if (!error) error = co_await request.read_whole_body(started_ + read_timeout());
      if (error == bhttp::error::body_limit) {
        // The body was not read, so the connection cannot carry another request.
        std::string text = "The request body is larger than the limit of " + std::to_string(limit) + " bytes";
        const Next next = co_await refuse(413, std::move(text), line);
        co_return next;
      }
      if (is_disconnect(error)) {
        if (error == beast::error::timeout) {
          spdlog::warn("{}: {} {}: the request body timed out", remote_, line.method, line.path());
        }
        co_return Next::kClose;
      }
      if (error) {
        spdlog::warn("{}: {} {}: malformed request body: {}", remote_, line.method, line.path(), error.message());
        std::string text = "Malformed request body: " + error.message();
        const Next next = co_await refuse(400, std::move(text), line);
        co_return next;
      }
    }

    Response response = co_await call_handler(request, line);
    const bool body_finished = co_await request.finish_body();
    if (!body_finished || context_.stopping || asks_to_close(response)) keep_alive = false;
    const WriteOptions options{line.version, keep_alive, line.head_request, read_timeout()};
    const uint64_t bytes_out = body_bytes_of(response, line);
    const bool written = co_await write_response(stream_, response, options);
    report(line, response.status, request.body_bytes(), bytes_out);
    if (!written) co_return Next::kClose;
    co_return keep_alive ? Next::kKeepAlive : Next::kCloseAfterResponse;
  }

  // Runs the handler; an exception becomes a 500 (the connection and the process live on).
  asio::awaitable<Response> call_handler(Request& request, const RequestLine& line) {
    try {
      Response response = co_await context_.handler.handle(request);
      co_return response;
    } catch (const std::exception& failure) {
      spdlog::warn("{}: {} {}: handler failed: {}", remote_, line.method, line.path(), failure.what());
    } catch (...) {
      spdlog::warn("{}: {} {}: handler failed with an unknown exception", remote_, line.method, line.path());
    }
    co_return error_response(500, "internal error");
  }

  // Answers a request the server itself refuses; the connection then closes (its input is not in a
  // state to read another request).
  asio::awaitable<Next> refuse(int status, std::string text, RequestLine line) {
    Response response = error_response(status, std::move(text));
    const WriteOptions options{line.version, false, line.head_request, read_timeout()};
    const uint64_t bytes_out = body_bytes_of(response, line);
    const bool written = co_await write_response(stream_, response, options);
    report(line, status, 0, bytes_out);
    co_return written ? Next::kCloseAfterResponse : Next::kClose;
  }

  // Closing with unread bytes in the receive queue makes the kernel send a reset, which can destroy
  // the answer just written before the client reads it. So: say we are done, then read and drop what
  // the client still sends until it closes its side too, for a short while.
  // Over TLS the same is the close_notify exchange: ours out, then the client's awaited (its unread
  // bytes are read and dropped by OpenSSL meanwhile), within the same short while.
  asio::awaitable<void> close_gracefully() {
    error_code error;
    if constexpr (kIsTls<Stream>) {
      timed_layer(stream_).expires_after(kLingerTime);
      co_await stream_.async_shutdown(asio::redirect_error(asio::use_awaitable, error));
      co_return;
    }
    timed_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, error);
    if (error) co_return;
    timed_layer(stream_).expires_after(kLingerTime);
    buffer_.consume(buffer_.size());
    size_t discarded = 0;
    while (discarded < kLingerBytes) {
      const size_t received = co_await stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                                                               asio::redirect_error(asio::use_awaitable, error));
      if (error) break;
      discarded += received;
    }
  }

  static uint64_t body_bytes_of(const Response& response, const RequestLine& line) {
    if (line.head_request) return 0;
    return response.stream ? response.stream->length : response.body.size();
  }

  // The handler logs and counts the request (it knows the routes; the server does not).
  void report(const RequestLine& line, int status, uint64_t bytes_in, uint64_t bytes_out) const {
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    context_.handler.request_done(
        RequestRecord{line.method, line.target, status, elapsed, bytes_in, bytes_out, remote_});
  }

  ServerContext& context_;
  Connection& connection_;
  Stream& stream_;
  const std::string remote_;
  beast::flat_buffer buffer_;  // bytes read but not yet parsed; may hold a pipelined next request
  Clock::time_point started_;  // first byte of the current request
};

// A Connection over one kind of stream; the session is compiled once per kind.
template <class Stream>
class StreamConnection final : public Connection {
 public:
  template <class... Args>
  explicit StreamConnection(Args&&... args) : stream_(std::forward<Args>(args)...) {}

  asio::any_io_executor executor() override { return stream_.get_executor(); }

  asio::awaitable<void> serve(ServerContext& context) override {
    Session<Stream> session(context, *this, stream_);
    co_await session.run();
  }

 protected:
  void cancel_stream() override { timed_layer(stream_).cancel(); }
  void close_stream() override {
    error_code ignored;
    timed_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    timed_layer(stream_).close();
  }

 private:
  Stream stream_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(tcp::socket socket, const ServerContext& context) {
  if (context.tls) return std::make_shared<StreamConnection<TlsStream>>(std::move(socket), *context.tls);
  return std::make_shared<StreamConnection<TcpStream>>(std::move(socket));
}

std::shared_ptr<Connection> make_connection(LocalSocket socket, const ServerContext&) {
  return std::make_shared<StreamConnection<LocalStream>>(std::move(socket));
}

asio::awaitable<void> serve_connection(std::shared_ptr<ServerContext> context, std::shared_ptr<Connection> connection) {
  // A forced close at the end of the grace period cancels what the session waits for; the session then
  // ends through its error paths, so later co_awaits must not throw as well.
  co_await asio::this_coro::throw_if_cancelled(false);
  co_await connection->serve(*context);
}

}  // namespace edgesync::http
