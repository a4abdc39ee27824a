// HttpClient against the real HttpServer (TestServer) and against scripted raw TCP servers, which
// can do what a well-behaved server never does: close a kept-alive connection silently, never answer,
// or trickle a body slowly.
#define BOOST_TEST_MODULE http_client_test
#include "server/http/client.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>
#include <exception>
#include <optional>
#include <thread>

#include "tests/support/run_coroutine.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace edgesync;
using namespace edgesync::http;
using namespace edgesync::http::test;
using edgesync::test::run_to_completion;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

Url local(uint16_t port, std::string base_path = "") {
  return Url{"http", "127.0.0.1", port, std::move(base_path)};
}

bool mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

// A TCP server on its own thread that hands each accepted connection, one after the other, to a
// script. The script must end when the client closes its side, so destroy clients first.
class RawServer {
 public:
  using Script = std::function<void(tcp::socket& socket, int index)>;

  explicit RawServer(Script script)
      : script_(std::move(script)), acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    stopping_ = true;
    tcp::socket wake(io_);  // unblocks the accept
    boost::system::error_code ignored;
    wake.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_.load(); }

 private:
  void serve() {
    for (int index = 0;; ++index) {
      tcp::socket socket(io_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      if (error || stopping_) return;
      ++connections_;
      script_(socket, index);
    }
  }

  Script script_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Reads one request (head and Content-Length body); the head, or nothing when the client closed.
std::optional<std::string> read_request(tcp::socket& socket, std::string& buffer) {
  boost::system::error_code error;
  const size_t head_end = asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n\r\n", error);
  if (error) return std::nullopt;
  std::string head = buffer.substr(0, head_end);
  buffer.erase(0, head_end);
  size_t length = 0;
  if (const size_t at = head.find("Content-Length: "); at != std::string::npos)
    length = std::stoul(head.substr(at + 16));
  if (buffer.size() < length)
    asio::read(socket, asio::dynamic_buffer(buffer), asio::transfer_exactly(length - buffer.size()), error);
  if (error) return std::nullopt;
  buffer.erase(0, length);
  return head;
}

void answer(tcp::socket& socket, const std::string& body) {
  const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  boost::system::error_code ignored;
  asio::write(socket, asio::buffer(reply), ignored);
}

// Waits for the client to close (the script's end for a connection it will not answer).
void wait_for_close(tcp::socket& socket) {
  char sink[4096];
  boost::system::error_code error;
  while (!error) socket.read_some(asio::buffer(sink), error);
}

}  // namespace

BOOST_AUTO_TEST_CASE(parse_url_accepts_http_urls_and_names_what_is_wrong) {
  auto full = parse_url("http://127.0.0.1:8080/x");
  BOOST_REQUIRE(full);
  BOOST_TEST(full->scheme == "http");
  BOOST_TEST(full->host == "127.0.0.1");
  BOOST_TEST(full->port == 8080);
  BOOST_TEST(full->base_path == "/x");

  auto bare = parse_url("http://cloud.example");
  BOOST_REQUIRE(bare);
  BOOST_TEST(bare->host == "cloud.example");
  BOOST_TEST(bare->port == 80);
  BOOST_TEST(bare->base_path == "");

  auto slash = parse_url("http://cloud.example:9/api/v1/");
  BOOST_REQUIRE(slash);
  BOOST_TEST(slash->base_path == "/api/v1");

  auto query = parse_url("http://hooks.example/notify?token=abc#top");
  BOOST_REQUIRE(query);
  BOOST_TEST(query->host == "hooks.example");
  BOOST_TEST(query->base_path == "/notify?token=abc");
  auto only_query = parse_url("http://hooks.example?token=abc");
  BOOST_REQUIRE(only_query);
  BOOST_TEST(only_query->host == "hooks.example");
  BOOST_TEST(only_query->base_path == "/?token=abc");

  auto v6 = parse_url("http://[::1]:8081");
  BOOST_REQUIRE(v6);
  BOOST_TEST(v6->host == "::1");
  BOOST_TEST(v6->port == 8081);

  auto https = parse_url("https://cloud.example");
  BOOST_REQUIRE(https);
  BOOST_TEST(https->scheme == "https");
  BOOST_TEST(https->port == 443);  // the scheme's port
  auto https_port = parse_url("https://127.0.0.1:8443/base");
  BOOST_REQUIRE(https_port);
  BOOST_TEST(https_port->port == 8443);
  BOOST_TEST(https_port->base_path == "/base");
  BOOST_TEST(parse_url("http://cloud.example")->port == 80);

  for (const std::string bad : {"cloud.example:80", "ftp://cloud.example", "http://", "http://:80", "http://h:0",
                                "http://h:65536", "http://h:port", "http://h:", "http://u@h"}) {
    auto parsed = parse_url(bad);
    BOOST_TEST(!parsed, bad);
    if (!parsed) BOOST_TEST(mentions(parsed.status(), bad), parsed.status().message());
  }
}

