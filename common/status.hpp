// Status and Result: how expected failures travel through edgesync.
//
// Not found, invalid input, conflicts and I/O errors are values, not exceptions (see STYLE.md).
// A Status carries a code, a human message that names the problem, and optionally the name of the
// field or parameter at fault. One place (server/api/http_errors) maps codes to HTTP answers.
// Both types are cheap to move and safe to share between threads once built.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace edgesync {

enum class StatusCode {
  kOk,
  kInvalidArgument,      // 400: the request is malformed or breaks a rule
  kForbidden,            // 403: authenticated identity may not do this (MMS never answers 401)
  kNotFound,             // 404
  kMethodNotAllowed,     // 405
  kConflict,             // 409
  kPayloadTooLarge,      // 413
  kRangeNotSatisfiable,  // 416
  kTooManyRequests,      // 429
  kIoError,              // 500: the disk or the database failed
  kInternal,             // 500: a broken invariant
  kUnavailable,          // 503: shutting down, or a dependency is down
};

class Status {
 public:
  Status() = default;  // OK

  static Status ok() { return {}; }
  static Status invalid(std::string message, std::string field = {}) {
    return {StatusCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Status forbidden(std::string message = "Unauthorized") { return {StatusCode::kForbidden, std::move(message)}; }
  static Status not_found(std::string message = {}) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status conflict(std::string message) { return {StatusCode::kConflict, std::move(message)}; }
  static Status io_error(std::string message) { return {StatusCode::kIoError, std::move(message)}; }
  static Status internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }
  static Status unavailable(std::string message) { return {StatusCode::kUnavailable, std::move(message)}; }

  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

// Either a value or a non-OK Status.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).is_ok() && "a Result built from a Status must be an error");
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; OK when the Result holds a value.
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace edgesync
