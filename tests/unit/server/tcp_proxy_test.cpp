// TcpProxy, the fault injector of the integration tests, in front of a real HttpServer: it must forward
// faithfully and count exactly, or the fault tests built on it prove nothing.
#define BOOST_TEST_MODULE tcp_proxy_test
#include "tests/support/tcp_proxy.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/unit/server/server_test_support.hpp"

using namespace edgesync::http::test;
using edgesync::test::TcpProxy;
using namespace std::chrono_literals;

namespace {

const std::string kEchoRequest =
    "PUT /echo HTTP/1.1\r\nHost: proxy\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

}  // namespace

BOOST_AUTO_TEST_CASE(forwards_both_ways_and_counts_the_bytes) {
  TestServer server;
  TcpProxy proxy(server.port());
  BOOST_TEST(proxy.port() != 0);
  BOOST_TEST(proxy.port() != server.port());

  const std::string answer = exchange_raw(proxy.port(), kEchoRequest);
  BOOST_TEST(answer.rfind("HTTP/1.1 200", 0) == 0, answer);
  BOOST_TEST(answer.substr(answer.size() - 5) == "hello");
  // The counts are updated after each write completes: wait for them rather than race them.
  BOOST_TEST(wait_until([&] { return proxy.bytes_to_server() == kEchoRequest.size(); }), proxy.bytes_to_server());
  BOOST_TEST(wait_until([&] { return proxy.bytes_to_client() == answer.size(); }), proxy.bytes_to_client());

  proxy.reset_counters();
  BOOST_TEST(proxy.bytes_to_client() == 0u);
  BOOST_TEST(proxy.bytes_to_server() == 0u);

  // Keep-alive through the proxy.
  TestClient client(proxy.port());
  BOOST_REQUIRE(client.connected());
  for (int i = 0; i < 3; ++i) {
    Reply reply = client.request("PUT", "/echo", "round " + std::to_string(i));
    BOOST_REQUIRE_MESSAGE(reply.ok, reply.error);
    BOOST_TEST(reply.body == "round " + std::to_string(i));
  }
}

BOOST_AUTO_TEST_CASE(cut_after_bytes_to_client_drops_the_link_once) {
  TestServer server;
  TcpProxy proxy(server.port());
  const uint64_t cut = 100000;
  {
    TestClient client(proxy.port(), 10s);
    BOOST_REQUIRE(client.connected());
    proxy.cut_after_bytes_to_client(cut);
    BOOST_REQUIRE(client.send("GET /download?size=4000000 HTTP/1.1\r\nHost: proxy\r\n\r\n"));
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(client.wait_closed(10s));  // EOF or reset, long before the 4 MB were through
    BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
    BOOST_TEST(proxy.bytes_to_client() == cut);
  }
  // One-shot: a new connection carries a whole answer.
  proxy.reset_counters();
  TestClient again(proxy.port());
  BOOST_REQUIRE(again.connected());
  Reply reply = again.request("GET", "/download?size=300000");
  BOOST_REQUIRE_MESSAGE(reply.ok, reply.error);
  BOOST_TEST(reply.body.size() == 300000u);
  // Counted after each write completes, which may be after the client has read it all: wait for it.
  BOOST_TEST(wait_until([&] { return proxy.bytes_to_client() >= 300000u; }), proxy.bytes_to_client());
}

BOOST_AUTO_TEST_CASE(drop_all_closes_every_open_link) {
  TestServer server;
  TcpProxy proxy(server.port());
  TestClient first(proxy.port());
  TestClient second(proxy.port());
  BOOST_REQUIRE(first.request("PUT", "/echo", "a").ok);
  BOOST_REQUIRE(second.request("PUT", "/echo", "b").ok);
  proxy.drop_all();
  BOOST_TEST(first.wait_closed(5s));
  BOOST_TEST(second.wait_closed(5s));
  TestClient third(proxy.port());
  BOOST_TEST(third.request("PUT", "/echo", "c").body == "c");
}

BOOST_AUTO_TEST_CASE(refuse_mode_closes_new_connections_at_once) {
  TestServer server;
  TcpProxy proxy(server.port());
  TestClient before(proxy.port());  // opened before: not affected
  BOOST_REQUIRE(before.request("PUT", "/echo", "x").ok);

  proxy.set_refuse(true);
  {
    TestClient refused(proxy.port());
    BOOST_REQUIRE(refused.connected());  // accepted by the kernel, then closed by the proxy
    BOOST_TEST(refused.wait_closed(5s));
    BOOST_TEST(exchange_raw(proxy.port(), kEchoRequest).empty());
  }
  BOOST_TEST(before.request("PUT", "/echo", "y").body == "y");

  proxy.set_refuse(false);
  BOOST_TEST(exchange_raw(proxy.port(), kEchoRequest).rfind("HTTP/1.1 200", 0) == 0);
}

BOOST_AUTO_TEST_CASE(new_connections_follow_the_target_port) {
  TestServer first;
  TestServer second;
  first.handler().release_slow = true;  // GET /slow answers at once and counts itself
  second.handler().release_slow = true;
  TcpProxy proxy(first.port());
  BOOST_TEST(
      exchange_raw(proxy.port(), "GET /slow HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n").find("slow done") !=
      std::string::npos);
  proxy.set_target_port(second.port());
  BOOST_TEST(
      exchange_raw(proxy.port(), "GET /slow HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n").find("slow done") !=
      std::string::npos);
  BOOST_TEST(first.handler().slow_started.load() == 1);
  BOOST_TEST(second.handler().slow_started.load() == 1);
}
