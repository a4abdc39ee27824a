// Graceful shutdown: SIGTERM while an upload is in flight lets it finish and be acknowledged; the
// process then exits 0 with the database closed cleanly, and the object is there after a restart.
#define BOOST_TEST_MODULE shutdown_test
#include <signal.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "tests/integration/api_test_helpers.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/prometheus_text.hpp"

using namespace edgesync::test;
namespace asio = boost::asio;

BOOST_AUTO_TEST_CASE(in_flight_upload_finishes_after_sigterm) {
  TempDir dir;
  const auto data_dir = dir.path() / "cloud";
  const std::string data = pattern_bytes(2 * 1024 * 1024, 9);
  {
    NodeProcess node(data_dir, {"--mode", "cloud"});
    HttpClient client(node.port(), "admin@myorg");
    BOOST_REQUIRE(client.put("/api/v1/objects/myorg/t/inflight", object_body("t", "inflight")).status == 204);

    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), node.port()});
    const std::string head =
        "PUT /api/v1/objects/myorg/t/inflight/data HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic_auth("admin@myorg") +
        "\r\nContent-Length: " + std::to_string(data.size()) + "\r\n\r\n";
    asio::write(socket, asio::buffer(head));
    asio::write(socket, asio::buffer(data.data(), data.size() / 2));
    // Only a request the server has begun counts as in flight (a connection it has not read from yet
    // is idle and closed by the stop): wait until the upload shows in the metrics, then stop it.
    BOOST_REQUIRE(wait_until([&] {
      const auto scrape = parse_prometheus_text(client.get("/metrics").body);
      return scrape.value("edgesync_active_data_transfers").value_or(0) >= 1;
    }));
    ::kill(node.pid(), SIGTERM);
    BOOST_REQUIRE(wait_until([&] { return node.log().find("shutting down") != std::string::npos; }));
    asio::write(socket, asio::buffer(data.data() + data.size() / 2, data.size() - data.size() / 2));
    std::string answer;
    boost::system::error_code error;
    char buffer[1024];
    while (answer.find("\r\n\r\n") == std::string::npos) {
      const size_t n = socket.read_some(asio::buffer(buffer), error);
      if (error) break;
      answer.append(buffer, n);
    }
    BOOST_TEST(answer.rfind("HTTP/1.1 204", 0) == 0, "answer: " << answer);
    BOOST_TEST(node.terminate() == 0);
    BOOST_TEST(node.log().find("stopped cleanly") != std::string::npos);
  }
  NodeProcess restarted(data_dir, {"--mode", "cloud"});
  HttpClient client(restarted.port(), "admin@myorg");
  BOOST_TEST((client.get("/api/v1/objects/myorg/t/inflight/data").body == data));
}
