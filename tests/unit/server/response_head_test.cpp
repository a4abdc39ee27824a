// render_response_head writes the head by hand; Beast's serializer wrote it before (and its header
// printer is the reference here): byte for byte the same head for every kind of answer the server gives.
#define BOOST_TEST_MODULE response_head_test
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/test/unit_test.hpp>
#include <sstream>

#include "server/http/response_writer.hpp"

using namespace edgesync::http;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// The head as the Beast-based writer built it: the handler's headers (framing and malformed ones
// dropped), the MMS defaults, keep-alive, Content-Length.
std::string beast_head(const Response& response, const WriteOptions& options) {
  bhttp::response<bhttp::empty_body> message;
  message.version(options.version);
  message.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers) {
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
        beast::iequals(name, "Connection") || name.empty() || name.find_first_of("\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      continue;
    message.insert(name, value);
  }
  auto set_default = [&message](bhttp::field name, std::string_view value) {
    if (message.find(name) == message.end()) message.set(name, value);
  };
  set_default(bhttp::field::cache_control, "no-store, no-cache, must-revalidate");
  set_default(bhttp::field::pragma, "no-cache");
  set_default(bhttp::field::strict_transport_security, "max-age=63072000; includeSubDomains; preload");
  message.keep_alive(options.keep_alive);
  if (response.status != 204 && response.status != 304)
    message.content_length(response.stream ? response.stream->length : response.body.size());
  std::ostringstream text;
  text << message.base();
  return text.str();
}

void check_same_head(const Response& response, const WriteOptions& options) {
  BOOST_TEST_CONTEXT("status " << response.status << ", HTTP/" << options.version << ", keep-alive "
                               << options.keep_alive << ", head " << options.head_request) {
    BOOST_TEST(render_response_head(response, options) == beast_head(response, options));
  }
}

void check_every_connection_mode(const Response& response) {
  for (const unsigned version : {10u, 11u}) {
    for (const bool keep_alive : {false, true}) {
      for (const bool head_request : {false, true}) check_same_head(response, {version, keep_alive, head_request});
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(json_text_and_empty_answers) {
  check_every_connection_mode(Response::json(200, R"({"a":1})"));
  check_every_connection_mode(Response::text(404, "not found\n"));
  check_every_connection_mode(Response::empty(404));
  check_every_connection_mode(Response::empty(204));
  check_every_connection_mode(Response::empty(304));
  check_every_connection_mode(Response::text(503, std::string(20000, 'x')));
}

BOOST_AUTO_TEST_CASE(every_status_the_server_can_send_has_beasts_reason_phrase) {
  for (int status = 200; status <= 599; ++status) check_same_head(Response::empty(status), {11, true, false});
}

BOOST_AUTO_TEST_CASE(handler_headers_keep_their_order_and_override_the_defaults) {
  Response response = Response::json(200, "{}");
  response.set_header("X-Edgesync-Last-Seq", "42").set_header("cache-control", "max-age=5");
  response.set_header("Set-Cookie", "a=1").set_header("Set-Cookie", "b=2");
  response.set_header("PRAGMA", "x");
  check_every_connection_mode(response);
  const std::string head = render_response_head(response, {11, true, false});
  BOOST_TEST(head.find("no-store") == std::string::npos);
  BOOST_TEST(head.find("Pragma: no-cache") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(framing_and_malformed_headers_of_a_handler_are_dropped) {
  Response response = Response::text(200, "hello");
  response.set_header("Content-Length", "999").set_header("transfer-encoding", "chunked");
  response.set_header("Connection", "close").set_header("X-Split", "a\r\nInjected: yes");
  response.set_header("", "no name").set_header("X-Nul", std::string("a\0b", 3));
  const std::string head = render_response_head(response, {11, true, false});
  BOOST_TEST(head.find("999") == std::string::npos);
  BOOST_TEST(head.find("chunked") == std::string::npos);
  BOOST_TEST(head.find("Injected") == std::string::npos);
  BOOST_TEST(head.find("no name") == std::string::npos);
  BOOST_TEST(head.find("X-Nul") == std::string::npos);
  BOOST_TEST(head.find("Content-Length: 5\r\n") != std::string::npos);
  Response without_nul = response;
  without_nul.headers.pop_back();
  check_every_connection_mode(without_nul);
}

BOOST_AUTO_TEST_CASE(a_streamed_body_announces_its_length) {
  Response response = Response::empty(200);
  response.set_header("Content-Type", "application/octet-stream");
  response.stream = StreamedBody{uint64_t{10} << 32, {}};
  check_every_connection_mode(response);
  BOOST_TEST(render_response_head(response, {11, true, true}).find("Content-Length: 42949672960\r\n") !=
             std::string::npos);
}
