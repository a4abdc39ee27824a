// Request: what a handler sees of one HTTP request, without Beast.
//
// The session (session.cpp) implements it. A handler either reads the whole small body through
// body() (routes the handler declared kBuffered: bounded by http.max_metadata_bytes, 413 past it) or
// pulls a large body in pieces through read_body_some() (kStreamed routes: object data). A Request is
// used by one coroutine at a time and lives until the handler's response is written.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace edgesync::http {

// How the session should read the body, decided from the head before any body byte is read.
enum class BodyMode { kBuffered, kStreamed };

class Request {
 public:
  virtual ~Request() = default;

  virtual std::string_view method() const = 0;  // "GET", "PUT", …
  virtual std::string_view target() const = 0;  // raw request target: path and query
  // The target up to '?', still percent-encoded (an absolute-form target is reduced to its path).
  std::string_view path() const;
  std::string_view query() const;  // after '?', empty when none
  // The first value of a query parameter, decoded ('+' is a space, %XX escapes; a value with a
  // malformed escape is returned raw, for validation to refuse); "" for "name" or "name=";
  // nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;

  // Case-insensitive header lookup.
  virtual std::optional<std::string_view> header(std::string_view name) const = 0;
  // Content-Length when the client sent one (absent with chunked transfer encoding).
  virtual std::optional<uint64_t> content_length() const = 0;

  // kBuffered routes: the whole body.
  virtual const std::string& body() const = 0;
  // kStreamed routes: reads the next piece of the body into buffer, returning as soon as some bytes
  // are there; 0 means the body is complete. The first call sends "100 Continue" when the client
  // asked for it. read_timeout_seconds bounds each call (a stalled body fails, a slow one does not).
  // A timeout, a broken connection or a malformed chunked encoding is an error Status (invalid
  // argument), and every later call returns it again.
  virtual boost::asio::awaitable<Result<size_t>> read_body_some(std::span<char> buffer) = 0;

  // Remote address "ip:port", for logs.
  virtual std::string remote_endpoint() const = 0;
};

// Splits a path on '/' after percent-decoding each segment; a single trailing slash is dropped and an
// empty segment elsewhere is kept (so "/a//b" has an empty segment a handler can refuse).
std::vector<std::string> split_path(std::string_view path);

// Percent-decodes; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace edgesync::http
