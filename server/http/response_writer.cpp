// Writing a handler's Response: the head rendered into one buffer by hand (status line, the handler's
// headers, the standard MMS headers, framing), a string body appended to it, the whole answer sent with
// one write; a streamed body follows its head in bounded pieces. Beast's serializer did the same with a
// buffer sequence of a dozen pieces, a heap node per header and an extra pass per write: its share of a
// small GET was the largest user-space cost left in the profile (tests/bench/RESULTS.md, round 4).
#include "server/http/response_writer.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>

#include "server/http/streams.hpp"

namespace edgesync::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

namespace {

// Bounds the memory one streamed download holds, whatever the object's size.
constexpr size_t kStreamPieceBytes = 64 * 1024;

// A string body up to this size travels in the head's buffer (one copy, one write); a larger one is
// sent from where it is, gathered with the head.
constexpr size_t kCopiedBodyBytes = 16 * 1024;

// A header a handler built from user input must not split the head (CR/LF/NUL).
bool is_safe_header_text(std::string_view text) {
  constexpr size_t kMaxHeaderText = 16 * 1024;
  return text.size() <= kMaxHeaderText && text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Responses that never carry a body (RFC 9110 §6.4.1): no Content-Length either.
bool is_bodiless(int status) {
  return status == 204 || status == 304;
}

// Framing headers belong to the server: a handler's are dropped.
bool is_framing_header(std::string_view name) {
  return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
         beast::iequals(name, "Connection");
}

bool has_header(const Response& response, std::string_view name) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [name](const auto& header) { return beast::iequals(header.first, name); });
}

void append_field(std::string& head, std::string_view name, std::string_view value) {
  head.append(name).append(": ").append(value).append("\r\n");
}

// What one write sends: the head and/or a body piece. One type for every write keeps the composed
// write operations instantiated once per stream (each instantiation over TLS is tens of KiB of code).
using Pieces = std::array<asio::const_buffer, 2>;

