// The one error type of the SDK: every call that fails throws edgesync::client::Error.
//
// http_status() is the server's HTTP status (403, 404, 409…) or 0 when the request never got an
// answer (connection refused, TLS failure, timeout, stopped); message() is the server's own text
// (its one-line error body) or a description of the local failure.
#pragma once

#include <stdexcept>
#include <string>

#include "edgesync/client/export.hpp"

namespace edgesync::client {

enum class ErrorKind {
  kTransport,     // no answer: connect, TLS, read/write failure, timeout
  kHttp,          // the server answered with a non-2xx status
  kProtocol,      // the server answered something this client cannot read (bad JSON, bad framing)
  kInvalidInput,  // the caller's input was refused before anything was sent (bad URL, unreadable file)
  kStopped,       // the call was interrupted by stop() (pollers)
};

class EDGESYNC_CLIENT_API Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, int http_status, std::string message);

  ErrorKind kind() const noexcept { return kind_; }
  int http_status() const noexcept { return http_status_; }  // 0 unless kind() == kHttp
  const std::string& message() const noexcept { return message_; }

 private:
  ErrorKind kind_;
  int http_status_;
  std::string message_;
};

// "transport", "http", "protocol", "invalid input", "stopped".
EDGESYNC_CLIENT_API const char* to_string(ErrorKind kind) noexcept;

}  // namespace edgesync::client
