#define BOOST_TEST_MODULE config_test
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/config.hpp"

using namespace edgesync;
namespace fs = std::filesystem;

namespace {

struct TempFiles {
  fs::path dir = fs::temp_directory_path() / ("config-test-" + std::to_string(std::random_device{}()));
  TempFiles() { fs::create_directories(dir); }
  ~TempFiles() { fs::remove_all(dir); }
  std::string write(const std::string& text) {
    const fs::path path = dir / ("c" + std::to_string(counter++) + ".yaml");
    std::ofstream(path) << text;
    return path.string();
  }
  int counter = 0;
};

Config edge_config() {
  Config config;
  config.mode = NodeMode::kEdge;
  config.org = "myorg";
  config.dest_type = "camera";
  config.dest_id = "cam1";
  config.cloud_url = "http://127.0.0.1:8080";
  return config;
}

}  // namespace

BOOST_AUTO_TEST_CASE(shipped_files_load_and_validate) {
  auto cloud = load_config_file(std::string(EDGESYNC_SOURCE_DIR) + "/deploy/conf/cloud.yaml");
  BOOST_REQUIRE_MESSAGE(cloud.is_ok(), cloud.status().message());
  BOOST_TEST((cloud->mode == NodeMode::kCloud));
  BOOST_TEST(validate_config(*cloud).is_ok());
  auto edge = load_config_file(std::string(EDGESYNC_SOURCE_DIR) + "/deploy/conf/edge.yaml");
  BOOST_REQUIRE_MESSAGE(edge.is_ok(), edge.status().message());
  BOOST_TEST((edge->mode == NodeMode::kEdge));
  BOOST_TEST(edge->dest_id == "edge1");
  BOOST_TEST(edge->meta_sync_status_interval_seconds == 60u);
  BOOST_TEST(validate_config(*edge).is_ok());
}

BOOST_AUTO_TEST_CASE(values_override_defaults) {
  TempFiles files;
  auto config = load_config_file(
      files.write("mode: edge\nlisten: 0.0.0.0:9000\nhttp:\n  threads: 3\n  max_metadata_bytes: 2048\n"
                  "store:\n  chunk_size: 65536\nobjects:\n  activation_interval_seconds: 5\nauth:\n  type: dummy\n"
                  "log:\n  level: debug\n  format: json\nmeta:\n  sync:\n    status:\n      interval: 7\n"));
  BOOST_REQUIRE_MESSAGE(config.is_ok(), config.status().message());
  BOOST_TEST((config->mode == NodeMode::kEdge));
  BOOST_TEST(config->listen == "0.0.0.0:9000");
  BOOST_TEST(config->http.threads == 3);
  BOOST_TEST(config->http.max_metadata_bytes == 2048u);
  BOOST_TEST(config->http.read_timeout_seconds == 30u);  // untouched default
  BOOST_TEST(config->store.chunk_size == 65536u);
  BOOST_TEST(config->objects.activation_interval_seconds == 5u);
  BOOST_TEST(config->log_format == "json");
  BOOST_TEST(config->meta_sync_status_interval_seconds == 7u);
  BOOST_TEST(load_config_file(files.write("")).is_ok());  // an empty file means all defaults
}

BOOST_AUTO_TEST_CASE(bad_files_name_the_key) {
  TempFiles files;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"colour: blue\n", "unknown key: colour"},
      {"http:\n  fast: true\n", "unknown key: http.fast"},
      {"http:\n  read_timeout_seconds: soon\n", "http.read_timeout_seconds: must be an integer"},
      {"http:\n  read_timeout_seconds: 0\n", "http.read_timeout_seconds"},
      {"http:\n  threads: -1\n", "http.threads"},
      {"store:\n  chunk_size: 12\n", "store.chunk_size"},
      {"mode: fog\n", "mode: must be cloud or edge"},
      {"auth:\n  type: ldap\n", "auth.type"},
      {"listen: [1, 2]\n", "listen: must be a string"},
      {"http: 5\n", "unknown key: http"},
      {"- a\n- b\n", "mapping"},
      {"http:\n  threads: [\n", "line"},
  };
  for (const auto& [text, expected] : cases) {
    auto config = load_config_file(files.write(text));
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(!config.is_ok());
      BOOST_TEST(config.status().message().find(expected) != std::string::npos, config.status().message());
    }
  }
  auto missing = load_config_file((files.dir / "none.yaml").string());
  BOOST_TEST(missing.status().message().find("none.yaml") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validation_rules_name_the_key) {
  BOOST_TEST(validate_config(Config{}).is_ok());
  BOOST_TEST(validate_config(edge_config()).is_ok());
  struct Case {
    std::function<void(Config&)> change;
    std::string key;
  };
  const std::vector<Case> cases = {
      {[](Config& c) { c.org.clear(); }, "org"},
      {[](Config& c) { c.dest_type = "a b"; }, "dest_type"},
      {[](Config& c) { c.dest_id.clear(); }, "dest_id"},
      {[](Config& c) { c.cloud_url = "ftp://x"; }, "cloud_url"},
      {[](Config& c) { c.listen = "127.0.0.1"; }, "listen"},
      {[](Config& c) { c.listen = "127.0.0.1:65536"; }, "listen"},
      {[](Config& c) { c.listen = "127.0.0.1:http"; }, "listen"},
      {[](Config& c) { c.data_dir.clear(); }, "data_dir"},
      {[](Config& c) { c.auth = AuthKind::kPreset; }, "auth.file"},
  };
  for (const auto& item : cases) {
    Config config = edge_config();
    item.change(config);
    Status status = validate_config(config);
    BOOST_TEST_CONTEXT(item.key) {
      BOOST_TEST(!status.is_ok());
      BOOST_TEST(status.message().rfind(item.key, 0) == 0, status.message());
    }
  }
  Config ipv6;
  ipv6.listen = "[::1]:0";
  BOOST_TEST(validate_config(ipv6).is_ok());
}
