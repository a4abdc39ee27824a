// HTTPS, both ends: the HttpServer with a certificate from a test CA (made here, in-process) and
// HttpClient / a raw TLS client against it. The session logic is the plain server's (keep-alive,
// limits, graceful stop); what is TLS's own is tested here: the handshake is bounded, plain HTTP on
// the TLS port is closed, bad certificate files fail at start naming the file, and a client that
// cannot verify the server says why.
#define BOOST_TEST_MODULE http_tls_test
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <exception>
#include <fstream>
#include <optional>

#include "server/http/client.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/run_coroutine.hpp"
#include "tests/support/test_ca.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace edgesync;
using namespace edgesync::http;
using namespace edgesync::http::test;
using edgesync::test::run_to_completion;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using edgesync::test::IssuedCertificate;
using edgesync::test::TempDir;
using edgesync::test::TestCa;

namespace {

// One CA and its certificates for the whole module (key generation is the slow part).
struct Certificates {
  TempDir dir;
  TestCa ca{dir.path(), "main"};
  TestCa other_ca{dir.path(), "other"};
  IssuedCertificate server = ca.issue_localhost("server");
  IssuedCertificate elsewhere = ca.issue("elsewhere", "elsewhere.example", {"elsewhere.example"}, {});
};

Certificates& certificates() {
  static Certificates instance;
  return instance;
}

HttpConfig tls_config(const IssuedCertificate& certificate = certificates().server) {
  HttpConfig config = test_config();
  config.tls.cert_file = certificate.cert.string();
  config.tls.key_file = certificate.key.string();
  return config;
}

Result<ClientResponse> get(const std::string& url, const std::string& ca_file, const std::string& target) {
  asio::io_context io;
  auto parsed = parse_url(url);
  BOOST_REQUIRE(parsed);
  ClientOptions options;
  options.ca_file = ca_file;
  options.connect_timeout = 5s;
  options.request_timeout = 10s;
  HttpClient client(io.get_executor(), *parsed, options);
  return run_to_completion(io, client.request({"GET", target, {}, {}}));
}

std::string https_url(const TestServer& server) {
  return "https://127.0.0.1:" + std::to_string(const_cast<TestServer&>(server).port());
}

std::string create_error(const HttpConfig& config) {
  asio::io_context io;
  TestHandler handler;
  auto created = HttpServer::create(io, config, "127.0.0.1:0", handler);
  return created ? std::string() : created.status().message();
}

}  // namespace

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_over_one_tls_connection) {
  TestServer server(tls_config());
  BOOST_TEST(server.server().tls());
  TestClient client(server.port(), certificates().ca.ca_file().string());
  BOOST_REQUIRE_MESSAGE(client.connected(), client.connect_error());
  for (int i = 0; i < 5; ++i) {
    const std::string body = "secure " + std::to_string(i);
    const Reply reply = client.request("POST", "/echo", body);
    BOOST_REQUIRE_MESSAGE(reply.ok, reply.error);
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.body == body);
    BOOST_TEST(reply.keep_alive);
  }
  // A streamed download crosses many TLS records.
  const Reply download = client.request("GET", "/download?size=300000");
  BOOST_REQUIRE_MESSAGE(download.ok, download.error);
  BOOST_TEST((download.body == pattern(300000, 3)));
  // Connection: close ends with the TLS close exchange; the answer arrives whole first.
  const Reply last = client.request("GET", "/status?code=204", "", {{"Connection", "close"}});
  BOOST_TEST(last.status == 204);
  BOOST_TEST(!last.keep_alive);
  BOOST_TEST(client.wait_closed(5s));
}

BOOST_AUTO_TEST_CASE(an_oversized_body_gets_413_over_tls) {
  TestServer server(tls_config());
  TestClient client(server.port(), certificates().ca.ca_file().string());
  BOOST_REQUIRE_MESSAGE(client.connected(), client.connect_error());
  // test_config() allows 1000 bytes of buffered body: the head alone announces too many.
  BOOST_REQUIRE(client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(100, 'a')));
  const Reply refused = client.read_reply();
  BOOST_REQUIRE_MESSAGE(refused.ok, refused.error);
  BOOST_TEST(refused.status == 413);
  BOOST_TEST(!refused.keep_alive);
  BOOST_TEST(client.wait_closed(5s));
}

BOOST_AUTO_TEST_CASE(a_client_that_never_handshakes_is_cut_off_at_the_read_timeout) {
  HttpConfig config = tls_config();
  config.read_timeout_seconds = 1;
  config.idle_timeout_seconds = 60;  // the handshake is bounded by the read timeout, not the idle one
  TestServer server(config);
  TestClient silent(server.port());  // TCP only: says nothing
  BOOST_REQUIRE(silent.connected());
  const auto started = std::chrono::steady_clock::now();
  BOOST_TEST(silent.wait_closed(10s));
  BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
  // The server serves the next client as before.
  TestClient client(server.port(), certificates().ca.ca_file().string());
  BOOST_REQUIRE_MESSAGE(client.connected(), client.connect_error());
  BOOST_TEST(client.request("GET", "/status?code=200").status == 200);
}

