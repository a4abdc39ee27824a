// Metasync end to end: the edge's `consumed` notification is lost (a fault hook drops it while the edge
// believes it was acknowledged); the next status snapshot repairs the cloud's per-destination status.
#define BOOST_TEST_MODULE metasync_test
#include <cstdlib>

#include <boost/test/unit_test.hpp>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

uint64_t metasyncs(const NodeProcess& edge) {
  HttpClient client = edge_app(edge);
  auto health = client.get("/api/v1/health");
  if (health.status != 200) return 0;
  return json::parse(health.body)["cloudConnection"]["metasyncs"].get<uint64_t>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_lost_consumed_notification_is_repaired_within_one_metasync_interval) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  ::setenv("EDGESYNC_FAULT_DROP_NOTIFICATIONS", "consumed", 1);
  auto edge = start_edge(dir.path(), "car", "m1", cloud->port(), "meta:\n  sync:\n    status:\n      interval: 1\n");
  ::unsetenv("EDGESYNC_FAULT_DROP_NOTIFICATIONS");
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));

  HttpClient app = cloud_app(*cloud);
  const std::string data = "status matters";
  BOOST_REQUIRE(
      app.put(cloud_objects("model/lost"), object_body("model", "lost", {{"destinationType", "car"}}, &data)).status ==
      204);
  BOOST_REQUIRE(wait_until([&] { return destination_status(app, "model/lost", "m1") == "delivered"; }));

  HttpClient local = edge_app(*edge);
  BOOST_REQUIRE(local.put(edge_objects("model/lost/consumed"), "").status == 204);
  // The edge thinks the cloud knows (the copy goes) but the cloud never heard.
  BOOST_REQUIRE(wait_until([&] { return local.get(edge_objects("model/lost/status")).status == 404; }));
  BOOST_TEST(edge->log().find("fault injection: consumed of myorg/model/lost dropped") != std::string::npos);
  const uint64_t syncs_before = metasyncs(*edge);
  BOOST_TEST(wait_until([&] { return destination_status(app, "model/lost", "m1") == "consumed"; }));
  // The edge counts a metasync once it has also pruned after the cloud's answer: a moment after the repair.
  BOOST_TEST(wait_until([&] { return metasyncs(*edge) > syncs_before; }));
  BOOST_TEST(cloud->log().find("metasync: myorg/model/lost at myorg/car/m1: delivered → consumed") !=
             std::string::npos);
}
