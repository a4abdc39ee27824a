// The preset authenticator end to end: `edgesync hash-secret`, a cloud and an edge with credentials
// files, refused secrets counted, the edge reaching its cloud with its own secret; dummy warns.
#define BOOST_TEST_MODULE auth_test
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;

namespace {

// Runs `printf '%s\n' secret | edgesync hash-secret --iterations 1000` and returns its stdout line.
std::string hash_of(const std::string& secret) {
  const std::string command =
      "printf '%s\\n' '" + secret + "' | '" + std::string(EDGESYNC_BINARY_PATH) + "' hash-secret --iterations 1000";
  FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe != nullptr);
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
  BOOST_REQUIRE_EQUAL(::pclose(pipe), 0);
  BOOST_REQUIRE(read);
  std::string hash = line;
  if (!hash.empty() && hash.back() == '\n') hash.pop_back();
  return hash;
}

std::string credentials_yaml() {
  return "credentials:\n"
         "  - app_key: admin@myorg\n    secret_hash: \"" +
         hash_of("admin-secret") +
         "\"\n    role: admin\n    org: myorg\n"
         "  - app_key: myorg/cam/c1\n    secret_hash: \"" +
         hash_of("edge-secret") + "\"\n    role: edgenode\n    org: myorg\n    identity: cam/c1\n";
}

uint64_t auth_failures(const NodeProcess& node, const std::string& app_key, const std::string& secret) {
  HttpClient client(node.port(), app_key);
  client.set_secret(secret);
  auto health = client.get("/api/v1/health?details=true");
  BOOST_REQUIRE_EQUAL(health.status, 200);
  return json_of(health)["usage"]["authFailures"].get<uint64_t>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(hash_secret_reads_stdin_and_salts) {
  const std::string first = hash_of("same");
  BOOST_TEST(first.rfind("pbkdf2-sha256$1000$", 0) == 0, first);
  BOOST_TEST(hash_of("same") != first);
  auto empty = run_edgesync({"hash-secret"});  // stdin is not a secret here
  BOOST_TEST(empty.exit_code != 0);
}

BOOST_AUTO_TEST_CASE(preset_is_the_default_and_needs_a_credentials_file) {
  TempDir dir;
  auto result = run_edgesync({"--mode", "cloud", "--data-dir", (dir.path() / "d").string()});
  BOOST_TEST(result.exit_code == 2);
  BOOST_TEST(result.output.find("auth.file") != std::string::npos, result.output);

  write_config(dir.path(), "bad.yaml", "credentials:\n  - app_key: x\n    role: admin\n");
  auto bad = run_edgesync({"--mode", "cloud", "--data-dir", (dir.path() / "d").string(), "--auth-file",
                           (dir.path() / "bad.yaml").string()});
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(bad.output.find("credentials[0].secret_hash") != std::string::npos, bad.output);
}

BOOST_AUTO_TEST_CASE(dummy_warns_at_every_start) {
  TempDir dir;
  for (int start = 0; start < 2; ++start) {
    NodeProcess node(dir.path() / "data", {"--mode", "cloud", "--auth", "dummy"});
    BOOST_TEST(node.log().find("auth.type is dummy") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(secrets_are_checked_and_refusals_counted) {
  TempDir dir;
  const std::string file = write_config(dir.path(), "credentials.yaml", credentials_yaml());
  NodeProcess cloud(dir.path() / "cloud", {"--mode", "cloud", "--auth", "preset", "--auth-file", file});
  BOOST_TEST(cloud.log().find("auth.type is dummy") == std::string::npos);

  HttpClient admin(cloud.port(), "admin@myorg");
  admin.set_secret("admin-secret");
  BOOST_TEST(admin.put(cloud_objects("t/o1"), object_body("t", "o1")).status == 204);
  BOOST_TEST(admin.get(cloud_objects("t/o1")).status == 200);
  BOOST_TEST(auth_failures(cloud, "admin@myorg", "admin-secret") == 0u);

  struct Attempt {
    std::string key, secret;
  };
  const std::vector<Attempt> refused = {
      {"admin@myorg", "wrong"},         {"admin@myorg", ""}, {"admin@myorg", "admin-secreT"},
      {"nobody@myorg", "admin-secret"}, {"myorg/admin", ""}, {"", ""}};
  for (const auto& attempt : refused) {
    HttpClient client(cloud.port(), attempt.key);
    client.set_secret(attempt.secret);
    auto answer = client.get(cloud_objects("t/o1"));
    BOOST_TEST_CONTEXT(attempt.key << ":" << attempt.secret) {
      BOOST_TEST(answer.status == 403);
      BOOST_TEST(answer.body.find("Unauthorized") != std::string::npos);
    }
  }
  BOOST_TEST(auth_failures(cloud, "admin@myorg", "admin-secret") == refused.size());
  // The right secret still works after the wrong ones (nothing cached the wrong answer).
  BOOST_TEST(admin.get(cloud_objects("t/o1")).status == 200);
}

BOOST_AUTO_TEST_CASE(an_edge_reaches_a_preset_cloud_with_its_secret_file) {
  TempDir dir;
  const std::string file = write_config(dir.path(), "credentials.yaml", credentials_yaml());
  auto cloud = std::make_unique<NodeProcess>(
      dir.path() / "cloud", std::vector<std::string>{"--mode", "cloud", "--auth", "preset", "--auth-file", file});
  const std::string right = write_config(dir.path(), "edge.secret", "edge-secret\n");
  auto edge = start_edge(dir.path(), "cam", "c1", cloud->port(), "  secret_file: " + right + "\n");
  BOOST_TEST(wait_until([&] { return edge_connected(*edge); }));

  HttpClient admin(cloud->port(), "admin@myorg");
  admin.set_secret("admin-secret");
  BOOST_REQUIRE(
      admin.put(cloud_objects("t/o1"), object_body("t", "o1", {{"destinationType", "cam"}, {"noData", true}})).status ==
      204);
  BOOST_TEST(wait_until([&] { return edge_status(*edge, "t/o1") == "completelyReceived"; }));

  // The edge's own credentials reach the SPI only: the application API refuses them.
  HttpClient as_edge(cloud->port(), "myorg/cam/c1");
  as_edge.set_secret("edge-secret");
  BOOST_TEST(as_edge.get(cloud_objects("t/o1")).status == 403);
}

BOOST_AUTO_TEST_CASE(an_edge_with_a_wrong_secret_is_refused) {
  TempDir dir;
  const std::string file = write_config(dir.path(), "credentials.yaml", credentials_yaml());
  NodeProcess cloud(dir.path() / "cloud", {"--mode", "cloud", "--auth", "preset", "--auth-file", file});
  const std::string wrong = write_config(dir.path(), "edge.secret", "not-the-secret\n");
  auto edge = start_edge(dir.path(), "cam", "c1", cloud.port(), "  secret_file: " + wrong + "\n");
  BOOST_TEST(wait_until([&] { return auth_failures(cloud, "admin@myorg", "admin-secret") >= 2; }));
  BOOST_TEST(!edge_connected(*edge));
}

BOOST_AUTO_TEST_CASE(the_shipped_sample_credentials_load) {
  TempDir dir;
  NodeProcess cloud(dir.path() / "cloud", {"--mode", "cloud", "--auth", "preset", "--auth-file",
                                           std::string(EDGESYNC_SOURCE_DIR) + "/deploy/conf/credentials.yaml"});
  HttpClient admin(cloud.port(), "admin@myorg");
  admin.set_secret("change-me");
  BOOST_TEST(admin.get("/api/v1/health").status == 200);
}
