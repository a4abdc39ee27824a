// The route table (server/api/routes.hpp) against the real dispatch: a real cloud and a real edge are
// asked for every route of the table, with example parameter values and each of its methods, and none
// may get the router's "no such route" answer (an empty 404 marked X-Edgesync-No-Route); a few near
// misses, which the table does not list, must get exactly that. Whatever else a route answers (200,
// 204, 400, 403, 404 for a missing object, 424 for an unregistered node) shows it is served.
#define BOOST_TEST_MODULE routes_served_test
#include "server/api/routes.hpp"

#include <boost/test/unit_test.hpp>
#include <map>
#include <string>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync;
using namespace edgesync::test;

namespace {

// The example value of every template parameter.
const std::map<std::string, std::string> kExamples = {
    {"{orgID}", kOrg},     {"{objectType}", "model"}, {"{objectID}", "m1"}, {"{destType}", "camera"},
    {"{destID}", "cam1"},  {"{aclType}", "objects"},  {"{key}", "model"},   {"{aclUserType}", "user"},
    {"{username}", "bob"}, {"{instanceID}", "1"},     {"{dataID}", "1"},
};

std::string example_path(std::string_view path_template) {
  std::string path(path_template);
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    const size_t close = path.find('}', open);
    path.replace(open, close - open + 1, kExamples.at(path.substr(open, close - open + 1)));
  }
  return path;
}

// The SPI names its caller in X-Sync-Service-Dest and checks it before the path.
const Headers kSpiHeaders = {{"X-Sync-Service-Dest", kOrg + "/camera/cam1"}};

bool is_no_such_route(const HttpResult& answer) {
  return answer.status == 404 && answer.header("x-edgesync-no-route") == "true" && answer.body.empty();
}

// Every route of the table this node serves, every method; SPI calls as the edge node itself (the SPI
// checks the caller before the path), the rest as an org admin (cloud) or an application (edge).
void check_every_route(uint16_t port, bool cloud) {
  HttpClient app(port, cloud ? "admin@" + kOrg : kOrg + "/app");
  HttpClient node(port, kOrg + "/camera/cam1");
  size_t asked = 0;
  for (const Route& route : all_routes()) {
    const auto wanted = cloud ? RouteNodes::kCloud : RouteNodes::kEdge;
    if ((static_cast<uint8_t>(route.nodes) & static_cast<uint8_t>(wanted)) == 0) continue;
    const std::string path = example_path(route.path);
    const bool spi = route.path.starts_with("/spi/");
    HttpClient& client = spi ? node : app;
    for (std::string_view method : method_names(route.methods)) {
      const HttpResult answer = client.request(
          std::string(method), path, method == "GET" || method == "DELETE" ? "" : "{}", spi ? kSpiHeaders : Headers{});
      BOOST_TEST(!is_no_such_route(answer), method << " " << path << " (" << route.path << "): " << answer.status);
      if (spi) BOOST_TEST(answer.status != 403, method << " " << path);  // the caller is right: the path decides
      BOOST_TEST(route_of(method, path, cloud) == route.path);
      ++asked;
    }
  }
  BOOST_TEST(asked > 10u);
}

void check_near_misses(uint16_t port, bool cloud, const std::vector<std::pair<std::string, std::string>>& misses) {
  HttpClient app(port, cloud ? "admin@" + kOrg : kOrg + "/app");
  HttpClient node(port, kOrg + "/camera/cam1");
  for (const auto& [method, path] : misses) {
    const bool spi = path.starts_with("/spi/");
    HttpClient& client = spi ? node : app;
    const HttpResult answer = client.request(method, path, "", spi ? kSpiHeaders : Headers{});
    BOOST_TEST(is_no_such_route(answer), method << " " << path << ": " << answer.status);
    BOOST_TEST(route_of(method, path, cloud) == kUnmatchedRoute, path);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(cloud_and_edge_serve_every_route_of_the_table_and_nothing_near_it) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  auto edge = start_edge(dir.path(), "camera", "cam1", cloud->port());
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  // Something for the examples to find: an object with data at both nodes.
  HttpClient cloud_client = cloud_app(*cloud);
  BOOST_REQUIRE(
      cloud_client.put(cloud_objects("model/m1"), object_body("model", "m1", {{"destinationType", "camera"}})).status ==
      204);
  HttpClient edge_client = edge_app(*edge);
  BOOST_REQUIRE(edge_client.put(edge_objects("model/m1"), object_body("model", "m1")).status == 204);

  check_every_route(edge->port(), false);
  check_every_route(cloud->port(), true);

  check_near_misses(cloud->port(), true,
                    {{"GET", "/"},
                     {"GET", "/api/v2/health"},
                     {"GET", "/metrics/extra"},
                     {"GET", "/api/v1/destinations"},
                     {"GET", "/api/v1/destinations/myorg/camera/cam1/things"},
                     {"GET", "/api/v1/organizations/myorg/extra"},
                     {"GET", "/api/v1/events/myorg/extra"},
                     {"GET", "/spi/v1/nothing"},
                     {"PUT", "/spi/v1/objects/myorg/model/m1/1/1"}});
  check_near_misses(edge->port(), false,
                    {{"GET", "/api/v1/events/myorg"},
                     {"GET", "/spi/v1/objects"},
                     {"GET", "/api/v1/destinations/myorg"},
                     {"GET", "/api/v1/security/objects/myorg"},
                     {"GET", "/api/v1/organizations"},
                     {"GET", "/apis"}});
}
