// Sync under faults: kill -9 of an edge in the middle of a large transfer (it resumes from the last
// verified byte), kill -9 of the cloud between publish and delivery, and a link cut in the middle of a
// chunk. The edge reaches the cloud through a TcpProxy that counts bytes and injects the faults.
#define BOOST_TEST_MODULE sync_fault_test
#include <openssl/sha.h>

#include <boost/test/unit_test.hpp>

#include "tests/integration/sync_topology.hpp"
#include "tests/support/tcp_proxy.hpp"

using namespace edgesync::test;
using nlohmann::json;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kChunk = 4 * kMiB;  // the edges' store.chunk_size below
const std::string kEdgeChunk = "store:\n  chunk_size: " + std::to_string(kChunk) + "\n";

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string text;
  for (unsigned char byte : digest) {
    text += hex[byte >> 4];
    text += hex[byte & 15];
  }
  return text;
}

bool has_complete_copy(const NodeProcess& edge, const std::string& type_and_id) {
  return edge_status(edge, type_and_id) == "completelyReceived";
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_edge_killed_mid_transfer_resumes_from_the_last_verified_byte) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  TcpProxy proxy(cloud->port());
  auto edge = start_edge(dir.path(), "car", "big", proxy.port(), kEdgeChunk);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));

  const uint64_t size = 200 * kMiB;
  const std::string data = pattern_bytes(size, 11);
  proxy.set_rate_limit(60 * kMiB);  // ~3 s for the whole: time to act in the middle
  HttpClient app = cloud_app(*cloud);
  BOOST_REQUIRE(app.put(cloud_objects("model/big"), object_body("model", "big", {{"destinationType", "car"}})).status ==
                204);
  BOOST_REQUIRE(app.put(cloud_objects("model/big/data"), data).status == 204);

  BOOST_REQUIRE(wait_until([&] { return proxy.bytes_to_client() >= 80 * kMiB; }, std::chrono::seconds(60)));
  edge->kill_hard();
  const uint64_t before_kill = proxy.bytes_to_client();
  BOOST_REQUIRE_MESSAGE(before_kill < size, "the transfer finished before the kill; nothing to resume");
  proxy.set_rate_limit(0);
  proxy.reset_counters();

  edge = start_edge(dir.path(), "car", "big", proxy.port(), kEdgeChunk);
  BOOST_REQUIRE(wait_until([&] { return has_complete_copy(*edge, "model/big"); }, std::chrono::seconds(120)));
  const uint64_t after_restart = proxy.bytes_to_client();
  // Everything that crossed the link, minus the object once: what was fetched twice (plus a few KiB
  // of protocol around it).
  const int64_t fetched_again = static_cast<int64_t>(before_kill + after_restart) - static_cast<int64_t>(size);
  BOOST_TEST_MESSAGE("before kill " << before_kill << " B, after restart " << after_restart << " B, fetched again "
                                    << fetched_again << " B");
  BOOST_TEST(fetched_again < static_cast<int64_t>(2 * kChunk));
  BOOST_TEST(after_restart < size);  // it did not start over

  HttpClient reader = edge_app(*edge);
  auto copy = reader.get(edge_objects("model/big/data"));
  BOOST_REQUIRE(copy.status == 200);
  BOOST_TEST(copy.body.size() == size);
  BOOST_TEST(sha256_hex(copy.body) == sha256_hex(data));
  HttpClient cloud_reader = cloud_app(*cloud);
  BOOST_TEST(wait_until([&] { return destination_status(cloud_reader, "model/big", "big") == "delivered"; }));
}

BOOST_AUTO_TEST_CASE(a_cloud_killed_between_publish_and_delivery_loses_nothing) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  TcpProxy proxy(cloud->port());
  auto edge = start_edge(dir.path(), "car", "k1", proxy.port());
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  // The edge cannot hear of anything until the cloud is back.
  proxy.set_refuse(true);
  proxy.drop_all();
  HttpClient app = cloud_app(*cloud);
  std::vector<std::string> payloads;
  for (int i = 0; i < 20; ++i) {
    payloads.push_back(pattern_bytes(10 * 1024 + i, i));
    const std::string id = "o" + std::to_string(i);
    BOOST_REQUIRE(
        app.put(cloud_objects("model/" + id), object_body("model", id, {{"destinationType", "car"}}, &payloads.back()))
            .status == 204);
  }
  cloud->kill_hard();
  cloud = start_cloud(dir.path());
  proxy.set_target_port(cloud->port());
  proxy.set_refuse(false);
  HttpClient reader = edge_app(*edge);
  BOOST_REQUIRE(wait_until(
      [&] {
        auto listed = reader.get(edge_objects("model"));
        return listed.status == 200 && json::parse(listed.body).size() == payloads.size();
      },
      std::chrono::seconds(60)));
  for (size_t i = 0; i < payloads.size(); ++i) {
    BOOST_TEST(reader.get(edge_objects("model/o" + std::to_string(i) + "/data")).body == payloads[i]);
  }
}

BOOST_AUTO_TEST_CASE(a_link_cut_in_the_middle_of_a_chunk_is_survived) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  TcpProxy proxy(cloud->port());
  auto edge = start_edge(dir.path(), "car", "cut", proxy.port(), kEdgeChunk);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  const std::string data = pattern_bytes(20 * kMiB, 5);
  proxy.reset_counters();
  proxy.cut_after_bytes_to_client(kChunk + kChunk / 2);  // halfway through the second chunk
  HttpClient app = cloud_app(*cloud);
  BOOST_REQUIRE(app.put(cloud_objects("model/cut"), object_body("model", "cut", {{"destinationType", "car"}})).status ==
                204);
  BOOST_REQUIRE(app.put(cloud_objects("model/cut/data"), data).status == 204);
  BOOST_REQUIRE(wait_until([&] { return has_complete_copy(*edge, "model/cut"); }, std::chrono::seconds(60)));
  HttpClient reader = edge_app(*edge);
  BOOST_TEST(sha256_hex(reader.get(edge_objects("model/cut/data")).body) == sha256_hex(data));
  // Only the broken chunk came twice.
  BOOST_TEST(proxy.bytes_to_client() < data.size() + 2 * kChunk);
  BOOST_TEST(edge->log().find("fetching the data of myorg/model/cut failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_edge_upload_cut_in_the_middle_resumes_from_the_last_acknowledged_chunk) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  TcpProxy proxy(cloud->port());
  auto edge = start_edge(dir.path(), "car", "up", proxy.port(), kEdgeChunk);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));
  const std::string data = pattern_bytes(20 * kMiB, 9);
  proxy.reset_counters();
  proxy.cut_after_bytes_to_server(2 * kChunk + kChunk / 2);  // in the middle of the third chunk
  HttpClient local = edge_app(*edge);
  BOOST_REQUIRE(local.put(edge_objects("stats/up"), object_body("stats", "up")).status == 204);
  BOOST_REQUIRE(local.put(edge_objects("stats/up/data"), data).status == 204);
  HttpClient app = cloud_app(*cloud);
  BOOST_REQUIRE(wait_until([&] { return app.get(cloud_objects("stats/up/status")).body == "completelyReceived"; },
                           std::chrono::seconds(60)));
  BOOST_TEST(sha256_hex(app.get(cloud_objects("stats/up/data")).body) == sha256_hex(data));
  BOOST_TEST(proxy.bytes_to_server() < data.size() + 2 * kChunk);  // acknowledged chunks were not sent again
  BOOST_TEST(edge->log().find("connection to the cloud lost") != std::string::npos);  // the cut did happen
}