BOOST_AUTO_TEST_CASE(get_and_put_round_trip_with_headers_and_bodies) {
  TestServer server;
  asio::io_context io;
  HttpClient client(io.get_executor(), local(server.port()));

  auto got = run_to_completion(io, client.request({"GET", "/header?name=X-Test", {{"X-Test", "hello"}}, ""}));
  BOOST_REQUIRE_MESSAGE(got, got.status().message());
  BOOST_TEST(got->status == 200);
  BOOST_TEST(got->body == "hello");
  BOOST_TEST(got->header("x-reply").value_or("") == "yes");  // names are case-insensitive
  BOOST_TEST(!got->header("X-Missing"));

  auto agent = run_to_completion(io, client.request({"GET", "/header?name=User-Agent", {}, ""}));
  BOOST_REQUIRE(agent);
  BOOST_TEST(agent->body == "edgesync");
  auto host = run_to_completion(io, client.request({"GET", "/header?name=Host", {}, ""}));
  BOOST_REQUIRE(host);
  BOOST_TEST(host->body == "127.0.0.1:" + std::to_string(server.port()));
  auto length = run_to_completion(io, client.request({"POST", "/header?name=Content-Length", {}, ""}));
  BOOST_REQUIRE(length);
  BOOST_TEST(length->body == "0");  // a body-less POST says so

  auto put =
      run_to_completion(io, client.request({"PUT", "/echo", {{"Content-Type", "text/plain"}}, "a body to echo"}));
  BOOST_REQUIRE_MESSAGE(put, put.status().message());
  BOOST_TEST(put->status == 200);
  BOOST_TEST(put->body == "a body to echo");

  // A server that answers Connection: close; the next request opens a new connection.
  auto closing = run_to_completion(io, client.request({"GET", "/status?code=204&close=1", {}, ""}));
  BOOST_REQUIRE(closing);
  BOOST_TEST(closing->status == 204);
  auto after = run_to_completion(io, client.request({"PUT", "/echo", {}, "again"}));
  BOOST_REQUIRE_MESSAGE(after, after.status().message());
  BOOST_TEST(after->body == "again");

  auto missing = run_to_completion(io, client.request({"GET", "/nowhere", {}, ""}));
  BOOST_REQUIRE(missing);  // an HTTP error is an answer, not a failure
  BOOST_TEST(missing->status == 404);
}

