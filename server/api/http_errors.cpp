#include "server/api/http_errors.hpp"

#include <nlohmann/json.hpp>

#include "common/json_text.hpp"

namespace edgesync {

int http_status_of(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kForbidden: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kMethodNotAllowed: return 405;
    case StatusCode::kConflict: return 409;
    case StatusCode::kPayloadTooLarge: return 413;
    case StatusCode::kRangeNotSatisfiable: return 416;
    case StatusCode::kTooManyRequests: return 429;
    case StatusCode::kIoError: return 500;
    case StatusCode::kInternal: return 500;
    case StatusCode::kUnavailable: return 503;
  }
  return 500;
}

bool wants_json_errors(const http::Request& request) {
  return request.header("Accept").value_or("").find("application/json") != std::string_view::npos;
}

http::Response error_response(const Status& status, bool wants_json) {
  const int code = http_status_of(status.code());
  if ((code == 404 || code == 405) && status.message().empty()) return http::Response::empty(code);
  if (status.message().empty()) return http::Response::empty(code);
  if (wants_json) {
    nlohmann::json body = {{"error", status.message()}};
    if (!status.field().empty()) body["field"] = status.field();
    return http::Response::json(code, json_text(body) + "\n");
  }
  return http::Response::text(code, status.message() + "\n");
}

http::Response no_such_route() {
  http::Response response = http::Response::empty(404);
  response.set_header(kNoRouteHeader, "true");
  return response;
}

}  // namespace edgesync
