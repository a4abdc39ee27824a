// The HTTP server's protocol behaviour, against a real server on 127.0.0.1:0 in this process: keep-alive,
// body limits, streaming both ways, 100-continue, malformed input, handler failures.
#define BOOST_TEST_MODULE http_server_test
#include <boost/test/unit_test.hpp>

#include "tests/unit/server/server_test_support.hpp"

using namespace edgesync::http;
using namespace edgesync::http::test;
using namespace std::chrono_literals;

namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

void check_standard_headers(const Reply& reply) {
  BOOST_TEST(reply.header("cache-control") == "no-store, no-cache, must-revalidate");
  BOOST_TEST(reply.header("pragma") == "no-cache");
  BOOST_TEST(reply.header("strict-transport-security") == "max-age=63072000; includeSubDomains; preload");
}

}  // namespace

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection) {
  TestServer server;
  TestClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    const std::string body = "request " + std::to_string(i);
    const Reply reply = client.request("POST", "/echo", body);
    BOOST_REQUIRE_MESSAGE(reply.ok, reply.error);
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.body == body);
    BOOST_TEST(reply.keep_alive);
    BOOST_TEST(reply.header("content-length") == std::to_string(body.size()));
    check_standard_headers(reply);
  }
  // Connection: close is honoured: the answer says so and the server closes.
  const Reply last = client.request("GET", "/status?code=200", "", {{"Connection", "close"}});
  BOOST_TEST(last.status == 200);
  BOOST_TEST(!last.keep_alive);
  BOOST_TEST(client.wait_closed(5s));
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
  TestServer server;
  TestClient client(server.port());
  BOOST_REQUIRE(
      client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
                  "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
                  "GET /header?name=X-Third HTTP/1.1\r\nHost: x\r\nX-Third: three\r\n\r\n"));
  BOOST_TEST(client.read_reply().body == "one");
  BOOST_TEST(client.read_reply().body == "two");
  const Reply third = client.read_reply();
  BOOST_TEST(third.body == "three");
  BOOST_TEST(third.header("x-reply") == "yes");
}

