// Writing a handler's Response with Beast: a response_serializer<buffer_body> for everything, fed a
// string body at once or a streamed body in bounded pieces (the pattern of Beast's "send a body from
// a source" example); the standard MMS headers on every answer.
#include "server/http/response_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <optional>

#include "server/http/streams.hpp"

namespace edgesync::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace {

// Bounds the memory one streamed download holds, whatever the object's size.
constexpr size_t kStreamPieceBytes = 64 * 1024;

// A header a handler built from user input must not split the head (CR/LF) or overflow Beast's
// field storage (which would throw).
bool is_safe_header_text(std::string_view text) {
  constexpr size_t kMaxHeaderText = 16 * 1024;
  return text.size() <= kMaxHeaderText && text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Responses that never carry a body (RFC 9110 §6.4.1): no Content-Length either.
bool is_bodiless(int status) {
  return status == 204 || status == 304;
}

// The head of the answer: the handler's headers, then the ones every MMS response carries unless the
// handler set its own. Framing headers belong to the server: the handler's are dropped.
void prepare_head(bhttp::fields& fields, const Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
        beast::iequals(name, "Connection"))
      continue;
    if (name.empty() || !is_safe_header_text(name) || !is_safe_header_text(value)) {
      spdlog::warn("dropping a malformed response header ({} bytes of name)", name.size());
      continue;
    }
    fields.insert(name, value);
  }
  auto set_default = [&fields](bhttp::field name, std::string_view value) {
    if (fields.find(name) == fields.end()) fields.set(name, value);
  };
  set_default(bhttp::field::cache_control, "no-store, no-cache, must-revalidate");
  set_default(bhttp::field::pragma, "no-cache");
  set_default(bhttp::field::strict_transport_security, "max-age=63072000; includeSubDomains; preload");
}

// Every answer, interim, string or streamed, goes through this one serializer type: each further
// Beast write instantiation costs seconds of compile time, and a buffer_body covers all three.
using Message = bhttp::response<bhttp::buffer_body>;
using Serializer = bhttp::response_serializer<bhttp::buffer_body>;

// Writes what the serializer has ready: the head, a piece, or the end. A buffer_body with more=true
// ends a write with need_buffer once its piece went out: that is success here.
template <class Stream>
asio::awaitable<bool> write_ready(Stream& stream, Serializer& serializer, std::chrono::seconds timeout) {
  error_code error;
  timed_layer(stream).expires_after(timeout);
  co_await bhttp::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, error));
  if (error == bhttp::error::need_buffer) error = {};
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

// The head has been prepared with Content-Length; sends it, then the source's bytes piece by piece.
template <class Stream>
asio::awaitable<bool> write_stream(Stream& stream, Message& message, BodySource& source, uint64_t length,
                                   std::chrono::seconds timeout) {
  message.body().data = nullptr;  // the head goes first; the pieces follow
  message.body().more = true;
  Serializer serializer{message};
  const bool head_written = co_await write_ready(stream, serializer, timeout);
  if (!head_written) co_return false;

  const auto piece = std::make_unique<char[]>(static_cast<size_t>(std::min<uint64_t>(kStreamPieceBytes, length)));
  uint64_t remaining = length;
  while (remaining > 0) {
    const size_t wanted = static_cast<size_t>(std::min<uint64_t>(kStreamPieceBytes, remaining));
    const auto produced = pull_piece(source, std::span<char>(piece.get(), wanted));
    // The head promised `length` bytes: closing is the only honest way to break that promise.
    if (!produced) co_return false;
    remaining -= *produced;
    message.body().data = piece.get();
    message.body().size = *produced;
    message.body().more = remaining > 0;
    const bool piece_written = co_await write_ready(stream, serializer, timeout);
    if (!piece_written) co_return false;
  }
  co_return serializer.is_done();
}

}  // namespace

template <class Stream>
asio::awaitable<bool> write_response(Stream& stream, Response& response, const WriteOptions& options) {
  if (response.status < 200 || response.status > 599) {
    spdlog::warn("handler answered with status {}: sending 500", response.status);
    response = error_response(500, "internal error");
  }
  Message message;
  message.version(options.version);
  message.result(static_cast<unsigned>(response.status));
  prepare_head(message.base(), response);
  message.keep_alive(options.keep_alive);
  const bool bodiless = is_bodiless(response.status);
  // For HEAD, Content-Length is what GET would send.
  if (!bodiless) message.content_length(response.stream ? response.stream->length : response.body.size());

  if (response.stream && !bodiless && !options.head_request && response.stream->length > 0) {
    if (!response.stream->source) {
      spdlog::warn("a streamed response of {} bytes has no source", response.stream->length);
      co_return false;
    }
    co_return co_await write_stream(stream, message, response.stream->source, response.stream->length,
                                    options.write_timeout);
  }
  const bool with_body = !bodiless && !options.head_request && !response.stream && !response.body.empty();
  message.body().data = with_body ? response.body.data() : nullptr;
  message.body().size = with_body ? response.body.size() : 0;
  message.body().more = false;
  Serializer serializer{message};
  co_return co_await write_ready(stream, serializer, options.write_timeout);
}

template <class Stream>
asio::awaitable<bool> write_continue(Stream& stream, std::chrono::seconds timeout) {
  Message interim{bhttp::status::continue_, 11};
  interim.body().data = nullptr;
  interim.body().more = false;
  Serializer serializer{interim};
  co_return co_await write_ready(stream, serializer, timeout);
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