BOOST_AUTO_TEST_CASE(keeps_the_connection_alive_and_reconnects_after_the_server_closed_it) {
  std::atomic<bool> first_closed{false};
  std::atomic<bool> second_closed{false};
  std::vector<std::string> heads;  // written by the server thread, read after a wait on its flags
  RawServer server([&](tcp::socket& socket, int index) {
    std::string buffer;
    if (index == 0) {  // two requests, then a silent close as an idle timeout does
      for (int i = 0; i < 2; ++i) {
        auto head = read_request(socket, buffer);
        if (!head) return;
        heads.push_back(*head);
        answer(socket, "reply " + std::to_string(i));
      }
      socket.close();
      first_closed = true;
    } else if (index == 1) {  // one request, then a silent close again
      if (auto head = read_request(socket, buffer)) answer(socket, "fresh");
      socket.close();
      second_closed = true;
    } else {
      while (read_request(socket, buffer)) answer(socket, "third");
    }
  });
  asio::io_context io;
  {
    HttpClient client(io.get_executor(), local(server.port(), "/base"));
    auto one = run_to_completion(io, client.request({"GET", "/one", {}, ""}));
    auto two = run_to_completion(io, client.request({"GET", "/two?q=1", {}, ""}));
    BOOST_REQUIRE_MESSAGE(one, one.status().message());
    BOOST_REQUIRE_MESSAGE(two, two.status().message());
    BOOST_TEST(one->body == "reply 0");
    BOOST_TEST(two->body == "reply 1");
    BOOST_TEST(server.connections() == 1);
    BOOST_REQUIRE(wait_until([&] { return first_closed.load(); }));
    BOOST_REQUIRE(heads.size() == 2);
    BOOST_TEST(heads[0].rfind("GET /base/one HTTP/1.1\r\n", 0) == 0, heads[0]);
    BOOST_TEST(heads[1].rfind("GET /base/two?q=1 HTTP/1.1\r\n", 0) == 0, heads[1]);

    // The kept-alive connection is gone: a GET is tried again on a fresh one.
    auto three = run_to_completion(io, client.request({"GET", "/three", {}, ""}));
    BOOST_REQUIRE_MESSAGE(three, three.status().message());
    BOOST_TEST(three->body == "fresh");
    BOOST_TEST(server.connections() == 2);

    // A POST is not repeated: it fails, and the request after it reconnects.
    BOOST_REQUIRE(wait_until([&] { return second_closed.load(); }));
    auto post = run_to_completion(io, client.request({"POST", "/four", {}, "x"}));
    BOOST_REQUIRE(!post);
    BOOST_TEST((post.status().code() == StatusCode::kUnavailable));
    BOOST_TEST(mentions(post.status(), "127.0.0.1:" + std::to_string(server.port())), post.status().message());
    auto five = run_to_completion(io, client.request({"GET", "/five", {}, ""}));
    BOOST_REQUIRE_MESSAGE(five, five.status().message());
    BOOST_TEST(five->body == "third");
    BOOST_TEST(server.connections() == 3);
  }
}

BOOST_AUTO_TEST_CASE(download_streams_a_large_body_to_the_sink_in_bounded_pieces) {
  TestServer server;
  asio::io_context io;
  HttpClient client(io.get_executor(), local(server.port()));
  const size_t size = 6 * 1024 * 1024 + 123;
  std::string received;
  size_t largest_piece = 0;
  int pieces = 0;
  auto answer = run_to_completion(
      io, client.download({"GET", "/download?size=" + std::to_string(size), {}, ""}, [&](std::span<const char> piece) {
        received.append(piece.data(), piece.size());
        largest_piece = std::max(largest_piece, piece.size());
        ++pieces;
        return Status::ok();
      }));
  BOOST_REQUIRE_MESSAGE(answer, answer.status().message());
  BOOST_TEST(answer->status == 200);
  BOOST_TEST(answer->body.empty());
  BOOST_TEST(received.size() == size);
  BOOST_TEST((received == pattern(size, 3)));
  BOOST_TEST(largest_piece <= 256u * 1024);
  BOOST_TEST(pieces > 1);

  // The sink can refuse: the transfer stops with its error, and the next request still works.
  auto refused =
      run_to_completion(io, client.download({"GET", "/download?size=" + std::to_string(size), {}, ""},
                                            [](std::span<const char>) { return Status::io_error("disk full"); }));
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.status().message() == "disk full");

  // A non-2xx body is buffered instead.
  auto missing = run_to_completion(io, client.download({"GET", "/nowhere", {}, ""}, [](std::span<const char>) {
    BOOST_FAIL("the sink must not see a 404 body");
    return Status::ok();
  }));
  BOOST_REQUIRE_MESSAGE(missing, missing.status().message());
  BOOST_TEST(missing->status == 404);

  // A buffered request refuses a body past max_body_bytes.
  ClientOptions small;
  small.max_body_bytes = 1 << 20;
  HttpClient bounded(io.get_executor(), local(server.port()), small);
  auto too_large = run_to_completion(io, bounded.request({"GET", "/download?size=" + std::to_string(size), {}, ""}));
  BOOST_REQUIRE(!too_large);
  BOOST_TEST((too_large.status().code() == StatusCode::kPayloadTooLarge));
  auto fits = run_to_completion(io, bounded.request({"GET", "/download?size=1000", {}, ""}));
  BOOST_REQUIRE_MESSAGE(fits, fits.status().message());
  BOOST_TEST((fits->body == pattern(1000, 3)));
}