// Plain sockets first send what the kernel takes right now, without the reactor: a small answer
// nearly always fits the socket's send buffer, and this spares a timer, a posted completion and a
// strand hop per response (nginx answers the same way). Returns the bytes sent; 0 when nothing could be
// (would block, or an error that the asynchronous write that follows will report).
size_t send_now(int socket, const Pieces& pieces) {
  std::array<iovec, 2> vectors{};
  for (size_t i = 0; i < pieces.size(); ++i) vectors[i] = iovec{const_cast<void*>(pieces[i].data()), pieces[i].size()};
  msghdr message{};
  message.msg_iov = vectors.data();
  message.msg_iovlen = vectors.size();
  const ssize_t sent = ::sendmsg(socket, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  return sent > 0 ? static_cast<size_t>(sent) : 0;
}

// Writes both pieces whole; false (logged at debug) when the peer is gone or too slow.
template <class Stream>
asio::awaitable<bool> write_all(Stream& stream, const Pieces& pieces, std::chrono::seconds timeout) {
  beast::buffers_suffix<Pieces> rest(pieces);
  if constexpr (!kIsTls<Stream>) rest.consume(send_now(timed_layer(stream).socket().native_handle(), pieces));
  if (beast::buffer_bytes(rest) == 0) co_return true;
  error_code error;
  timed_layer(stream).expires_after(timeout);
  co_await asio::async_write(stream, rest, asio::redirect_error(asio::use_awaitable, error));
  if (error) spdlog::debug("writing a response failed: {}", error.message());
  co_return !error;
}

// Pulls the next piece from the source; nullopt (logged) when it failed or broke its contract.
std::optional<size_t> pull_piece(BodySource& source, std::span<char> piece) {
  try {
    auto produced = source(piece);
    if (!produced) {
      spdlog::warn("response stream failed: {}", produced.status().message());
      return std::nullopt;
    }
    if (*produced == 0 || *produced > piece.size()) {
      spdlog::warn("response stream produced {} bytes where 1 to {} were due", *produced, piece.size());
      return std::nullopt;
    }
    return *produced;
  } catch (const std::exception& failure) {
    spdlog::warn("response stream threw: {}", failure.what());
  } catch (...) {
    spdlog::warn("response stream threw an unknown exception");
  }
  return std::nullopt;
}

// One sendfile(2) call moves at most this much, so that a fast reader cannot keep the io thread busy
// with one download for long.
constexpr size_t kSendfileBytes = 4 * 1024 * 1024;

// Waits until the plain socket can take more bytes; false when `timeout` passed first or it failed.
template <class Socket>
asio::awaitable<bool> wait_writable(Socket& socket, std::chrono::seconds timeout) {
  // The timer's handler runs on this coroutine's executor (the connection's strand), so it sees
  // `waiting` cleared once the wait below has ended and then touches nothing: the socket may be gone.
  struct State {
    bool waiting = true;
    bool timed_out = false;
  };
  auto state = std::make_shared<State>();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  timer.async_wait([&socket, state](error_code error) {
    if (error || !state->waiting) return;
    state->timed_out = true;
    socket.cancel();
  });
  auto [error] = co_await socket.async_wait(Socket::wait_write, asio::as_tuple(asio::use_awaitable));
  state->waiting = false;
  timer.cancel();
  co_return !error && !state->timed_out;
}

// Sends `length` bytes of the file with sendfile(2): the kernel hands page-cache pages to the socket,
// sparing the read into a buffer and the copy from it (the user-space copies of a large download).
template <class Stream>
asio::awaitable<bool> send_file(Stream& stream, const FileRange& file, uint64_t length, std::chrono::seconds timeout) {
  auto& socket = timed_layer(stream).socket();
  error_code error;
  socket.native_non_blocking(true, error);  // sendfile must answer EAGAIN, never block the io thread
  if (error) {
    spdlog::debug("sending a file failed: {}", error.message());
    co_return false;
  }
  off_t offset = static_cast<off_t>(file.offset);
  uint64_t remaining = length;
  while (remaining > 0) {
    const ssize_t sent = ::sendfile(socket.native_handle(), file.fd, &offset,
                                    static_cast<size_t>(std::min<uint64_t>(remaining, kSendfileBytes)));
    if (sent > 0) {
      remaining -= static_cast<uint64_t>(sent);
    } else if (sent == 0) {  // the file is shorter than its object says: the head's length cannot be kept
      spdlog::warn("response stream: the data file ended {} bytes early", remaining);
      co_return false;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!co_await wait_writable(socket, timeout)) co_return false;
    } else if (errno != EINTR) {
      spdlog::debug("sending a file failed: {}", std::strerror(errno));
      co_return false;
    }
  }
  co_return true;
}

// Sends the head, then the source's `length` bytes piece by piece.
template <class Stream>
asio::awaitable<bool> write_stream(Stream& stream, const std::string& head, BodySource& source, uint64_t length,
                                   std::chrono::seconds timeout) {
  const Pieces head_only{asio::buffer(head), {}};
  if (!co_await write_all(stream, head_only, timeout)) co_return false;
  const auto piece = std::make_unique<char[]>(static_cast<size_t>(std::min<uint64_t>(kStreamPieceBytes, length)));
  uint64_t remaining = length;
  while (remaining > 0) {
    const size_t wanted = static_cast<size_t>(std::min<uint64_t>(kStreamPieceBytes, remaining));
    const auto produced = pull_piece(source, std::span<char>(piece.get(), wanted));
    // The head promised `length` bytes: closing is the only honest way to break that promise.
    if (!produced) co_return false;
    remaining -= *produced;
    const Pieces this_piece{asio::buffer(piece.get(), *produced), {}};
    if (!co_await write_all(stream, this_piece, timeout)) co_return false;
  }
  co_return true;
}

}  // namespace

