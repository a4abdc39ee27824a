// The route table (server/api/routes.hpp), which the router follows and routes_served_test checks
// against real nodes, and schemas/openapi.yaml describe the same API: every route a node serves is in
// the spec (`paths` for the cloud, `x-edge-paths` for the edge) and every operation of the spec is a
// route, method by method.
#define BOOST_TEST_MODULE route_spec_test
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <cctype>
#include <set>
#include <string>
#include <utility>

#include "server/api/routes.hpp"

namespace {

using Operation = std::pair<std::string, std::string>;  // method, path template
using Operations = std::set<Operation>;

// The operations of one paths object of the spec. HEAD is served wherever GET is and is not a route of
// its own: a documented HEAD must stand beside a GET.
Operations spec_operations(const YAML::Node& paths) {
  Operations operations;
  for (const auto& path : paths) {
    const std::string name = path.first.as<std::string>();
    for (const auto& item : path.second) {
      const std::string key = item.first.as<std::string>();
      if (key == "get" || key == "put" || key == "post" || key == "delete" || key == "patch" || key == "options") {
        std::string method = key;
        for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        operations.emplace(method, name);
      } else if (key == "head") {
        BOOST_TEST_CHECK(path.second["get"].IsDefined(), "HEAD without GET in the spec: " << name);
      }
    }
  }
  return operations;
}

Operations table_operations(const std::vector<edgesync::Route>& routes, edgesync::RouteNodes node) {
  Operations operations;
  for (const auto& route : routes) {
    if ((static_cast<uint8_t>(route.nodes) & static_cast<uint8_t>(node)) == 0) continue;
    for (const auto method : edgesync::method_names(route.methods))
      operations.emplace(std::string(method), std::string(route.path));
  }
  return operations;
}

// What is in `from` and not in `other`, one per line.
std::string missing(const Operations& from, const Operations& other) {
  std::string lines;
  for (const auto& operation : from)
    if (!other.count(operation)) lines += "  " + operation.first + " " + operation.second + "\n";
  return lines;
}

YAML::Node spec() {
  return YAML::LoadFile(std::string(EDGESYNC_SOURCE_DIR) + "/schemas/openapi.yaml");
}

void check_same(const Operations& served, const Operations& documented, const char* node) {
  const std::string undocumented = missing(served, documented);
  const std::string unserved = missing(documented, served);
  BOOST_TEST(undocumented.empty(), node << " routes missing from openapi.yaml:\n" << undocumented);
  BOOST_TEST(unserved.empty(), node << " operations of openapi.yaml that no route serves:\n" << unserved);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_cloud_route_is_documented_and_nothing_else) {
  const YAML::Node document = spec();
  BOOST_REQUIRE(document["paths"].IsMap());
  check_same(table_operations(edgesync::all_routes(), edgesync::RouteNodes::kCloud), spec_operations(document["paths"]),
             "cloud");
}

BOOST_AUTO_TEST_CASE(every_edge_route_is_documented_and_nothing_else) {
  const YAML::Node document = spec();
  BOOST_REQUIRE(document["x-edge-paths"].IsMap());
  check_same(table_operations(edgesync::all_routes(), edgesync::RouteNodes::kEdge),
             spec_operations(document["x-edge-paths"]), "edge");
}

// The comparison itself: a route dropped from the table, or one the spec lacks, is named.
BOOST_AUTO_TEST_CASE(a_difference_is_found_and_named) {
  std::vector<edgesync::Route> fewer = edgesync::all_routes();
  BOOST_REQUIRE(!fewer.empty());
  const edgesync::Route dropped = fewer.back();
  fewer.pop_back();
  const auto nodes = (static_cast<uint8_t>(dropped.nodes) & static_cast<uint8_t>(edgesync::RouteNodes::kCloud))
                         ? edgesync::RouteNodes::kCloud
                         : edgesync::RouteNodes::kEdge;
  const Operations all = table_operations(edgesync::all_routes(), nodes);
  const std::string named = missing(all, table_operations(fewer, nodes));
  BOOST_TEST(named.find(std::string(dropped.path)) != std::string::npos);
}
