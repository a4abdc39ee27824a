// The object API of an edge node: paths without orgID, edge-only rules (reference/mms-reference.md §1.3, §11).
#define BOOST_TEST_MODULE edge_api_test
#include <boost/test/unit_test.hpp>
#include <fstream>

#include "tests/integration/api_test_helpers.hpp"
#include "tests/support/node_process.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

struct EdgeNode {
  TempDir dir;
  NodeProcess node;
  EdgeNode()
      : node(dir.path() / "edge", {"--mode", "edge", "--org", "myorg", "--dest-type", "camera", "--dest-id", "cam1",
                                   "--cloud-url", "http://127.0.0.1:9"}) {}
};

EdgeNode& edge() {
  static EdgeNode instance;
  return instance;
}

HttpClient app() {
  return HttpClient(edge().node.port(), "myorg/app");
}

const std::string kBase = "/api/v1/objects";

}  // namespace

BOOST_AUTO_TEST_CASE(health_reports_an_edge_node) {
  auto client = app();
  auto health = client.get("/api/v1/health");
  BOOST_TEST(health.status == 200);
  BOOST_TEST(json_of(health)["general"]["nodeType"] == "ESS");
}

BOOST_AUTO_TEST_CASE(edge_objects_carry_the_edge_as_origin) {
  auto client = app();
  const std::string data = "edge-data";
  BOOST_TEST(client.put(kBase + "/stats/s1", object_body("stats", "s1", {}, &data)).status == 204);
  auto meta = json_of(client.get(kBase + "/stats/s1"));
  BOOST_TEST(meta["originType"] == "camera");
  BOOST_TEST(meta["originID"] == "cam1");
  BOOST_TEST(meta["destinationOrgID"] == "myorg");
  BOOST_TEST(client.get(kBase + "/stats/s1/status").body == "ready");
  BOOST_TEST(client.get(kBase + "/stats/s1/data").body == data);
  auto ranged = client.get(kBase + "/stats/s1/data", {{"Range", "bytes=0-3"}});
  BOOST_TEST(ranged.status == 206);
  BOOST_TEST(ranged.body == "edge");
}

BOOST_AUTO_TEST_CASE(edge_refuses_cloud_only_fields) {
  auto client = app();
  check_bad_request(client.put(kBase + "/t/x", object_body("t", "x", {{"expiration", "2099-01-01T00:00:00Z"}})),
                    "Expiration is not supported on an edge node");
  check_bad_request(client.put(kBase + "/t/x", object_body("t", "x", {{"destinationsList", {"a:b"}}})),
                    "destinationsList");
  check_bad_request(client.put(kBase + "/t/x", object_body("t", "x", {{"destinationDataUri", "file:///tmp/x"}})),
                    "destinationDataUri");
  BOOST_TEST(client.get(kBase + "/t/x").status == 404);
}

BOOST_AUTO_TEST_CASE(source_data_uri_imports_the_file) {
  auto client = app();
  TempDir files;
  const auto path = files.path() / "payload.bin";
  const std::string data = pattern_bytes(300000, 11);
  std::ofstream(path, std::ios::binary) << data;
  BOOST_TEST(client.put(kBase + "/file/src", object_body("file", "src", {{"sourceDataUri", "file://" + path.string()}}))
                 .status == 204);
  BOOST_TEST(client.get(kBase + "/file/src/status").body == "ready");
  BOOST_TEST(json_of(client.get(kBase + "/file/src"))["objectSize"] == data.size());
  BOOST_TEST((client.get(kBase + "/file/src/data").body == data));
  check_bad_request(
      client.put(kBase + "/file/src2", object_body("file", "src2", {{"sourceDataUri", "file:///no/such/file"}})),
      "sourceDataUri");
  const std::string inline_data = "x";
  check_bad_request(
      client.put(kBase + "/file/src3",
                 object_body("file", "src3", {{"sourceDataUri", "file://" + path.string()}}, &inline_data)),
      "sourceDataUri");
}

BOOST_AUTO_TEST_CASE(delete_of_an_unknown_object_is_400_on_an_edge) {
  auto client = app();
  check_bad_request(client.del(kBase + "/t/never"), "Failed to delete the object. Error: Object not found");
  BOOST_TEST(client.put(kBase + "/t/d1", object_body("t", "d1", {{"noData", true}})).status == 204);
  BOOST_TEST(client.del(kBase + "/t/d1").status == 204);
  BOOST_TEST(client.get(kBase + "/t/d1").status == 404);
}

BOOST_AUTO_TEST_CASE(only_the_edge_org_has_access) {
  HttpClient stranger(edge().node.port(), "otherorg/app");
  BOOST_TEST(stranger.get(kBase + "/t/x").status == 403);
  BOOST_TEST(stranger.put(kBase + "/t/x", object_body("t", "x")).status == 403);
  HttpClient edge_node(edge().node.port(), "myorg/camera/cam1");
  BOOST_TEST(edge_node.get(kBase + "/t/x").status == 403);
  HttpClient admin(edge().node.port(), "admin@myorg");
  BOOST_TEST(admin.get(kBase + "/t/x").status == 404);
}

BOOST_AUTO_TEST_CASE(marks_and_polling_behave_as_mms) {
  auto client = app();
  BOOST_TEST(client.put(kBase + "/m/own", object_body("m", "own", {{"noData", true}})).status == 204);
  check_bad_request(client.put(kBase + "/m/own/received", ""),
                    "Invalid attempt to mark object in status ready as received");
  check_bad_request(client.put(kBase + "/m/none/deleted", ""), "Failed to find object to mark as deleted");
  BOOST_TEST(client.get(kBase + "/m").status == 404);  // own objects are never in the update list
}

BOOST_AUTO_TEST_CASE(chunked_upload_works_on_an_edge) {
  auto client = app();
  const std::string data = pattern_bytes(1000, 5);
  BOOST_TEST(client.put(kBase + "/file/ch", object_body("file", "ch")).status == 204);
  BOOST_TEST(client.put(kBase + "/file/ch/data", data.substr(500), {{"Content-Range", "bytes 500-999/1000"}}).status ==
             204);
  BOOST_TEST(client.put(kBase + "/file/ch/data", data.substr(0, 500), {{"Content-Range", "bytes 0-499/1000"}}).status ==
             204);
  BOOST_TEST((client.get(kBase + "/file/ch/data").body == data));
}
