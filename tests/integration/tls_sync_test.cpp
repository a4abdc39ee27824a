// TLS end to end with real processes: a cloud serving HTTPS with a certificate from a CA this test
// makes, an edge (serving HTTPS too) whose uplink reaches it over https trusting that CA (an object
// published at the cloud is delivered, and its data read at the edge by apps over the edge's Unix
// socket and its HTTPS port), and an edge trusting another CA, which stays disconnected and logs why.
#define BOOST_TEST_MODULE tls_sync_test
#include <boost/test/unit_test.hpp>
#include <edgesync/client.hpp>
#include <sstream>

#include "tests/integration/sync_topology.hpp"
#include "tests/support/test_ca.hpp"

using namespace edgesync::test;
namespace sdk = edgesync::client;
namespace fs = std::filesystem;

namespace {

struct SecureCloud {
  TempDir dir;
  TestCa ca{dir.path() / "pki", "cloud"};
  TestCa other_ca{dir.path() / "pki", "other"};
  IssuedCertificate certificate = ca.issue_localhost("cloud");
  std::unique_ptr<NodeProcess> cloud =
      start_cloud(dir.path(), "http:\n  tls:\n    cert_file: " + certificate.cert.string() +
                                  "\n    key_file: " + certificate.key.string() + "\n");

  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(cloud->port());
  }
  sdk::SyncClient app() const {
    return sdk::SyncClient({.url = url(),
                            .org = kOrg,
                            .app_key = kOrg + "/admin",
                            .app_secret = "secret",
                            .ca_file = ca.ca_file().string()});
  }
};

sdk::ObjectMetadata meta(const std::string& type, const std::string& id, const std::string& dest_type,
                         const std::string& dest_id) {
  sdk::ObjectMetadata metadata;
  metadata.object_type = type;
  metadata.object_id = id;
  metadata.destination_type = dest_type;
  metadata.destination_id = dest_id;
  metadata.version = "1.0";
  return metadata;
}

std::string destination_status_of(sdk::SyncClient& cloud, const std::string& type, const std::string& id) {
  for (const auto& destination : cloud.get_object_destinations(type, id)) return destination.status;
  return "";
}

// The edge's copy of the data once it is readable (404 until then).
std::optional<std::string> edge_data(sdk::SyncClient& edge, const std::string& type, const std::string& id) {
  std::ostringstream out;
  try {
    edge.fetch_object_data(type, id, out);
  } catch (const sdk::Error& error) {
    if (error.http_status() != 404) throw;
    return std::nullopt;
  }
  return out.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_edge_syncs_over_https_and_serves_its_apps_on_a_unix_socket) {
  SecureCloud secure;
  const fs::path socket = secure.dir.path() / "edge.sock";
  const IssuedCertificate edge_certificate = secure.ca.issue_localhost("edge");
  // By name: the certificate names localhost and 127.0.0.1, and the uplink checks the name it dials.
  // The edge serves HTTPS on its TCP port and plain HTTP on its Unix socket.
  auto edge = start_edge_at(secure.dir.path(), "tlscar", "e1", secure.url("localhost"),
                            "uplink.ca_file: " + secure.ca.ca_file().string() + "\nhttp:\n  tls:\n    cert_file: " +
                                edge_certificate.cert.string() + "\n    key_file: " + edge_certificate.key.string() +
                                "\n  unix_socket: " + socket.string() + "\n  unix_socket_mode: \"0600\"\n");
  sdk::SyncClient app({.url = "unix://" + socket.string(), .app_key = kOrg + "/app", .app_secret = "secret"});
  const auto connected = [&] {
    try {
      return app.health().cloud_connected.value_or(false);
    } catch (const sdk::Error&) {
      return false;
    }
  };
  BOOST_REQUIRE_MESSAGE(wait_until(connected), "edge did not connect:\n" << edge->log());

  sdk::SyncClient cloud = secure.app();
  const std::string payload = "delivered over TLS, read over a Unix socket";
  cloud.update_object(meta("tlsdoc", "o1", "tlscar", "e1"));
  std::istringstream data(payload);
  cloud.update_object_data("tlsdoc", "o1", data, payload.size());

  std::optional<std::string> received;
  BOOST_TEST(
      wait_until([&] { return (received = edge_data(app, "tlsdoc", "o1")).has_value(); }), "no data at the edge:\n"
                                                                                               << edge->log());
  BOOST_TEST(received.value_or("") == payload);
  // The same data over the edge's HTTPS port.
  sdk::SyncClient secure_app({.url = "https://127.0.0.1:" + std::to_string(edge->port()),
                              .app_key = kOrg + "/app",
                              .app_secret = "secret",
                              .ca_file = secure.ca.ca_file().string()});
  BOOST_TEST(edge_data(secure_app, "tlsdoc", "o1").value_or("") == payload);
  BOOST_TEST(wait_until([&] { return destination_status_of(cloud, "tlsdoc", "o1") == "delivered"; }),
             "status at the cloud: " << destination_status_of(cloud, "tlsdoc", "o1"));
  app.mark_object_consumed("tlsdoc", "o1");
  BOOST_TEST(wait_until([&] { return destination_status_of(cloud, "tlsdoc", "o1") == "consumed"; }),
             "status at the cloud: " << destination_status_of(cloud, "tlsdoc", "o1"));

  // A graceful stop removes the socket file.
  BOOST_TEST(edge->terminate() == 0);
  BOOST_TEST(!fs::exists(socket));
}

BOOST_AUTO_TEST_CASE(an_edge_that_does_not_trust_the_cloud_certificate_stays_disconnected) {
  SecureCloud secure;
  auto edge = start_edge_at(secure.dir.path(), "tlscar", "e2", secure.url(),
                            "uplink.ca_file: " + secure.other_ca.ca_file().string() + "\n");
  BOOST_TEST(wait_until([&] {
               const std::string log = edge->log();
               return log.find("certificate verify failed") != std::string::npos &&
                      log.find("unable to get local issuer certificate") != std::string::npos;
             }),
             edge->log());
  BOOST_TEST(
      edge->log().find("TLS handshake with 127.0.0.1:" + std::to_string(secure.cloud->port())) != std::string::npos,
      edge->log());
  BOOST_TEST(!edge_connected(*edge));
}

BOOST_AUTO_TEST_CASE(a_cloud_with_a_key_that_is_not_its_certificates_does_not_start) {
  TempDir dir;
  TestCa ca(dir.path(), "cloud");
  const IssuedCertificate first = ca.issue_localhost("first");
  const IssuedCertificate second = ca.issue_localhost("second");
  const RunResult run = run_edgesync({"--mode", "cloud", "--auth", "dummy", "--listen", "127.0.0.1:0", "--data-dir",
                                      (dir.path() / "data").string(), "--tls-cert-file", first.cert.string(),
                                      "--tls-key-file", second.key.string()});
  BOOST_TEST(run.exit_code != 0);
  BOOST_TEST(run.output.find("http.tls.key_file: " + second.key.string() + " is not the key of the certificate") !=
                 std::string::npos,
             run.output);
  const RunResult half = run_edgesync({"--mode", "cloud", "--auth", "dummy", "--data-dir",
                                       (dir.path() / "data").string(), "--tls-cert-file", first.cert.string()});
  BOOST_TEST(half.exit_code == 2);
  BOOST_TEST(half.output.find("http.tls.key_file: required with http.tls.cert_file") != std::string::npos, half.output);
}
