// The route table: every route a node serves, as data, and a classifier from a request to its route.
//
// Paths are OpenAPI-style templates ("/api/v1/objects/{orgID}/{objectType}/{objectID}/data"); a cloud's
// object paths carry {orgID}, an edge's do not. The table is the reference for metric labels (a route
// template, never a raw path: bounded cardinality, no org or object names), for request logs, and for
// the check against schemas/openapi.yaml. It must follow the dispatch of api_handler.cpp and the
// *_routes.cpp files; tests/integration/routes_test.cpp asks a real cloud and edge for every entry.
// Immutable after static initialisation: safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace edgesync {

enum class RouteNodes : uint8_t { kCloud = 1, kEdge = 2, kBoth = 3 };

// Methods as bits; HEAD is served wherever GET is (route_of treats it as GET).
enum RouteMethod : uint8_t { kGet = 1, kPut = 2, kPost = 4, kDelete = 8 };

struct Route {
  uint8_t methods;  // RouteMethod bits
  std::string_view path;
  RouteNodes nodes;
};

const std::vector<Route>& all_routes();

// "GET", "PUT", … for each bit of `methods`, in that order.
std::vector<std::string_view> method_names(uint8_t methods);

inline constexpr std::string_view kUnmatchedRoute = "unmatched";
// Index one past the table: the "unmatched" route in per-route arrays (metrics).
inline size_t unmatched_route_index() {
  return all_routes().size();
}

// The index in all_routes() of the route serving `method` on `path` (a request path, with or without
// its query, still percent-encoded) at a cloud (`cloud`) or an edge; unmatched_route_index() when none.
// One trailing slash is ignored, as the dispatch does. No allocation: runs on every request.
size_t route_index_of(std::string_view method, std::string_view path, bool cloud);
// The template of that route, or kUnmatchedRoute.
std::string_view route_of(std::string_view method, std::string_view path, bool cloud);

}  // namespace edgesync