BOOST_AUTO_TEST_CASE(plain_http_to_the_tls_port_is_closed_without_an_answer) {
  TestServer server(tls_config());
  const std::string answer = exchange_raw(server.port(), "GET /status?code=200 HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(answer.find("HTTP/1.1 200") == std::string::npos);
  BOOST_TEST(server.server().active_requests() == 0u);
  TestClient client(server.port(), certificates().ca.ca_file().string());
  BOOST_REQUIRE_MESSAGE(client.connected(), client.connect_error());
  BOOST_TEST(client.request("GET", "/status?code=200").status == 200);
}

BOOST_AUTO_TEST_CASE(graceful_stop_closes_idle_tls_connections_and_lets_a_busy_one_finish) {
  TestServer server(tls_config());
  const std::string ca = certificates().ca.ca_file().string();
  TestClient idle(server.port(), ca);
  TestClient busy(server.port(), ca);
  TestClient handshaken_never(server.port());  // connected, in its handshake
  BOOST_REQUIRE(idle.connected() && busy.connected() && handshaken_never.connected());
  BOOST_TEST(idle.request("GET", "/status?code=200").status == 200);
  BOOST_REQUIRE(busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  BOOST_REQUIRE(wait_until([&] { return server.handler().slow_started.load() == 1; }));
  server.stop();
  BOOST_TEST(idle.wait_closed(5s));
  BOOST_TEST(handshaken_never.wait_closed(5s));
  BOOST_TEST(!server.stopped());
  server.handler().release_slow = true;
  const Reply finished = busy.read_reply();
  BOOST_REQUIRE_MESSAGE(finished.ok, finished.error);
  BOOST_TEST(finished.body == "slow done");
  BOOST_TEST(!finished.keep_alive);
  BOOST_TEST(wait_until([&] { return server.stopped(); }, 10s));
}

BOOST_AUTO_TEST_CASE(bad_certificate_files_fail_at_start_naming_the_file) {
  auto& c = certificates();
  HttpConfig config = tls_config();
  config.tls.cert_file = (c.dir.path() / "missing.pem").string();
  std::string error = create_error(config);
  BOOST_TEST(error.find("http.tls.cert_file: cannot read " + config.tls.cert_file) == 0, error);

  config = tls_config();
  config.tls.key_file = c.elsewhere.key.string();  // another certificate's key
  error = create_error(config);
  BOOST_TEST(error.find("http.tls.key_file: " + config.tls.key_file + " is not the key of the certificate") == 0,
             error);

  const auto not_pem = c.dir.path() / "not-pem.txt";
  std::ofstream(not_pem) << "hello\n";
  config = tls_config();
  config.tls.cert_file = not_pem.string();
  error = create_error(config);
  BOOST_TEST(error.find("http.tls.cert_file: " + not_pem.string() + " is not a PEM certificate") == 0, error);
  config = tls_config();
  config.tls.key_file = not_pem.string();
  error = create_error(config);
  BOOST_TEST(error.find("http.tls.key_file: " + not_pem.string() + " is not a PEM private key") == 0, error);
}

BOOST_AUTO_TEST_CASE(http_client_speaks_https_and_verifies_the_server) {
  auto& c = certificates();
  TestServer server(tls_config());
  auto answer = get(https_url(server), c.ca.ca_file().string(), "/header?name=Host");
  BOOST_REQUIRE_MESSAGE(answer, answer.status().message());
  BOOST_TEST(answer->status == 200);
  BOOST_TEST(answer->body == "127.0.0.1:" + std::to_string(server.port()));
  // By name too: the certificate names localhost, and SNI carries it.
  auto by_name = get("https://localhost:" + std::to_string(server.port()), c.ca.ca_file().string(), "/echo");
  BOOST_REQUIRE_MESSAGE(by_name, by_name.status().message());
}

BOOST_AUTO_TEST_CASE(a_certificate_that_does_not_verify_is_unavailable_with_the_reason) {
  auto& c = certificates();
  TestServer server(tls_config());
  const std::string where = "127.0.0.1:" + std::to_string(server.port());
  auto untrusted = get(https_url(server), c.other_ca.ca_file().string(), "/status?code=200");
  BOOST_REQUIRE(!untrusted);
  BOOST_TEST((untrusted.status().code() == StatusCode::kUnavailable));
  const std::string message = untrusted.status().message();
  BOOST_TEST(message.find("TLS handshake with " + where + " failed") != std::string::npos, message);
  BOOST_TEST(message.find("certificate verify failed") != std::string::npos, message);
  BOOST_TEST(message.find("unable to get local issuer certificate") != std::string::npos, message);

  TestServer misnamed(tls_config(c.elsewhere));
  auto wrong_name = get(https_url(misnamed), c.ca.ca_file().string(), "/status?code=200");
  BOOST_REQUIRE(!wrong_name);
  BOOST_TEST(wrong_name.status().message().find("IP address mismatch") != std::string::npos,
             wrong_name.status().message());

  auto no_ca_file = get(https_url(server), (c.dir.path() / "absent-ca.pem").string(), "/status?code=200");
  BOOST_REQUIRE(!no_ca_file);
  BOOST_TEST(no_ca_file.status().message().find("cannot read the CA file") != std::string::npos,
             no_ca_file.status().message());
}
