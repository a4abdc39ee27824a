// The route table and its classifier: what a request's metric label and log line say it was.
#define BOOST_TEST_MODULE routes_test
#include "server/api/routes.hpp"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

using namespace edgesync;

BOOST_AUTO_TEST_CASE(templates_are_unique_per_node_kind_and_use_the_agreed_names) {
  std::set<std::pair<std::string, int>> seen;
  const std::set<std::string> parameters = {"{orgID}",    "{objectType}", "{objectID}", "{destType}",
                                            "{destID}",   "{aclType}",    "{key}",      "{aclUserType}",
                                            "{username}", "{instanceID}", "{dataID}"};
  for (const Route& route : all_routes()) {
    BOOST_TEST_CONTEXT(route.path) {
      BOOST_TEST(route.methods != 0);
      BOOST_TEST(seen.insert({std::string(route.path), static_cast<int>(route.nodes)}).second);
      for (size_t open = route.path.find('{'); open != std::string_view::npos; open = route.path.find('{', open + 1)) {
        const std::string name(route.path.substr(open, route.path.find('}', open) - open + 1));
        BOOST_TEST(parameters.count(name) == 1u, name);
      }
      // Cloud object paths carry the org; edge ones do not.
      if (route.path.starts_with("/api/v1/objects/"))
        BOOST_TEST(route.path.starts_with("/api/v1/objects/{orgID}/") == (route.nodes == RouteNodes::kCloud));
    }
  }
}

BOOST_AUTO_TEST_CASE(classifies_cloud_and_edge_paths) {
  BOOST_TEST(route_of("GET", "/api/v1/objects/myorg/model/m1", true) ==
             "/api/v1/objects/{orgID}/{objectType}/{objectID}");
  BOOST_TEST(route_of("GET", "/api/v1/objects/model/m1", false) == "/api/v1/objects/{objectType}/{objectID}");
  BOOST_TEST(route_of("HEAD", "/api/v1/objects/model/m1/data", false) ==
             "/api/v1/objects/{objectType}/{objectID}/data");
  BOOST_TEST(route_of("PUT", "/api/v1/objects/myorg/model/m1/consumed?x=1", true) ==
             "/api/v1/objects/{orgID}/{objectType}/{objectID}/consumed");
  BOOST_TEST(route_of("GET", "/spi/v1/objects", true) == "/spi/v1/objects/");  // one trailing slash is ignored
  BOOST_TEST(route_of("PUT", "/spi/v1/objects/myorg/model/m1/17/17/ackconsumed", true) ==
             "/spi/v1/objects/{orgID}/{objectType}/{objectID}/{instanceID}/{dataID}/ackconsumed");
  BOOST_TEST(route_of("GET", "/metrics", false) == "/metrics");
  BOOST_TEST(route_of("GET", "/api/v1/events/myorg?since=3", true) == "/api/v1/events/{orgID}");
  BOOST_TEST(route_of("GET", "/api/v1/events", false) == "/api/v1/events");
}

BOOST_AUTO_TEST_CASE(near_misses_are_unmatched) {
  BOOST_TEST(route_of("GET", "/api/v1/objects/model/m1", true) == "/api/v1/objects/{orgID}/{objectType}");
  BOOST_TEST(route_of("GET", "/api/v1/objects/myorg/model/m1/bogus", true) == kUnmatchedRoute);
  BOOST_TEST(route_of("GET", "/spi/v1/objects", false) == kUnmatchedRoute);  // an edge serves no SPI
  BOOST_TEST(route_of("GET", "/api/v1/security/objects/myorg", false) == kUnmatchedRoute);
  BOOST_TEST(route_of("POST", "/api/v1/objects/myorg/model/m1", true) == kUnmatchedRoute);  // method
  BOOST_TEST(route_of("PATCH", "/api/v1/health", true) == kUnmatchedRoute);
  BOOST_TEST(route_of("GET", "/api/v1/objects/myorg//m1", true) == kUnmatchedRoute);  // empty segment
  BOOST_TEST(route_of("GET", "", true) == kUnmatchedRoute);
  BOOST_TEST(route_of("GET", "-", true) == kUnmatchedRoute);  // what the session reports for a bad head
  BOOST_TEST(route_of("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m", true) == kUnmatchedRoute);
  BOOST_TEST(route_index_of("GET", "/nope", true) == unmatched_route_index());
}

BOOST_AUTO_TEST_CASE(method_names_follow_the_bits) {
  BOOST_TEST((method_names(kGet | kDelete) == std::vector<std::string_view>{"GET", "DELETE"}));
}
