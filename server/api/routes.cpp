#include "server/api/routes.hpp"

#include <array>

namespace edgesync {

namespace {

constexpr uint8_t kGetPut = kGet | kPut;
constexpr RouteNodes kCloud = RouteNodes::kCloud;
constexpr RouteNodes kEdge = RouteNodes::kEdge;
constexpr RouteNodes kBoth = RouteNodes::kBoth;

// Object routes exist twice: with {orgID} on a cloud, without on an edge. The operations (data, status,
// the marks, activate) are literal paths, one route each, as openapi.yaml lists them.
std::vector<Route> make_routes() {
  std::vector<Route> routes = {
      {kGet, "/api/v1/health", kBoth},
      {kGet, "/metrics", kBoth},
      {kPost | kPut, "/api/v1/resend", kBoth},  // a cloud answers it with MMS's refusal
      {kGet, "/api/v1/events/{orgID}", kCloud},
      {kGet, "/api/v1/events", kEdge},
      {kGet, "/api/v1/organizations", kCloud},
      {kPut | kDelete, "/api/v1/organizations/{orgID}", kCloud},
      {kGet, "/api/v1/destinations/{orgID}", kCloud},
      {kGet, "/api/v1/destinations/{orgID}/{destType}/{destID}/objects", kCloud},
      {kGet, "/api/v1/destinations", kEdge},  // answered with MMS's refusal, as the next one
      {kGetPut, "/api/v1/security/{aclType}/{orgID}", kCloud},
      {kGetPut, "/api/v1/security/{aclType}/{orgID}/{key}", kCloud},
      {kDelete, "/api/v1/security/{aclType}/{orgID}/{key}/{aclUserType}/{username}", kCloud},
      {kGetPut, "/api/v1/objects/{orgID}/{objectType}", kCloud},
      {kGet | kPut | kDelete, "/api/v1/objects/{orgID}/{objectType}/{objectID}", kCloud},
      {kGetPut, "/api/v1/objects/{orgID}/{objectType}/{objectID}/data", kCloud},
      {kGet, "/api/v1/objects/{orgID}/{objectType}/{objectID}/status", kCloud},
      {kPut, "/api/v1/objects/{orgID}/{objectType}/{objectID}/received", kCloud},
      {kPut, "/api/v1/objects/{orgID}/{objectType}/{objectID}/consumed", kCloud},
      {kPut, "/api/v1/objects/{orgID}/{objectType}/{objectID}/deleted", kCloud},
      {kPut, "/api/v1/objects/{orgID}/{objectType}/{objectID}/activate", kCloud},
      {kGet | kPut | kPost, "/api/v1/objects/{orgID}/{objectType}/{objectID}/destinations", kCloud},
      {kGetPut, "/api/v1/objects/{objectType}", kEdge},
      {kGet | kPut | kDelete, "/api/v1/objects/{objectType}/{objectID}", kEdge},
      {kGetPut, "/api/v1/objects/{objectType}/{objectID}/data", kEdge},
      {kGet, "/api/v1/objects/{objectType}/{objectID}/status", kEdge},
      {kPut, "/api/v1/objects/{objectType}/{objectID}/received", kEdge},
      {kPut, "/api/v1/objects/{objectType}/{objectID}/consumed", kEdge},
      {kPut, "/api/v1/objects/{objectType}/{objectID}/deleted", kEdge},
      {kPut, "/api/v1/objects/{objectType}/{objectID}/activate", kEdge},
      {kGet | kPut | kPost, "/api/v1/objects/{objectType}/{objectID}/destinations", kEdge},
      // The SPI (reference/spi-wire.md): a cloud serves it to its edges.
      {kPut, "/spi/v1/register/{orgID}/{destType}/{destID}", kCloud},
      {kPut, "/spi/v1/register-new/{orgID}/{destType}/{destID}", kCloud},
      {kPut, "/spi/v1/ping/{orgID}/{destType}/{destID}", kCloud},
      {kPut, "/spi/v1/unregister/{orgID}/{destType}/{destID}", kCloud},
      {kPut, "/spi/v1/metasync/{orgID}/{destType}/{destID}", kCloud},
      {kGet, "/spi/v1/query/{orgID}/{objectType}/{objectID}", kCloud},
      {kGet, "/spi/v1/objects/", kCloud},  // the poll: MMS's path ends in a slash
      {kPut, "/spi/v1/objects/{orgID}/resend", kCloud},
      {kGetPut, "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/data", kCloud},
  };
  // The notifications an edge PUTs about one object (CloudSync::notification).
  static constexpr std::array<std::string_view, 11> kNotifications = {
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/update",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/delete",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/feedback",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/ackreceived",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/updated",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/received",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/consumed",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/deleted",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/ackDelete",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/ackDeleted",
      "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/ackconsumed",
  };
  for (std::string_view path : kNotifications) routes.push_back({kPut, path, kCloud});
  return routes;
}

constexpr size_t kMaxSegments = 10;

// Splits "/a/b/c" (query dropped, one trailing slash ignored) into at most kMaxSegments views; returns
// the count, or kMaxSegments + 1 when there are more (no route is that long).
size_t split(std::string_view path, std::array<std::string_view, kMaxSegments>& segments) {
  path = path.substr(0, path.find('?'));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.empty() || path.front() != '/') return kMaxSegments + 1;
  path.remove_prefix(1);
  size_t count = 0;
  while (true) {
    if (count == kMaxSegments) return kMaxSegments + 1;
    const size_t slash = path.find('/');
    segments[count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) return count;
    path.remove_prefix(slash + 1);
  }
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{';
}

// The table split into segments once, and grouped by node kind and segment count so that a lookup
// compares a request with a handful of candidates.
struct Index {
  struct Entry {
    size_t route;
    std::array<std::string_view, kMaxSegments> segments;
  };
  std::array<std::array<std::vector<Entry>, kMaxSegments + 1>, 2> by_node_and_count;  // [cloud][count]