BOOST_AUTO_TEST_CASE(upload_pulls_the_body_from_a_source) {
  TestServer server;
  asio::io_context io;
  HttpClient client(io.get_executor(), local(server.port()));
  const std::string data = pattern(3 * 1024 * 1024 + 7, 5);
  size_t offset = 0;
  size_t largest_ask = 0;
  auto answer = run_to_completion(
      io, client.upload({"PUT", "/stream/digest", {}, ""}, data.size(), [&](std::span<char> buffer) -> Result<size_t> {
        largest_ask = std::max(largest_ask, buffer.size());
        // Odd piece sizes: the client must keep asking until `length`.
        const size_t n = std::min({buffer.size(), data.size() - offset, size_t{99991}});
        std::copy_n(data.data() + offset, n, buffer.data());
        offset += n;
        return n;
      }));
  BOOST_REQUIRE_MESSAGE(answer, answer.status().message());
  BOOST_TEST(answer->status == 200);
  BOOST_TEST(answer->body == digest_of(data));
  BOOST_TEST(offset == data.size());
  BOOST_TEST(largest_ask <= 256u * 1024);

  // A source that fails aborts the request with its error.
  auto failed =
      run_to_completion(io, client.upload({"PUT", "/stream/digest", {}, ""}, 1000,
                                          [](std::span<char>) -> Result<size_t> { return Status::io_error("gone"); }));
  BOOST_REQUIRE(!failed);
  BOOST_TEST(failed.status().message() == "gone");
  auto after = run_to_completion(io, client.request({"PUT", "/echo", {}, "still fine"}));
  BOOST_REQUIRE_MESSAGE(after, after.status().message());
  BOOST_TEST(after->body == "still fine");
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_unavailable_and_names_the_address) {
  uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor closed(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    port = closed.local_endpoint().port();
  }  // nothing listens there any more
  asio::io_context io;
  HttpClient client(io.get_executor(), local(port));
  auto answer = run_to_completion(io, client.request({"GET", "/", {}, ""}));
  BOOST_REQUIRE(!answer);
  BOOST_TEST((answer.status().code() == StatusCode::kUnavailable));
  BOOST_TEST(mentions(answer.status(), "127.0.0.1:" + std::to_string(port)), answer.status().message());
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_times_out) {
  RawServer server([](tcp::socket& socket, int) { wait_for_close(socket); });
  asio::io_context io;
  ClientOptions options;
  options.request_timeout = 300ms;
  {
    HttpClient client(io.get_executor(), local(server.port()), options);
    const auto start = std::chrono::steady_clock::now();
    auto answer = run_to_completion(io, client.request({"GET", "/", {}, ""}));
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_REQUIRE(!answer);
    BOOST_TEST((answer.status().code() == StatusCode::kUnavailable));
    BOOST_TEST(mentions(answer.status(), "127.0.0.1:" + std::to_string(server.port())), answer.status().message());
    BOOST_TEST(mentions(answer.status(), "timed out"), answer.status().message());
    BOOST_TEST((took >= 250ms && took < 5s));
  }
}

BOOST_AUTO_TEST_CASE(a_download_times_out_on_a_stall_not_on_its_length) {
  // The body trickles in over about 1 s, never pausing for as long as the 300 ms timeout.
  const int pieces = 10;
  RawServer server([&](tcp::socket& socket, int) {
    std::string buffer;
    while (read_request(socket, buffer)) {
      const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(pieces) + "\r\n\r\n";
      boost::system::error_code error;
      asio::write(socket, asio::buffer(head), error);
      for (int i = 0; i < pieces && !error; ++i) {
        std::this_thread::sleep_for(100ms);  // the pace of a slow link, not a wait for a condition
        asio::write(socket, asio::buffer("x", 1), error);
      }
    }
  });
  asio::io_context io;
  ClientOptions options;
  options.request_timeout = 300ms;
  {
    HttpClient client(io.get_executor(), local(server.port()), options);
    size_t received = 0;
    auto streamed = run_to_completion(io, client.download({"GET", "/slow", {}, ""}, [&](std::span<const char> piece) {
      received += piece.size();
      return Status::ok();
    }));
    BOOST_REQUIRE_MESSAGE(streamed, streamed.status().message());
    BOOST_TEST(received == static_cast<size_t>(pieces));

    // The same answer as a buffered request exceeds its whole-request deadline.
    auto buffered = run_to_completion(io, client.request({"GET", "/slow", {}, ""}));
    BOOST_REQUIRE(!buffered);
    BOOST_TEST((buffered.status().code() == StatusCode::kUnavailable));
    BOOST_TEST(mentions(buffered.status(), "timed out"), buffered.status().message());
  }
}
