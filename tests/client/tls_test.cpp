// The SDK's TLS: https, and secure-unix through a Unix-socket relay, against `openssl s_server -WWW` (a TLS peer
// serving files from its directory, so GET /api/v1/health returns a file written here), with the CA given to the
// client (a test CA from tests/support); a certificate from another CA, or for another name, is refused with a
// transport error.
#define BOOST_TEST_MODULE tls_test
#include <boost/test/unit_test.hpp>
#include <edgesync/client.hpp>
#include <fstream>

#include "tests/client/child_process.hpp"
#include "tests/client/unix_relay.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/test_ca.hpp"

using namespace edgesync::test;
namespace sdk = edgesync::client;

namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";
const std::string kHealth = R"({"general":{"nodeType":"ESS","healthStatus":"green","upTime":7}})";

// The peer's certificate comes from a test CA; another CA, and a certificate for another name, are
// what the client must refuse.
struct Certificates {
  TempDir dir;
  TestCa ca{dir.path(), "sdk"};
  TestCa other{dir.path(), "other"};
  IssuedCertificate server = ca.issue_localhost("server");
  IssuedCertificate wrong_name = ca.issue("wrong", "elsewhere", {"elsewhere.example"}, {});
  Certificates() {
    std::filesystem::create_directories(dir.path() / "www/api/v1");
    std::ofstream(dir.path() / "www/api/v1/health") << kHealth;
  }
};

Certificates& certificates() {
  static Certificates instance;
  return instance;
}

// openssl s_server on 127.0.0.1 (or a Unix socket) until destroyed.
struct TlsPeer {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
  TlsPeer(const std::filesystem::path& cert, const std::filesystem::path& key, const std::string& unix_socket = "") {
    auto& c = certificates();
    std::vector<std::string> args{"s_server", "-cert", cert.string(), "-key", key.string(), "-WWW"};
    if (unix_socket.empty()) {
      args.insert(args.end(), {"-accept", "127.0.0.1:0"});
    } else {
      args.insert(args.end(), {"-unix", unix_socket});
    }
    ChildProcess::Options options;
    options.working_dir = c.dir.path() / "www";
    process = std::make_unique<ChildProcess>(kOpenssl, args, c.dir.path(), options);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return process->out().find("ACCEPT") != std::string::npos; }),
                          process->out() + process->err());
    if (!unix_socket.empty()) return;
    const std::string out = process->out();
    const size_t colon = out.find(':', out.find("ACCEPT"));
    port = static_cast<uint16_t>(std::stoi(out.substr(colon + 1)));
  }
};

sdk::Error error_of(sdk::SyncClient& client) {
  try {
    client.health();
  } catch (const sdk::Error& error) {
    return error;
  }
  BOOST_FAIL("expected an sdk::Error");
  throw std::logic_error("unreachable");
}

}  // namespace

BOOST_AUTO_TEST_CASE(https_with_the_ca_file_reads_the_answer) {
  auto& c = certificates();
  TlsPeer peer(c.server.cert, c.server.key);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    sdk::SyncClient client(
        {.url = "https://" + host + ":" + std::to_string(peer.port), .ca_file = c.ca.ca_file().string()});
    auto health = client.health();
    BOOST_TEST(health.node_type == "ESS", host);
    BOOST_TEST(health.up_time_seconds == 7);
  }
}

BOOST_AUTO_TEST_CASE(a_certificate_from_another_ca_or_for_another_name_is_refused) {
  auto& c = certificates();
  TlsPeer peer(c.server.cert, c.server.key);
  sdk::SyncClient untrusted(
      {.url = "https://127.0.0.1:" + std::to_string(peer.port), .ca_file = c.other.ca_file().string()});
  auto error = error_of(untrusted);
  BOOST_TEST((error.kind() == sdk::ErrorKind::kTransport));
  BOOST_TEST(error.message().find("TLS handshake") != std::string::npos, error.message());

  TlsPeer misnamed(c.wrong_name.cert, c.wrong_name.key);
  sdk::SyncClient wrong_name(
      {.url = "https://127.0.0.1:" + std::to_string(misnamed.port), .ca_file = c.ca.ca_file().string()});
  BOOST_TEST((error_of(wrong_name).kind() == sdk::ErrorKind::kTransport));
}

BOOST_AUTO_TEST_CASE(secure_unix_speaks_tls_over_the_socket_as_localhost) {
  auto& c = certificates();
  TlsPeer peer(c.server.cert, c.server.key);
  const auto socket = c.dir.path() / "ess.sock";
  UnixRelay relay(socket, peer.port);  // the TLS bytes pass through the Unix socket untouched
  sdk::SyncClient client({.url = "secure-unix://" + socket.string(), .ca_file = c.ca.ca_file().string()});
  BOOST_TEST(client.health().node_type == "ESS");
  sdk::SyncClient go_style("secure-unix", socket.string(), 0);
  go_style.set_ca_certificate(c.ca.ca_file().string());
  BOOST_TEST(go_style.health().health_status == "green");
}