  Index() {
    const auto& routes = all_routes();
    for (size_t i = 0; i < routes.size(); ++i) {
      Entry entry{i, {}};
      const size_t count = split(routes[i].path, entry.segments);
      for (int cloud = 0; cloud < 2; ++cloud) {
        const auto wanted = cloud ? RouteNodes::kCloud : RouteNodes::kEdge;
        if ((static_cast<uint8_t>(routes[i].nodes) & static_cast<uint8_t>(wanted)) != 0)
          by_node_and_count[cloud][count].push_back(entry);
      }
    }
  }
};

const Index& index() {
  static const Index built;
  return built;
}

uint8_t method_bit(std::string_view method) {
  if (method == "GET" || method == "HEAD") return kGet;
  if (method == "PUT") return kPut;
  if (method == "POST") return kPost;
  if (method == "DELETE") return kDelete;
  return 0;
}

}  // namespace

const std::vector<Route>& all_routes() {
  static const std::vector<Route> routes = make_routes();
  return routes;
}

std::vector<std::string_view> method_names(uint8_t methods) {
  std::vector<std::string_view> names;
  if (methods & kGet) names.push_back("GET");
  if (methods & kPut) names.push_back("PUT");
  if (methods & kPost) names.push_back("POST");
  if (methods & kDelete) names.push_back("DELETE");
  return names;
}

size_t route_index_of(std::string_view method, std::string_view path, bool cloud) {
  const uint8_t bit = method_bit(method);
  std::array<std::string_view, kMaxSegments> segments;
  const size_t count = split(path, segments);
  if (bit == 0 || count > kMaxSegments) return unmatched_route_index();
  const auto& routes = all_routes();
  for (const auto& entry : index().by_node_and_count[cloud ? 1 : 0][count]) {
    if ((routes[entry.route].methods & bit) == 0) continue;
    bool matches = true;
    for (size_t i = 0; matches && i < count; ++i) {
      const std::string_view pattern = entry.segments[i];
      matches = is_parameter(pattern) ? !segments[i].empty() : pattern == segments[i];
    }
    if (matches) return entry.route;
  }
  return unmatched_route_index();
}

std::string_view route_of(std::string_view method, std::string_view path, bool cloud) {
  const size_t route = route_index_of(method, path, cloud);
  return route == unmatched_route_index() ? kUnmatchedRoute : all_routes()[route].path;
}

}  // namespace edgesync
