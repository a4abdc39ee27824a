// The HTTP server with a test handler, in-process on 127.0.0.1:0, driven by a real client.
#define BOOST_TEST_MODULE http_server_test
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>
#include <thread>

#include "server/http/server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"

using namespace edgesync;
using namespace edgesync::http;
using edgesync::test::HttpClient;
using edgesync::test::send_raw;
using edgesync::test::wait_until;
namespace asio = boost::asio;

namespace {

class TestHandler final : public RequestHandler {
 public:
  std::atomic<bool> release_slow{false};
  std::atomic<int> slow_started{0};

  BodyMode body_mode(std::string_view, std::string_view target) const override {
    return target.rfind("/stream", 0) == 0 ? BodyMode::kStreamed : BodyMode::kBuffered;
  }

  asio::awaitable<Response> handle(Request& request) override {
    const std::string path(request.path());
    if (path == "/echo") co_return Response::text(200, request.body());
    if (path == "/throw") throw std::runtime_error("handler bug");
    if (path == "/stream/count") {
      std::vector<char> buffer(70000);
      uint64_t total = 0, checksum = 0;
      while (true) {
        auto n = co_await request.read_body_some(buffer);
        if (!n) co_return Response::text(400, n.status().message());
        if (*n == 0) break;
        for (size_t i = 0; i < *n; ++i) checksum = checksum * 31 + static_cast<unsigned char>(buffer[i]);
        total += *n;
      }
      co_return Response::text(200, std::to_string(total) + ":" + std::to_string(checksum));
    }
    if (path == "/download") {
      const uint64_t size = std::stoull(request.query_param("size").value_or("0"));
      auto offset = std::make_shared<uint64_t>(0);
      Response response;
      response.stream = StreamedBody{size, [offset, size](std::span<char> out) -> Result<size_t> {
                                       const size_t n = std::min<uint64_t>(out.size(), size - *offset);
                                       for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((*offset + i) % 251);
                                       *offset += n;
                                       return n;
                                     }};
      co_return response;
    }
    if (path == "/slow") {
      ++slow_started;
      asio::steady_timer timer(co_await asio::this_coro::executor);
      while (!release_slow) {
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
      }
      co_return Response::text(200, "slow done");
    }
    co_return Response::empty(404);
  }
};

struct Server {
  asio::io_context io;
  TestHandler handler;
  std::unique_ptr<HttpServer> server;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};

  explicit Server(HttpConfig config = small_limits()) {
    auto created = HttpServer::create(io, config, "127.0.0.1:0", handler);
    BOOST_REQUIRE_MESSAGE(created.is_ok(), created.status().message());
    server = std::move(*created);
    server->start();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~Server() {
    if (!stopped) stop();
    io.stop();
    for (auto& thread : threads) thread.join();
  }
  void stop() {
    server->stop([this] { stopped = true; });
  }
  uint16_t port() const { return server->port(); }

  static HttpConfig small_limits() {
    HttpConfig config;
    config.max_header_bytes = 4096;
    config.max_metadata_bytes = 1000;
    config.idle_timeout_seconds = 1;
    config.read_timeout_seconds = 5;
    config.shutdown_grace_seconds = 20;
    return config;
  }
};

std::string pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 7 + 3) % 256);
  return bytes;
}

