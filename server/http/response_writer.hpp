// Internal to server/http: turns a handler's Response into bytes on the connection.
//
// Adds the headers every MMS response carries, Content-Length, Connection; writes a string body in
// one go and a streamed body in pieces of at most 64 KiB pulled from its BodySource, so a large object
// never sits in memory. Used by one session at a time, on that session's strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "server/http/response.hpp"

namespace edgesync::http {

struct WriteOptions {
  unsigned version = 11;  // the request's HTTP version: 10 or 11
  bool keep_alive = false;
  bool head_request = false;               // HEAD: the head of the answer only, Content-Length as for GET
  std::chrono::seconds write_timeout{30};  // per write: a peer that takes nothing for this long is gone
};

// Stream is one of streams.hpp (TcpStream, TlsStream, LocalStream): response_writer.cpp compiles
// the writers for each.

// Writes the response. False when the connection cannot be used any more: a write failed or timed
// out, or a stream's source failed after the head went out (its promised length cannot be kept).
template <class Stream>
boost::asio::awaitable<bool> write_response(Stream& stream, Response& response, const WriteOptions& options);

// Writes the interim "100 Continue" that a client sending "Expect: 100-continue" waits for.
template <class Stream>
boost::asio::awaitable<bool> write_continue(Stream& stream, std::chrono::seconds timeout);

// The status line and headers write_response sends for this response, ending with the blank line:
// the handler's headers (framing ones dropped, malformed ones dropped and logged), the standard MMS
// headers unless the handler set its own, Connection when the version's default does not hold, and
// Content-Length (none for 204/304; for HEAD, the length GET would send).
std::string render_response_head(const Response& response, const WriteOptions& options);

// A plain-text error answer from the server itself (not from a handler).
Response error_response(int status, std::string text);

// True when the handler asked to close the connection after this response ("Connection: close").
bool asks_to_close(const Response& response);

}  // namespace edgesync::http