std::string render_response_head(const Response& response, const WriteOptions& options) {
  std::string head;
  head.reserve(256);
  head.append(options.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  char number[24];
  head.append(number, std::to_chars(number, number + sizeof number, response.status).ptr);
  head.push_back(' ');
  head.append(beast::http::obsolete_reason(static_cast<beast::http::status>(response.status)));
  head.append("\r\n");
  for (const auto& [name, value] : response.headers) {
    if (is_framing_header(name)) continue;
    if (name.empty() || !is_safe_header_text(name) || !is_safe_header_text(value)) {
      spdlog::warn("dropping a malformed response header ({} bytes of name)", name.size());
      continue;
    }
    append_field(head, name, value);
  }
  if (!has_header(response, "Cache-Control"))
    append_field(head, "Cache-Control", "no-store, no-cache, must-revalidate");
  if (!has_header(response, "Pragma")) append_field(head, "Pragma", "no-cache");
  if (!has_header(response, "Strict-Transport-Security"))
    append_field(head, "Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload");
  // HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 closes it unless told otherwise.
  if (options.version == 10 && options.keep_alive) append_field(head, "Connection", "keep-alive");
  if (options.version != 10 && !options.keep_alive) append_field(head, "Connection", "close");
  // For HEAD, Content-Length is what GET would send.
  if (!is_bodiless(response.status)) {
    const uint64_t length = response.stream ? response.stream->length : response.body.size();
    head.append("Content-Length: ");
    head.append(number, std::to_chars(number, number + sizeof number, length).ptr);
    head.append("\r\n");
  }
  head.append("\r\n");
  return head;
}

template <class Stream>
asio::awaitable<bool> write_response(Stream& stream, Response& response, const WriteOptions& options) {
  if (response.status < 200 || response.status > 599) {
    spdlog::warn("handler answered with status {}: sending 500", response.status);
    response = error_response(500, "internal error");
  }
  std::string wire = render_response_head(response, options);
  const bool bodiless = is_bodiless(response.status) || options.head_request;
  if (response.stream && !bodiless && response.stream->length > 0) {
    if (!response.stream->source) {
      spdlog::warn("a streamed response of {} bytes has no source", response.stream->length);
      co_return false;
    }
    if constexpr (!kIsTls<Stream>) {
      if (response.stream->file) {
        const Pieces head_only{asio::buffer(wire), {}};
        if (!co_await write_all(stream, head_only, options.write_timeout)) co_return false;
        co_return co_await send_file(stream, *response.stream->file, response.stream->length, options.write_timeout);
      }
    }
    co_return co_await write_stream(stream, wire, response.stream->source, response.stream->length,
                                    options.write_timeout);
  }
  const std::string_view body = bodiless || response.stream ? std::string_view() : std::string_view(response.body);
  if (body.size() <= kCopiedBodyBytes) {
    wire.append(body);
    const Pieces whole{asio::buffer(wire), {}};
    co_return co_await write_all(stream, whole, options.write_timeout);
  }
  const Pieces head_and_body{asio::buffer(wire), asio::buffer(body)};
  co_return co_await write_all(stream, head_and_body, options.write_timeout);
}

template <class Stream>
asio::awaitable<bool> write_continue(Stream& stream, std::chrono::seconds timeout) {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  const Pieces interim{asio::buffer(kContinue), {}};
  co_return co_await write_all(stream, interim, timeout);
}

template asio::awaitable<bool> write_response(TcpStream&, Response&, const WriteOptions&);
template asio::awaitable<bool> write_response(TlsStream&, Response&, const WriteOptions&);
template asio::awaitable<bool> write_response(LocalStream&, Response&, const WriteOptions&);
template asio::awaitable<bool> write_continue(TcpStream&, std::chrono::seconds);
template asio::awaitable<bool> write_continue(TlsStream&, std::chrono::seconds);
template asio::awaitable<bool> write_continue(LocalStream&, std::chrono::seconds);

Response error_response(int status, std::string text) {
  return Response::text(status, std::move(text) + "\n");
}

bool asks_to_close(const Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (beast::iequals(name, "Connection") && beast::iequals(value, "close")) return true;
  }
  return false;
}

}  // namespace edgesync::http