std::string expected_count(const std::string& bytes) {
  uint64_t checksum = 0;
  for (unsigned char c : bytes) checksum = checksum * 31 + c;
  return std::to_string(bytes.size()) + ":" + std::to_string(checksum);
}

}  // namespace

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection) {
  Server server;
  const std::string two =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntwo";
  const std::string answer = send_raw(server.port(), two);
  BOOST_TEST(answer.find("\r\n\r\none") != std::string::npos);
  BOOST_TEST(answer.find("\r\n\r\ntwo") != std::string::npos);
  BOOST_TEST(answer.find("Cache-Control: no-store, no-cache, must-revalidate") != std::string::npos);
  BOOST_TEST(answer.find("Strict-Transport-Security: max-age=63072000; includeSubDomains; preload") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(buffered_bodies_are_limited) {
  Server server;
  HttpClient client(server.port());
  BOOST_TEST(client.request("POST", "/echo", std::string(1000, 'a')).body == std::string(1000, 'a'));
  auto refused = client.request("POST", "/echo", std::string(1001, 'a'));
  BOOST_TEST(refused.status == 413);
  BOOST_TEST(refused.body.find("1000") != std::string::npos);
  // A chunked body over the limit is refused too.
  const std::string chunked =
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "7d0\r\n" +
      std::string(2000, 'b') + "\r\n0\r\n\r\n";
  BOOST_TEST(send_raw(server.port(), chunked).rfind("HTTP/1.1 413", 0) == 0);
  BOOST_TEST(client.request("POST", "/echo", "still serving").status == 200);
}

BOOST_AUTO_TEST_CASE(oversized_head_is_431) {
  Server server;
  const std::string request = "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(5000, 'h') + "\r\n\r\n";
  BOOST_TEST(send_raw(server.port(), request).rfind("HTTP/1.1 431", 0) == 0);
}

BOOST_AUTO_TEST_CASE(malformed_requests_get_400) {
  Server server;
  BOOST_TEST(send_raw(server.port(), "NOT HTTP AT ALL\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  BOOST_TEST(
      send_raw(server.port(), "POST /stream/count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
          .find(" 200 ") == std::string::npos);
  HttpClient client(server.port());
  BOOST_TEST(client.request("POST", "/echo", "ok").status == 200);
}

BOOST_AUTO_TEST_CASE(streamed_uploads_with_length_chunked_and_expect_continue) {
  Server server;
  HttpClient client(server.port());
  const std::string data = pattern(5 * 1024 * 1024 + 11);
  BOOST_TEST(client.request("PUT", "/stream/count", data).body == expected_count(data));
  BOOST_TEST(client.request("PUT", "/stream/count", "").body == "0:0");

  std::string chunked =
      "PUT /stream/count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  const std::string small = pattern(100000);
  for (size_t offset = 0; offset < small.size(); offset += 30000) {
    const std::string piece = small.substr(offset, 30000);
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
    chunked += size_line + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  BOOST_TEST(send_raw(server.port(), chunked).find(expected_count(small)) != std::string::npos);

  // Expect: 100-continue: the server invites the body before the client sends it.
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  asio::write(socket, asio::buffer(std::string("PUT /stream/count HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                               "Expect: 100-continue\r\n\r\n")));
  char interim[256];
  const size_t n = socket.read_some(asio::buffer(interim));
  BOOST_TEST(std::string(interim, n).rfind("HTTP/1.1 100 Continue", 0) == 0);
  asio::write(socket, asio::buffer(std::string("abcd")));
  std::string answer;
  boost::system::error_code error;
  while (answer.find(expected_count("abcd")) == std::string::npos && !error) {
    const size_t got = socket.read_some(asio::buffer(interim), error);
    answer.append(interim, got);
  }
  BOOST_TEST(answer.find(expected_count("abcd")) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(streamed_download_arrives_whole) {
  Server server;
  HttpClient client(server.port());
  const size_t size = 7 * 1024 * 1024 + 5;
  auto download = client.get("/download?size=" + std::to_string(size));
  BOOST_TEST(download.status == 200);
  BOOST_TEST(download.header("content-length") == std::to_string(size));
  BOOST_REQUIRE(download.body.size() == size);
  bool intact = true;
  for (size_t i = 0; i < size; ++i) intact = intact && download.body[i] == static_cast<char>(i % 251);
  BOOST_TEST(intact);
  auto head = client.request("HEAD", "/download?size=1000");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.header("content-length") == "1000");
  BOOST_TEST(client.get("/download?size=0").body.empty());
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_answers_500_and_the_server_lives_on) {
  Server server;
  HttpClient client(server.port());
  auto failed = client.get("/throw");
  BOOST_TEST(failed.status == 500);
  BOOST_TEST(client.request("POST", "/echo", "alive").body == "alive");
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_after_the_idle_timeout) {
  Server server;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  std::atomic<bool> closed{false};
  std::thread reader([&] {
    char byte;
    boost::system::error_code error;
    socket.read_some(asio::buffer(&byte, 1), error);  // returns when the server closes
    closed = static_cast<bool>(error);
  });
  BOOST_TEST(wait_until([&] { return closed.load(); }, std::chrono::seconds(20)));
  if (!closed) socket.close();
  reader.join();
}

BOOST_AUTO_TEST_CASE(stop_lets_the_request_in_flight_finish_and_refuses_new_ones) {
  Server server;
  std::string slow_answer;
  std::thread slow([&] { slow_answer = send_raw(server.port(), "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 30); });
  BOOST_REQUIRE(wait_until([&] { return server.handler.slow_started > 0; }));
  // An idle kept-alive connection is closed at once by stop().
  asio::io_context io;
  asio::ip::tcp::socket idle(io);
  idle.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  server.stop();
  BOOST_TEST(wait_until([&] {
    boost::system::error_code error;
    asio::ip::tcp::socket probe(io);
    probe.connect({asio::ip::make_address("127.0.0.1"), server.port()}, error);
    return static_cast<bool>(error);  // refused: the acceptor is closed
  }));
  BOOST_TEST(!server.stopped);  // the slow request still holds its connection
  server.handler.release_slow = true;
  slow.join();
  BOOST_TEST(slow_answer.find("slow done") != std::string::npos);
  BOOST_TEST(slow_answer.find("Connection: close") != std::string::npos);
  BOOST_TEST(wait_until([&] { return server.stopped.load(); }));
}
