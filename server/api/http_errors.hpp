// The one place where a Status becomes an HTTP answer (API.md §1 "Error bodies").
//
// MMS clients print the body as is, so by default it is one line of plain text naming the problem;
// with `Accept: application/json` it is {"error": "...", "field": "..."}. 404 and 405 carry no body,
// as MMS's do.
#pragma once

#include "common/status.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"

namespace edgesync {

int http_status_of(StatusCode code);

http::Response error_response(const Status& status, bool wants_json);

// The router's answer to a path no route serves (routes.hpp): MMS's empty 404, marked with
// `X-Edgesync-No-Route: true` so that an operator (and routes_test) can tell it from a 404 about a
// missing object, which is empty too.
http::Response no_such_route();
inline constexpr const char* kNoRouteHeader = "X-Edgesync-No-Route";

// Did the client ask for JSON errors (Accept: application/json)?
bool wants_json_errors(const http::Request& request);

}  // namespace edgesync