BOOST_AUTO_TEST_CASE(http_1_0_keeps_alive_only_when_asked) {
  TestServer server;
  TestClient client(server.port());
  BOOST_REQUIRE(client.send("GET /status?code=200 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const Reply kept = client.read_reply();
  BOOST_TEST(kept.version == 10u);
  BOOST_TEST(kept.keep_alive);
  BOOST_TEST(kept.header("connection") == "keep-alive");
  BOOST_REQUIRE(client.send("GET /status?code=200 HTTP/1.0\r\n\r\n"));
  const Reply closing = client.read_reply();
  BOOST_TEST(closing.status == 200);
  BOOST_TEST(!closing.keep_alive);
  BOOST_TEST(client.wait_closed(5s));
}

BOOST_AUTO_TEST_CASE(buffered_bodies_are_echoed_up_to_the_limit) {
  TestServer server;
  TestClient client(server.port());
  BOOST_TEST(client.request("POST", "/echo", std::string(1000, 'a')).body == std::string(1000, 'a'));
  const Reply refused = client.request("POST", "/echo", std::string(1001, 'a'));
  BOOST_TEST(refused.status == 413);
  BOOST_TEST(refused.body.find("limit of 1000 bytes") != std::string::npos);
  BOOST_TEST(!refused.keep_alive);
  BOOST_TEST(client.wait_closed(5s));  // the body was not drained: the connection cannot go on

  // A chunked body is held to the limit as it arrives.
  const std::string answer =
      exchange_raw(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                      chunked(std::string(2000, 'b'), 300));
  BOOST_TEST(starts_with(answer, "HTTP/1.1 413"));

  TestClient fresh(server.port());
  BOOST_TEST(fresh.request("POST", "/echo", "still serving").body == "still serving");
}

BOOST_AUTO_TEST_CASE(an_oversized_head_gets_431) {
  TestServer server;
  const std::string answer =
      exchange_raw(server.port(), "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(5000, 'h') + "\r\n\r\n");
  BOOST_TEST(starts_with(answer, "HTTP/1.1 431"));
  BOOST_TEST(answer.find("4096") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(streamed_uploads_with_content_length_and_chunked) {
  TestServer server;
  TestClient client(server.port());
  const std::string data = pattern(5 * 1024 * 1024 + 11);
  const Reply whole = client.request("PUT", "/stream/digest", data);
  BOOST_REQUIRE_MESSAGE(whole.ok, whole.error);
  BOOST_TEST(whole.body == digest_of(data));
  BOOST_TEST(client.request("PUT", "/stream/digest", "").body == digest_of(""));

  // Chunked, in pieces that do not line up with anything, on the same connection.
  const std::string other = pattern(3 * 1024 * 1024 + 5, 11);
  BOOST_REQUIRE(client.send("PUT /stream/digest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                            chunked(other, 100003)));
  const Reply by_chunks = client.read_reply();
  BOOST_TEST(by_chunks.status == 200);
  BOOST_TEST(by_chunks.body == digest_of(other));
  BOOST_TEST(by_chunks.keep_alive);
  BOOST_TEST(client.request("POST", "/echo", "after").body == "after");
}

BOOST_AUTO_TEST_CASE(expect_100_continue_invites_the_body) {
  TestServer server;
  TestClient client(server.port());
  const std::string data = pattern(2 * 1024 * 1024);
  BOOST_REQUIRE(client.send("PUT /stream/digest HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(data.size()) +
                            "\r\nExpect: 100-continue\r\n\r\n"));
  const Reply interim = client.read_reply();
  BOOST_REQUIRE_MESSAGE(interim.ok, interim.error);
  BOOST_TEST(interim.status == 100);
  BOOST_REQUIRE(client.send(data));
  const Reply final_reply = client.read_reply();
  BOOST_TEST(final_reply.status == 200);
  BOOST_TEST(final_reply.body == digest_of(data));

  // A buffered route invites the body too.
  BOOST_REQUIRE(client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  BOOST_TEST(client.read_reply().status == 100);
  BOOST_REQUIRE(client.send("hello"));
  BOOST_TEST(client.read_reply().body == "hello");
}

BOOST_AUTO_TEST_CASE(a_body_that_will_be_refused_is_not_invited) {
  TestServer server;
  {
    // Over the buffered limit: 413 at once, no 100 Continue.
    TestClient client(server.port());
    BOOST_REQUIRE(client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"));
    const Reply reply = client.read_reply();
    BOOST_TEST(reply.status == 413);
    BOOST_TEST(client.wait_closed(5s));
  }
  {
    // The handler answers without reading: no 100 Continue, and the connection closes.
    TestClient client(server.port());
    BOOST_REQUIRE(client.send(
        "PUT /stream/ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n"));
    const Reply reply = client.read_reply();
    BOOST_TEST(reply.status == 403);
    BOOST_TEST(!reply.keep_alive);
    BOOST_TEST(client.wait_closed(5s));
  }
  {
    // A small unread body is drained: the connection goes on.
    TestClient client(server.port());
    const Reply reply = client.request("PUT", "/stream/ignore", pattern(20000));
    BOOST_TEST(reply.status == 403);
    BOOST_TEST(reply.keep_alive);
    BOOST_TEST(client.request("POST", "/echo", "next").body == "next");
  }
}

BOOST_AUTO_TEST_CASE(streamed_downloads_arrive_whole) {
  TestServer server;
  TestClient client(server.port());
  const size_t size = 7 * 1024 * 1024 + 5;
  const Reply download = client.request("GET", "/download?size=" + std::to_string(size));
  BOOST_REQUIRE_MESSAGE(download.ok, download.error);
  BOOST_TEST(download.status == 200);
  BOOST_TEST(download.header("content-length") == std::to_string(size));
  BOOST_TEST(download.header("content-type") == "application/octet-stream");
  check_standard_headers(download);
  BOOST_TEST((download.body == pattern(size, 3)));

  const Reply head = client.request("HEAD", "/download?size=1000");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.header("content-length") == "1000");
  BOOST_TEST(head.body.empty());
  const Reply empty = client.request("GET", "/download?size=0");
  BOOST_TEST(empty.status == 200);
  BOOST_TEST(empty.header("content-length") == "0");
  BOOST_TEST(client.request("GET", "/download?size=3").body == pattern(3, 3));  // still the same connection
}

BOOST_AUTO_TEST_CASE(a_failing_body_source_closes_the_connection) {
  TestServer server;
  TestClient client(server.port());
  const Reply broken = client.request("GET", "/download?size=1000000&fail_at=200000");
  BOOST_TEST(!broken.ok, broken.error);  // the promised length never arrives
  BOOST_TEST(client.wait_closed(5s));
  TestClient fresh(server.port());
  BOOST_TEST(fresh.request("GET", "/download?size=10").ok);
}

BOOST_AUTO_TEST_CASE(statuses_heads_and_handler_headers) {
  TestServer server;
  TestClient client(server.port());
  const Reply no_content = client.request("GET", "/status?code=204");
  BOOST_TEST(no_content.status == 204);
  BOOST_TEST(!no_content.has("content-length"));  // a 204 has no body, hence no length
  check_standard_headers(no_content);
  const Reply not_found = client.request("GET", "/nowhere");
  BOOST_TEST(not_found.status == 404);
  BOOST_TEST(not_found.header("content-length") == "0");
  // A status HTTP cannot carry becomes a 500 rather than a broken answer.
  BOOST_TEST(client.request("GET", "/status?code=42").status == 500);
  BOOST_TEST(client.request("GET", "/status?code=1000").status == 500);

  // HEAD of a string body: the length GET would send, no body.
  const Reply head = client.request("HEAD", "/header?name=X-Value", "", {{"X-Value", "twelve bytes"}});
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.header("content-length") == "12");
  BOOST_TEST(head.body.empty());
  BOOST_TEST(head.header("x-reply") == "yes");

  // A handler that asks for the connection to close gets it.
  const Reply closing = client.request("GET", "/status?code=200&close=1");
  BOOST_TEST(!closing.keep_alive);
  BOOST_TEST(client.wait_closed(5s));
}

BOOST_AUTO_TEST_CASE(malformed_requests_get_400_and_the_connection_closes) {
  TestServer server;
  BOOST_TEST(starts_with(exchange_raw(server.port(), "NOT HTTP AT ALL\r\n\r\n"), "HTTP/1.1 400"));
  BOOST_TEST(
      starts_with(exchange_raw(server.port(), "GET /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n"), "HTTP/1.1 400"));
  BOOST_TEST(starts_with(exchange_raw(server.port(), "GET /echo HTTP/1.1\r\nBad Header\r\n\r\n"), "HTTP/1.1 400"));
  // A bad chunk in a buffered body: the server answers 400.
  BOOST_TEST(starts_with(
      exchange_raw(server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"),
      "HTTP/1.1 400"));
  // A bad chunk in a streamed body: the handler sees a read error, and the connection closes after its answer.
  const std::string streamed = exchange_raw(
      server.port(), "PUT /stream/digest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n");
  BOOST_TEST(starts_with(streamed, "HTTP/1.1 400"));
  BOOST_TEST(streamed.find("malformed request body") != std::string::npos);
  BOOST_TEST(server.handler().body_read_failures == 1);

  TestClient client(server.port());
  BOOST_TEST(client.request("POST", "/echo", "ok").body == "ok");
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_answers_500_and_the_server_lives_on) {
  TestServer server;
  TestClient client(server.port());
  const Reply failed = client.request("GET", "/throw");
  BOOST_TEST(failed.status == 500);
  BOOST_TEST(failed.body == "internal error\n");
  BOOST_TEST(client.request("POST", "/echo", "alive").body == "alive");  // same connection
}
