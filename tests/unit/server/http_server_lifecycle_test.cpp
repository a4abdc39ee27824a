// The HTTP server's life: binding, timeouts, graceful and forced stop, many clients at once.
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <thread>

#include "tests/unit/server/server_test_support.hpp"

using namespace edgesync;
using namespace edgesync::http;
using namespace edgesync::http::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(create_binds_or_names_the_address_it_could_not_use) {
  boost::asio::io_context io;
  TestHandler handler;
  for (const std::string listen :
       {"nonsense", "127.0.0.1:99999", "127.0.0.1:http", "::1:80", "[::1:80", "no-such-host.invalid:80"}) {
    auto created = HttpServer::create(io, test_config(), listen, handler);
    BOOST_REQUIRE(!created);
    BOOST_TEST(created.status().message().find(listen) != std::string::npos, created.status().message());
  }
  auto first = HttpServer::create(io, test_config(), "127.0.0.1:0", handler);
  BOOST_REQUIRE(first);
  BOOST_TEST((*first)->port() != 0);
  BOOST_TEST((*first)->host() == "127.0.0.1");
  const std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = HttpServer::create(io, test_config(), taken, handler);
  BOOST_REQUIRE(!second);
  BOOST_TEST(second.status().message().find(taken) != std::string::npos);
  BOOST_TEST(HttpServer::create(io, test_config(), "localhost:0", handler).is_ok());
  // IPv6 in brackets; the machine may have no IPv6, and then the error names the address.
  auto v6 = HttpServer::create(io, test_config(), "[::1]:0", handler);
  if (v6) {
    BOOST_TEST((*v6)->host() == "::1");
  } else {
    BOOST_TEST(v6.status().message().find("[::1]:0") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_after_the_idle_timeout) {
  TestServer server;  // idle timeout: 1 s
  TestClient silent(server.port());
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(silent.wait_closed(10s));
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 900ms));

  // Between kept-alive requests too.
  TestClient client(server.port());
  BOOST_TEST(client.request("POST", "/echo", "x").keep_alive);
  BOOST_TEST(client.wait_closed(10s));
}

BOOST_AUTO_TEST_CASE(a_stalled_request_times_out) {
  HttpConfig config = test_config();
  config.read_timeout_seconds = 1;
  config.idle_timeout_seconds = 30;  // so that only the read timeout can close these connections
  TestServer server(config);
  {
    TestClient client(server.port());  // a head that never ends
    BOOST_REQUIRE(client.send("GET /echo HTTP/1.1\r\nHost: x\r\n"));
    BOOST_TEST(client.wait_closed(10s));
  }
  {
    TestClient client(server.port());  // a buffered body that stalls
    BOOST_REQUIRE(client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
    BOOST_TEST(client.wait_closed(10s));
  }
  {
    // A streamed body that stalls: the handler's read fails, and the timed-out connection is gone.
    TestClient client(server.port());
    BOOST_REQUIRE(
        client.send("PUT /stream/digest HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + pattern(5000)));
    BOOST_TEST(client.wait_closed(10s));
    BOOST_TEST(wait_until([&] { return server.handler().body_read_failures == 1; }));
  }
}

BOOST_AUTO_TEST_CASE(a_slow_but_moving_streamed_body_is_not_timed_out) {
  HttpConfig config = test_config();
  config.read_timeout_seconds = 1;
  config.idle_timeout_seconds = 30;
  TestServer server(config);
  TestClient client(server.port());
  // Six pieces 400 ms apart: 2.4 s in all, longer than the read timeout, never stalled for 1 s. The
  // handler's 70000-byte buffer is never filled by one piece.
  const std::string data = pattern(6000);
  BOOST_REQUIRE(client.send("PUT /stream/digest HTTP/1.1\r\nHost: x\r\nContent-Length: 6000\r\n\r\n"));
  for (size_t offset = 0; offset < data.size(); offset += 1000) {
    std::this_thread::sleep_for(400ms);  // the client's pace, not a wait for the server
    BOOST_REQUIRE(client.send(std::string_view(data).substr(offset, 1000)));
  }
  const Reply reply = client.read_reply();
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body == digest_of(data));
}

BOOST_AUTO_TEST_CASE(stop_lets_the_request_in_flight_finish_and_refuses_new_connections) {
  TestServer server;
  TestClient busy(server.port());
  BOOST_REQUIRE(busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  BOOST_REQUIRE(wait_until([&] { return server.handler().slow_started > 0; }));
  BOOST_TEST(server.server().active_requests() == 1u);
  TestClient idle(server.port());
  BOOST_REQUIRE(idle.request("POST", "/echo", "x").keep_alive);

  server.stop();
  BOOST_TEST(idle.wait_closed(5s));                                                    // idle: closed at once
  BOOST_TEST(wait_until([&] { return !TestClient(server.port(), 5s).connected(); }));  // acceptor closed
  BOOST_TEST(!server.stopped());  // the slow request still holds its connection

  server.handler().release_slow = true;
  const Reply reply = busy.read_reply();
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body == "slow done");
  BOOST_TEST(!reply.keep_alive);  // Connection: close
  BOOST_TEST(busy.wait_closed(5s));
  BOOST_TEST(wait_until([&] { return server.stopped(); }));
  BOOST_TEST(server.server().active_requests() == 0u);
  BOOST_TEST(server.on_stopped_calls() == 1);
}

BOOST_AUTO_TEST_CASE(stop_without_connections_reports_at_once) {
  TestServer server;
  server.stop();
  BOOST_TEST(wait_until([&] { return server.stopped(); }, 5s));
  BOOST_TEST(server.on_stopped_calls() == 1);
  server.stop();  // a second stop() is harmless and reports too
  BOOST_TEST(wait_until([&] { return server.on_stopped_calls() == 2; }, 5s));
}

BOOST_AUTO_TEST_CASE(connections_still_busy_after_the_grace_period_are_closed) {
  HttpConfig config = test_config();
  config.shutdown_grace_seconds = 1;
  TestServer server(config);
  TestClient busy(server.port());
  BOOST_REQUIRE(busy.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n"));
  BOOST_REQUIRE(wait_until([&] { return server.handler().hang_started > 0; }));
  const auto start = std::chrono::steady_clock::now();
  server.stop();
  BOOST_TEST(wait_until([&] { return server.stopped(); }, 10s));
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 900ms));
  BOOST_TEST(server.handler().hang_cancelled == 1);  // the handler's wait was cancelled, not left to run
  BOOST_TEST(busy.wait_closed(5s));
}

BOOST_AUTO_TEST_CASE(many_clients_at_once) {
  TestServer server;
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      TestClient client(server.port());
      const std::string upload = pattern(100000 + static_cast<size_t>(c), static_cast<unsigned>(c + 1));
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = std::to_string(c) + "/" + std::to_string(i);
        if (client.request("POST", "/echo", body).body == body) ++good;
        if (i % 5 == 0 && client.request("PUT", "/stream/digest", upload).body == digest_of(upload)) ++good;
      }
    });
  }
  for (auto& thread : clients) thread.join();
  BOOST_TEST(good == kClients * (kRequests + kRequests / 5));
}
