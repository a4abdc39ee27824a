// Limits enforced by the real binary: concurrent data transfers (429), a stalled body (read timeout),
// an oversized request head (431). Each answer is clear and the node keeps serving.
#define BOOST_TEST_MODULE limits_test
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "tests/integration/api_test_helpers.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/prometheus_text.hpp"

using namespace edgesync::test;
namespace asio = boost::asio;

namespace {

struct LimitedNode {
  TempDir dir;
  NodeProcess node;
  LimitedNode() : node(dir.path() / "cloud", args(dir)) {}
  static std::vector<std::string> args(const TempDir& dir) {
    const auto config = dir.path() / "limits.yaml";
    std::ofstream(config)
        << "http:\n  max_concurrent_transfers: 1\n  read_timeout_seconds: 5\n  max_metadata_bytes: 1048576\n"
           "  max_header_bytes: 2048\n";
    return {"--config", config.string()};
  }
};

// Opens a data upload and holds a transfer slot with it: the body trickles in a byte every half second
// (each byte restarts the server's per-piece read timeout, so the slot stays taken however slow the
// machine) until stall() stops it; then the read timeout ends it.
struct StalledUpload {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  std::mutex mutex;
  std::condition_variable stop_trickle;
  bool stalled = false;
  std::thread trickle;
  StalledUpload(uint16_t port, const std::string& target) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(socket, asio::buffer("PUT " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: " +
                                     basic_auth("admin@myorg") + "\r\nContent-Length: 1000\r\n\r\nfirst bytes"));
    trickle = std::thread([this] {
      std::unique_lock lock(mutex);
      boost::system::error_code error;
      while (!error && !stop_trickle.wait_for(lock, std::chrono::milliseconds(500), [this] { return stalled; }))
        asio::write(socket, asio::buffer("x", 1), error);
    });
  }
  ~StalledUpload() { stall(); }
  void stall() {
    {
      std::lock_guard lock(mutex);
      stalled = true;
    }
    stop_trickle.notify_all();
    if (trickle.joinable()) trickle.join();
  }
  // Everything the server answers until it closes the connection.
  std::string answer() {
    std::string text;
    char buffer[1024];
    boost::system::error_code error;
    while (!error) {
      const size_t n = socket.read_some(asio::buffer(buffer), error);
      text.append(buffer, n);
    }
    return text;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(transfers_past_the_limit_get_429_and_a_stalled_body_times_out) {
  LimitedNode cloud;
  HttpClient client(cloud.node.port(), "admin@myorg");
  const std::string data = pattern_bytes(20000);  // above the 16 KiB answered from memory
  BOOST_REQUIRE(client.put("/api/v1/objects/myorg/t/ready", object_body("t", "ready", {}, &data)).status == 204);
  const std::string small = "payload";
  BOOST_REQUIRE(client.put("/api/v1/objects/myorg/t/small", object_body("t", "small", {}, &small)).status == 204);
  BOOST_REQUIRE(client.put("/api/v1/objects/myorg/t/upload", object_body("t", "upload")).status == 204);

  // While a stalled upload holds the only slot, other transfers are refused with a clear 429. The probe
  // waits until the upload holds the slot (an earlier version raced a probing GET against a series of
  // uploads, and a discarded upload whose close the server had not seen yet could be the one refusing).
  std::optional<StalledUpload> stalled;
  stalled.emplace(cloud.node.port(), "/api/v1/objects/myorg/t/upload/data");
  BOOST_REQUIRE(wait_until([&] {
    return parse_prometheus_text(client.get("/metrics").body).value("edgesync_active_data_transfers") == 1.0;
  }));
  const HttpResult refused = client.get("/api/v1/objects/myorg/t/ready/data");
  BOOST_TEST(refused.status == 429);
  BOOST_TEST(refused.body.find("Too many concurrent data transfers") != std::string::npos);
  BOOST_TEST(client.get("/api/v1/objects/myorg/t/ready").status == 200);  // metadata is not a transfer
  // Small answers (a small object, a small range) come from memory and need no slot.
  auto whole_small = client.get("/api/v1/objects/myorg/t/small/data");
  BOOST_TEST(whole_small.status == 200);
  BOOST_TEST(whole_small.body == small);
  auto small_range = client.get("/api/v1/objects/myorg/t/ready/data", {{"Range", "bytes=100-199"}});
  BOOST_TEST(small_range.status == 206);
  BOOST_TEST(small_range.body == data.substr(100, 100));
  // ... while the slot is still taken.
  BOOST_TEST(client.get("/api/v1/objects/myorg/t/ready/data").status == 429);

  // The stalled body runs into the read timeout: an error answer or a close, never a hang.
  stalled->stall();
  const std::string answer = stalled->answer();
  BOOST_TEST(answer.find(" 204 ") == std::string::npos);
  BOOST_TEST(client.get("/api/v1/objects/myorg/t/upload/status").body == "notReady");
  // The slot is free again.
  BOOST_TEST(wait_until([&] { return client.get("/api/v1/objects/myorg/t/ready/data").status == 200; }));
}

BOOST_AUTO_TEST_CASE(an_oversized_head_is_431_and_the_node_keeps_serving) {
  LimitedNode cloud;
  const std::string request =
      "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(4000, 'p') + "\r\n\r\n";
  BOOST_TEST(send_raw(cloud.node.port(), request).rfind("HTTP/1.1 431", 0) == 0);
  HttpClient client(cloud.node.port(), "admin@myorg");
  BOOST_TEST(client.get("/api/v1/health").status == 200);
}

// Regression: a 600 KB body nested 300,000 deep overflowed the stack inside the JSON library.
BOOST_AUTO_TEST_CASE(deeply_nested_json_is_refused_and_the_node_survives) {
  LimitedNode cloud;
  HttpClient client(cloud.node.port(), "admin@myorg");
  const size_t depth = 300000;
  const std::string deep_meta = "{\"meta\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
  check_bad_request(client.put("/api/v1/objects/myorg/t/deep", deep_meta), "nested deeper than 64");
  const std::string deep_hook = "{\"action\":" + std::string(depth, '{') + "}";
  check_bad_request(client.put("/api/v1/objects/myorg/t", deep_hook), "nested deeper than 64");
  BOOST_TEST(client.get("/api/v1/health").status == 200);
}
