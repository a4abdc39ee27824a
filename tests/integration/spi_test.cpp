// The cloud's /spi/v1 over HTTP as an MMS edge speaks it (reference/spi-wire.md): identity checks,
// registration answers, 424 for an unknown node, and the MMS edge's padded last upload chunk.
#define BOOST_TEST_MODULE spi_test
#include <boost/test/unit_test.hpp>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

struct Cloud {
  TempDir dir;
  std::unique_ptr<NodeProcess> node = start_cloud(dir.path());
};

Cloud& cloud() {
  static Cloud instance;
  return instance;
}

// An MMS edge: Basic "org/type/id:" and X-Sync-Service-Dest on every call, no Content-Type.
HttpResult spi(const std::string& identity, const std::string& method, const std::string& target,
               const std::string& body = "", Headers headers = {}, const std::string& claimed = "") {
  HttpClient client(cloud().node->port(), identity);
  headers.emplace_back("X-Sync-Service-Dest", claimed.empty() ? identity : claimed);
  return client.request(method, target, body, headers);
}

}  // namespace

BOOST_AUTO_TEST_CASE(registration_answers_as_mms) {
  const std::string me = kOrg + "/mms/r1";
  BOOST_TEST(spi(me, "PUT", "/spi/v1/register/" + me + "?persistent-storage=true").status == 404);
  BOOST_TEST(spi(me, "PUT", "/spi/v1/ping/" + me).status == 404);
  BOOST_TEST(spi(me, "GET", "/spi/v1/objects/").status == 424);
  BOOST_TEST(spi(me, "PUT", "/spi/v1/register-new/" + me + "?persistent-storage=true").status == 204);
  BOOST_TEST(spi(me, "PUT", "/spi/v1/register/" + me + "?persistent-storage=true").status == 204);
  BOOST_TEST(spi(me, "PUT", "/spi/v1/ping/" + me).status == 204);
  auto idle = spi(me, "GET", "/spi/v1/objects/");
  BOOST_TEST(idle.status == 204);
  BOOST_TEST(idle.body.empty());
  BOOST_TEST(spi(me, "PUT", "/spi/v1/unregister/" + me).status == 204);
  BOOST_TEST(spi(me, "GET", "/spi/v1/objects/").status == 424);
}

BOOST_AUTO_TEST_CASE(a_node_may_only_speak_as_itself) {
  const std::string me = kOrg + "/mms/r2";
  BOOST_REQUIRE(spi(me, "PUT", "/spi/v1/register-new/" + me).status == 204);
  auto spoofed = spi(me, "GET", "/spi/v1/objects/", "", {}, kOrg + "/mms/other");
  BOOST_TEST(spoofed.status == 403);
  BOOST_TEST(spoofed.body == "Unauthorized\n");  // as Go's http.Error writes it
  HttpClient without(cloud().node->port(), me);
  BOOST_TEST(without.get("/spi/v1/objects/").status == 403);  // no X-Sync-Service-Dest
  BOOST_TEST(spi(me, "PUT", "/spi/v1/register-new/" + kOrg + "/mms/other").status == 403);
  // An application's credentials are not a node's.
  BOOST_TEST(spi(kOrg + "/someuser", "GET", "/spi/v1/objects/", "", {}, me).status == 403);
}

BOOST_AUTO_TEST_CASE(a_long_poll_answers_when_work_arrives) {
  const std::string me = kOrg + "/lp/l1";
  BOOST_REQUIRE(spi(me, "PUT", "/spi/v1/register-new/" + me).status == 204);
  auto nothing = spi(me, "GET", "/spi/v1/objects/?wait=0");
  BOOST_TEST(nothing.status == 204);
  BOOST_TEST(spi(me, "GET", "/spi/v1/objects/?wait=x").status == 400);
  std::thread publisher([] {
    HttpClient app = cloud_app(*cloud().node);
    const std::string data = "wake up";
    app.put(cloud_objects("lp/o1"), object_body("lp", "o1", {{"destinationType", "lp"}}, &data));
  });
  auto work = spi(me, "GET", "/spi/v1/objects/?wait=60");
  publisher.join();
  BOOST_REQUIRE(work.status == 200);
  auto items = json::parse(work.body);
  BOOST_TEST(items[0]["Type"] == "update");
  BOOST_TEST(items[0]["MetaData"]["objectID"] == "o1");
  BOOST_TEST(items[0]["MetaData"]["destinationID"] == "l1");
}

BOOST_AUTO_TEST_CASE(an_mms_edge_upload_with_a_padded_last_chunk_is_stored_exactly) {
  const std::string me = kOrg + "/mms/u1";
  BOOST_REQUIRE(spi(me, "PUT", "/spi/v1/register-new/" + me).status == 204);
  const std::string data = pattern_bytes(6000, 2);
  json meta = {{"objectID", "e6"}, {"objectType", "edgeup"},    {"instanceID", 77},
               {"dataID", 77},     {"objectSize", data.size()}, {"chunkSize", 4096}};
  const std::string base = "/spi/v1/objects/" + kOrg + "/edgeup/e6/77/77/";
  BOOST_REQUIRE(spi(me, "PUT", base + "update", meta.dump()).status == 204);
  BOOST_REQUIRE(spi(me, "PUT", base + "data", data.substr(0, 4096), {{"Content-Range", "bytes 0-4095/6000"}}).status ==
                204);
  // As the MMS edge sends it: 1904 bytes of data padded with junk to a full chunk.
  const std::string padded = data.substr(4096) + std::string(4096 - 1904, 'J');
  BOOST_REQUIRE(spi(me, "PUT", base + "data", padded, {{"Content-Range", "bytes 4096-5999/6000"}}).status == 204);
  HttpClient app = cloud_app(*cloud().node);
  BOOST_TEST(app.get(cloud_objects("edgeup/e6/status")).body == "completelyReceived");
  BOOST_TEST(app.get(cloud_objects("edgeup/e6/data")).body == data);
  // Data for another version than the copy's is ignored (409, "treat as acknowledged").
  BOOST_TEST(spi(me, "PUT", "/spi/v1/objects/" + kOrg + "/edgeup/e6/78/78/data", "x").status == 409);
  // Another node may not send this node's object data.
  const std::string other = kOrg + "/mms/u2";
  BOOST_REQUIRE(spi(other, "PUT", "/spi/v1/register-new/" + other).status == 204);
  BOOST_TEST(spi(other, "PUT", base + "data", data).status == 403);
}
