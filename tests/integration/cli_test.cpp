// The command line and the configuration file: names, overrides, errors that name the key.
#define BOOST_TEST_MODULE cli_test
#include <boost/test/unit_test.hpp>
#include <fstream>

#include "tests/support/http_client.hpp"
#include "tests/support/node_process.hpp"

using namespace edgesync::test;

BOOST_AUTO_TEST_CASE(help_lists_every_option) {
  auto result = run_edgesync({"--help"});
  BOOST_TEST(result.exit_code == 0);
  for (const char* option : {"--config", "--mode", "--listen", "--data-dir", "--org", "--dest-type", "--dest-id",
                             "--cloud-url", "--auth", "--auth-file", "--log-level", "--version"}) {
    BOOST_TEST_CONTEXT(option) {
      BOOST_TEST(result.output.find(option) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(version_prints_the_version) {
  auto result = run_edgesync({"--version"});
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST(result.output.find("edgesync 0.") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_configuration_fails_at_start_naming_the_key) {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    const auto path = dir.path() / name;
    std::ofstream(path) << text;
    return path.string();
  };
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--config", write("unknown.yaml", "http:\n  fast: true\n")}, "http.fast"},
      {{"--config", write("type.yaml", "http:\n  read_timeout_seconds: soon\n")}, "http.read_timeout_seconds"},
      {{"--config", write("mode.yaml", "mode: fog\n")}, "mode"},
      {{"--config", (dir.path() / "missing.yaml").string()}, "missing.yaml"},
      {{"--mode", "edge", "--data-dir", dir.path().string()}, "org"},
      {{"--mode", "fog"}, "--mode"},
      {{"--listen", "127.0.0.1:99999", "--data-dir", dir.path().string()}, "listen"},
      {{"--log-level", "loud", "--data-dir", dir.path().string()}, "log.level"},
      {{"--auth", "none"}, "--auth"},
  };
  for (const auto& item : cases) {
    auto result = run_edgesync(item.args);
    BOOST_TEST_CONTEXT(result.output) {
      BOOST_TEST(result.exit_code == 2);
      BOOST_TEST(result.output.find(item.expected) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(shipped_configuration_files_are_valid) {
  TempDir dir;
  // The shipped files name fixed ports and directories; override them so the test runs anywhere.
  for (const char* file : {"cloud.yaml", "edge.yaml"}) {
    NodeProcess node(dir.path() / file, {"--config", std::string(EDGESYNC_SOURCE_DIR) + "/deploy/conf/" + file});
    HttpClient client(node.port(), "admin@myorg");
    BOOST_TEST(client.get("/api/v1/health").status == 200);
  }
}

BOOST_AUTO_TEST_CASE(port_zero_is_logged_in_the_fixed_line_and_serves) {
  TempDir dir;
  NodeProcess node(dir.path() / "data", {"--mode", "cloud"});
  BOOST_TEST(node.port() > 0);
  BOOST_TEST(node.log().find("edgesync cloud listening on 127.0.0.1:" + std::to_string(node.port())) !=
             std::string::npos);
  BOOST_TEST(node.terminate() == 0);
  BOOST_TEST(node.log().find("stopped cleanly") != std::string::npos);
}
