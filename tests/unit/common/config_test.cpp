#define BOOST_TEST_MODULE config_test
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "common/config.hpp"

using namespace edgesync;
namespace fs = std::filesystem;

namespace {

const std::string kShippedDir = std::string(EDGESYNC_SOURCE_DIR) + "/deploy/conf/";

// A fresh directory per test (mkdtemp: no clash with parallel runs), removed at the end.
struct TempFiles {
  TempFiles() {
    std::string pattern = (fs::temp_directory_path() / "edgesync-config-test-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~TempFiles() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::string write(const std::string& text) {
    const fs::path path = dir / ("c" + std::to_string(counter++) + ".yaml");
    std::ofstream(path) << text;
    return path.string();
  }
  fs::path dir;
  int counter = 0;
};

Config edge_config() {
  Config config;
  config.mode = NodeMode::kEdge;
  config.org = "myorg";
  config.dest_type = "camera";
  config.dest_id = "cam1";
  config.cloud_url = "http://127.0.0.1:8080";
  config.auth_file = "/etc/edgesync/credentials.yaml";  // the default authenticator, preset, needs one
  return config;
}

// The dotted keys a YAML file sets, read by indentation: enough for the shipped files' plain layout.
std::set<std::string> keys_set_in(const std::string& path) {
  std::ifstream file(path);
  std::set<std::string> keys;
  std::vector<std::pair<size_t, std::string>> sections;  // (indent, name) of the enclosing maps
  std::string line;
  while (std::getline(file, line)) {
    const size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos || line[indent] == '#') continue;
    const size_t colon = line.find(':', indent);
    if (colon == std::string::npos) continue;
    while (!sections.empty() && sections.back().first >= indent) sections.pop_back();
    std::string key;
    for (const auto& [unused, name] : sections) key += name + ".";
    key += line.substr(indent, colon - indent);
    if (line.find_first_not_of(' ', colon + 1) == std::string::npos) {
      sections.emplace_back(indent, line.substr(indent, colon - indent));
    } else {
      keys.insert(key);
    }
  }
  return keys;
}

const std::set<std::string> kEveryKey = {"mode",
                                         "listen",
                                         "data_dir",
                                         "org",
                                         "dest_type",
                                         "dest_id",
                                         "cloud_url",
                                         "auth.type",
                                         "auth.file",
                                         "log.level",
                                         "log.format",
                                         "http.threads",
                                         "http.max_header_bytes",
                                         "http.max_metadata_bytes",
                                         "http.read_timeout_seconds",
                                         "http.idle_timeout_seconds",
                                         "http.max_concurrent_transfers",
                                         "http.shutdown_grace_seconds",
                                         "http.tls.cert_file",
                                         "http.tls.key_file",
                                         "http.unix_socket",
                                         "http.unix_socket_mode",
                                         "store.chunk_size",
                                         "store.max_batch_writes",
                                         "store.backend",
                                         "store.postgres.url",
                                         "store.postgres.plugin",
                                         "store.postgres.lease_seconds",
                                         "objects.activation_interval_seconds",
                                         "objects.maintenance_interval_seconds",
                                         "owners.validation_timeout",
                                         "owners.check_interval_ms",
                                         "owners.batch_size",
                                         "reconcile.retry_initial_ms",
                                         "reconcile.retry_max_ms",
                                         "uplink.long_poll_seconds",
                                         "uplink.poll_interval_ms",
                                         "uplink.max_backoff_ms",
                                         "uplink.request_timeout_seconds",
                                         "uplink.secret_file",
                                         "events.retention_seconds",
                                         "events.max_events",
                                         "events.prune_interval_ms",
                                         "events.node_lost_seconds",
                                         "uplink.ca_file",
                                         "meta.sync.status.interval"};

}  // namespace

BOOST_AUTO_TEST_CASE(shipped_files_load_and_validate) {
  auto cloud = load_config_file(kShippedDir + "cloud.yaml");
  BOOST_REQUIRE_MESSAGE(cloud.is_ok(), cloud.status().message());
  BOOST_TEST(validate_config(*cloud).is_ok(), validate_config(*cloud).message());
  auto edge = load_config_file(kShippedDir + "edge.yaml");
  BOOST_REQUIRE_MESSAGE(edge.is_ok(), edge.status().message());
  BOOST_TEST(validate_config(*edge).is_ok(), validate_config(*edge).message());
}

BOOST_AUTO_TEST_CASE(shipped_files_hold_the_defaults) {
  // The samples choose dummy (deploy/demo.sh runs without credentials); everything else is the default.
  Config expected_cloud;
  expected_cloud.auth = AuthKind::kDummy;
  expected_cloud.data_dir = "./edgesync-cloud-data";
  BOOST_TEST((*load_config_file(kShippedDir + "cloud.yaml") == expected_cloud));

  Config expected_edge;
  expected_edge.mode = NodeMode::kEdge;
  expected_edge.auth = AuthKind::kDummy;
  expected_edge.listen = "127.0.0.1:8081";
  expected_edge.data_dir = "./edgesync-edge-data";
  expected_edge.org = "myorg";
  expected_edge.dest_type = "edge-type";
  expected_edge.dest_id = "edge1";
  expected_edge.cloud_url = "http://127.0.0.1:8080";
  BOOST_TEST((*load_config_file(kShippedDir + "edge.yaml") == expected_edge));
}

BOOST_AUTO_TEST_CASE(shipped_files_set_every_key) {
  for (const char* file : {"cloud.yaml", "edge.yaml"}) {
    BOOST_TEST_CONTEXT(file) {
      const auto keys = keys_set_in(kShippedDir + file);
      BOOST_TEST(keys == kEveryKey, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(event_retention_keys_are_read_and_bounded) {
  TempFiles files;
  auto config = load_config_file(files.write(
      "events:\n  retention_seconds: 60\n  max_events: 5\n  prune_interval_ms: 50\n  node_lost_seconds: 0\n"));
  BOOST_REQUIRE_MESSAGE(config.is_ok(), config.status().message());
  BOOST_TEST(config->events.retention_seconds == 60u);
  BOOST_TEST(config->events.max_events == 5u);
  BOOST_TEST(config->events.prune_interval_ms == 50u);
  BOOST_TEST(config->events.node_lost_seconds == 0u);
  auto bad = load_config_file(files.write("events:\n  prune_interval_ms: 0\n"));
  BOOST_REQUIRE(!bad.is_ok());
  BOOST_TEST(bad.status().field() == "events.prune_interval_ms");
}

BOOST_AUTO_TEST_CASE(the_store_backend_is_sqlite_or_postgres_and_postgres_needs_a_url) {
  TempFiles files;
  BOOST_TEST((Config{}.store.backend == StoreBackend::kSqlite));
  auto postgres = load_config_file(
      files.write("store:\n  backend: postgres\n  postgres:\n    url: postgresql://edgesync@db:5432/edgesync\n"));
  BOOST_REQUIRE_MESSAGE(postgres.is_ok(), postgres.status().message());
  BOOST_TEST((postgres->store.backend == StoreBackend::kPostgres));
  BOOST_TEST(postgres->store.postgres_url == "postgresql://edgesync@db:5432/edgesync");
  BOOST_TEST(postgres->store.postgres_plugin.empty());
  auto plugin = load_config_file(files.write(
      "store:\n  backend: postgres\n  postgres:\n    url: postgresql://db/e\n    plugin: /opt/e/store.so\n"));
  BOOST_REQUIRE_MESSAGE(plugin.is_ok(), plugin.status().message());
  BOOST_TEST(plugin->store.postgres_plugin == "/opt/e/store.so");

  auto unknown = load_config_file(files.write("store:\n  backend: mongodb\n"));
  BOOST_REQUIRE(!unknown.is_ok());
  BOOST_TEST(unknown.status().field() == "store.backend");
  BOOST_TEST(unknown.status().message().find("mongodb") != std::string::npos, unknown.status().message());

  Config without_url = edge_config();
  without_url.store.backend = StoreBackend::kPostgres;
  const Status missing = validate_config(without_url);
  BOOST_TEST(missing.field() == "store.postgres.url");
  BOOST_TEST(missing.message().find("store.backend: postgres") != std::string::npos, missing.message());
  without_url.store.postgres_url = "postgresql://db/edgesync";
  BOOST_TEST(validate_config(without_url).is_ok());
}

BOOST_AUTO_TEST_CASE(values_override_defaults) {
  TempFiles files;
  auto config = load_config_file(
      files.write("mode: edge\nlisten: 0.0.0.0:9000\nhttp:\n  threads: 3\n  max_metadata_bytes: 2048\n"
                  "store:\n  chunk_size: 65536\nobjects:\n  activation_interval_seconds: 5\nauth:\n  type: preset\n"
                  "  file: /etc/creds\nlog:\n  level: debug\n  format: json\nmeta:\n  sync:\n    status:\n"
                  "      interval: 7\n"));
  BOOST_REQUIRE_MESSAGE(config.is_ok(), config.status().message());
  BOOST_TEST((config->mode == NodeMode::kEdge));
  BOOST_TEST(config->listen == "0.0.0.0:9000");
  BOOST_TEST(config->http.threads == 3);
  BOOST_TEST(config->http.max_metadata_bytes == 2048u);
  BOOST_TEST(config->http.read_timeout_seconds == 30u);  // untouched default
  BOOST_TEST(config->store.chunk_size == 65536u);
  BOOST_TEST(config->objects.activation_interval_seconds == 5u);
  BOOST_TEST((config->auth == AuthKind::kPreset));
  BOOST_TEST(config->auth_file == "/etc/creds");
  BOOST_TEST(config->log_level == "debug");
  BOOST_TEST(config->log_format == "json");
  BOOST_TEST(config->meta_sync_status_interval_seconds == 7u);
}

BOOST_AUTO_TEST_CASE(empty_files_sections_and_dotted_keys) {
  TempFiles files;
  BOOST_TEST((*load_config_file(files.write("")) == Config{}));
  BOOST_TEST((*load_config_file(files.write("# only a comment\n")) == Config{}));
  // A section whose keys are all commented out is empty, not an error.
  BOOST_TEST((*load_config_file(files.write("http:\n  # threads: 4\nlog:\n")) == Config{}));
  auto dotted = load_config_file(files.write("meta.sync.status.interval: 9\nhttp.threads: 2\n"));
  BOOST_REQUIRE_MESSAGE(dotted.is_ok(), dotted.status().message());
  BOOST_TEST(dotted->meta_sync_status_interval_seconds == 9u);
  BOOST_TEST(dotted->http.threads == 2);
  auto partly_dotted = load_config_file(files.write("meta:\n  sync.status.interval: 11\n"));
  BOOST_REQUIRE_MESSAGE(partly_dotted.is_ok(), partly_dotted.status().message());
  BOOST_TEST(partly_dotted->meta_sync_status_interval_seconds == 11u);
}

BOOST_AUTO_TEST_CASE(bad_keys_and_values_start_with_the_key) {
  TempFiles files;
  struct Case {
    std::string text;
    std::string message_start;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"colour: blue\n", "unknown key: colour", "colour"},
      {"http:\n  fast: true\n", "unknown key: http.fast", "http.fast"},
      {"meta:\n  sync:\n    status:\n      period: 5\n", "unknown key: meta.sync.status.period",
       "meta.sync.status.period"},
      {"http:\n  read_timeout_seconds: soon\n", "http.read_timeout_seconds: must be an integer",
       "http.read_timeout_seconds"},
      {"http:\n  read_timeout_seconds: 0\n", "http.read_timeout_seconds: must be an integer between 1 and",
       "http.read_timeout_seconds"},
      {"http:\n  read_timeout_seconds: 1.5\n", "http.read_timeout_seconds:", "http.read_timeout_seconds"},
      {"http:\n  read_timeout_seconds: [1]\n", "http.read_timeout_seconds:", "http.read_timeout_seconds"},
      {"http:\n  read_timeout_seconds:\n", "http.read_timeout_seconds:", "http.read_timeout_seconds"},
      {"http:\n  threads: -1\n", "http.threads:", "http.threads"},
      {"http:\n  max_metadata_bytes: 99999999999999999999\n", "http.max_metadata_bytes:", "http.max_metadata_bytes"},
      {"store:\n  chunk_size: 12\n", "store.chunk_size:", "store.chunk_size"},
      {"meta:\n  sync:\n    status:\n      interval: 0\n", "meta.sync.status.interval:", "meta.sync.status.interval"},
      {"mode: fog\n", "mode: must be cloud or edge", "mode"},
      {"auth:\n  type: ldap\n", "auth.type: must be dummy or preset", "auth.type"},
      {"listen: [1, 2]\n", "listen: must be a string", "listen"},
      {"org: {a: 1}\n", "org: must be a string", "org"},
      {"http: 5\n", "http: must be a mapping", "http"},
      {"meta:\n  sync: fast\n", "meta.sync: must be a mapping", "meta.sync"},
      {"http:\n  threads: 2\nhttp.threads: 3\n", "http.threads: given more than once", "http.threads"},
      {"org: a\norg: b\n", "org: given more than once", "org"},
      {"http:\n  ? [a, b]\n  : 1\n", "http: keys must be plain names", "http"},
  };
  for (const auto& item : cases) {
    const std::string path = files.write(item.text);
    auto config = load_config_file(path);
    BOOST_TEST_CONTEXT(item.text) {
      BOOST_REQUIRE(!config.is_ok());
      const std::string message = config.status().message();
      BOOST_TEST(message.rfind(item.message_start, 0) == 0, message);
      BOOST_TEST(message.find(path) != std::string::npos, message);  // and says which file
      BOOST_TEST(config.status().field() == item.field);
      BOOST_TEST((config.status().code() == StatusCode::kInvalidArgument));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_number_is_range_checked) {
  TempFiles files;
  // key → (a value just below its range, a value just above it)
  const std::vector<std::tuple<std::string, std::string, std::string>> numbers = {
      {"http.threads", "-1", "257"},
      {"http.max_header_bytes", "1023", "1048577"},
      {"http.max_metadata_bytes", "1023", "1073741825"},
      {"http.read_timeout_seconds", "0", "86401"},
      {"http.idle_timeout_seconds", "0", "86401"},
      {"http.max_concurrent_transfers", "0", "100001"},
      {"http.shutdown_grace_seconds", "-1", "3601"},
      {"store.chunk_size", "4095", "1073741825"},
      {"store.max_batch_writes", "0", "100001"},
      {"objects.activation_interval_seconds", "0", "86401"},
      {"objects.maintenance_interval_seconds", "0", "86401"},
      {"owners.validation_timeout", "0", "2592001"},
      {"owners.check_interval_ms", "9", "3600001"},
      {"owners.batch_size", "0", "100001"},
      {"reconcile.retry_initial_ms", "9", "3600001"},
      {"reconcile.retry_max_ms", "9", "86400001"},
      {"meta.sync.status.interval", "0", "86401"},
  };
  for (const auto& [key, below, above] : numbers) {
    for (const std::string& value : {below, above, std::string("ten"), std::string("0x10"), std::string("true")}) {
      auto config = load_config_file(files.write(key + ": " + value + "\n"));
      BOOST_TEST_CONTEXT(key << ": " << value) {
        BOOST_REQUIRE(!config.is_ok());
        BOOST_TEST(config.status().message().rfind(key + ": must be an integer", 0) == 0, config.status().message());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(unreadable_files_name_the_file) {
  TempFiles files;
  auto missing = load_config_file((files.dir / "none.yaml").string());
  BOOST_REQUIRE(!missing.is_ok());
  BOOST_TEST(missing.status().message().find("none.yaml") != std::string::npos);
  BOOST_TEST(missing.status().field() == "config");

  // A directory used to escape as an ios_base::failure from yaml-cpp's read.
  auto directory = load_config_file(files.dir.string());
  BOOST_REQUIRE(!directory.is_ok());
  BOOST_TEST(directory.status().message().find(files.dir.string()) != std::string::npos);

  const std::string broken = files.write("log:\n  level: info\nhttp:\n  threads: [\n");
  auto syntax = load_config_file(broken);
  BOOST_REQUIRE(!syntax.is_ok());
  BOOST_TEST(syntax.status().message().find(broken) != std::string::npos, syntax.status().message());
  BOOST_TEST(syntax.status().message().find("line ") != std::string::npos, syntax.status().message());

  auto not_a_map = load_config_file(files.write("- a\n- b\n"));
  BOOST_REQUIRE(!not_a_map.is_ok());
  BOOST_TEST(not_a_map.status().message().find("mapping") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validation_rules_name_the_key) {
  // The defaults are complete but for the credentials file of the default authenticator.
  BOOST_TEST(validate_config(Config{}).field() == "auth.file");
  BOOST_TEST(validate_config(edge_config()).is_ok());
  struct Case {
    std::function<void(Config&)> change;
    std::string key;
  };
  const std::vector<Case> cases = {
      {[](Config& c) { c.org.clear(); }, "org"},
      {[](Config& c) { c.org = "my/org"; }, "org"},
      {[](Config& c) { c.dest_type = "a b"; }, "dest_type"},
      {[](Config& c) { c.dest_type.clear(); }, "dest_type"},
      {[](Config& c) { c.dest_id.clear(); }, "dest_id"},
      {[](Config& c) { c.dest_id = "<x>"; }, "dest_id"},
      {[](Config& c) { c.cloud_url.clear(); }, "cloud_url"},
      {[](Config& c) { c.cloud_url = "ftp://x"; }, "cloud_url"},
      {[](Config& c) { c.cloud_url = "127.0.0.1:8080"; }, "cloud_url"},
      {[](Config& c) { c.cloud_url = "http://"; }, "cloud_url"},
      {[](Config& c) { c.cloud_url = "https:///path"; }, "cloud_url"},
      {[](Config& c) { c.cloud_url = "http://:8080"; }, "cloud_url"},
      {[](Config& c) { c.cloud_url = "http://a b:8080"; }, "cloud_url"},
      {[](Config& c) { c.listen = "127.0.0.1"; }, "listen"},
      {[](Config& c) { c.listen = ":8080"; }, "listen"},
      {[](Config& c) { c.listen = "127.0.0.1:"; }, "listen"},
      {[](Config& c) { c.listen = "127.0.0.1:65536"; }, "listen"},
      {[](Config& c) { c.listen = "127.0.0.1:-1"; }, "listen"},
      {[](Config& c) { c.listen = "127.0.0.1:+80"; }, "listen"},
      {[](Config& c) { c.listen = "127.0.0.1:http"; }, "listen"},
      {[](Config& c) { c.listen = "::1:8080"; }, "listen"},
      {[](Config& c) { c.listen = "[::1:8080"; }, "listen"},
      {[](Config& c) { c.listen = "[]:8080"; }, "listen"},
      {[](Config& c) { c.listen = "[1.2.3.4]:8080"; }, "listen"},
      {[](Config& c) { c.listen = "my host:8080"; }, "listen"},
      {[](Config& c) { c.data_dir.clear(); }, "data_dir"},
      {[](Config& c) { c.auth_file.clear(); }, "auth.file"},
      {[](Config& c) { c.log_level = "verbose"; }, "log.level"},
      {[](Config& c) { c.log_level = "INFO"; }, "log.level"},
      {[](Config& c) { c.log_format = "xml"; }, "log.format"},
  };
  for (const auto& item : cases) {
    Config config = edge_config();
    item.change(config);
    Status status = validate_config(config);
    BOOST_TEST_CONTEXT(item.key) {
      BOOST_REQUIRE(!status.is_ok());
      BOOST_TEST(status.message().rfind(item.key + ":", 0) == 0, status.message());
      BOOST_TEST(status.field() == item.key);
    }
  }
}

BOOST_AUTO_TEST_CASE(validation_accepts_every_listen_form) {
  for (const char* listen : {"127.0.0.1:0", "0.0.0.0:65535", "localhost:8080", "edge-1.example.org:443", "[::1]:0",
                             "[::]:8080", "[fe80::1%eth0]:8080", "[::ffff:127.0.0.1]:80"}) {
    Config config;
    config.auth_file = "/etc/edgesync/credentials.yaml";
    config.listen = listen;
    BOOST_TEST_CONTEXT(listen) {
      BOOST_TEST(validate_config(config).is_ok(), validate_config(config).message());
    }
  }
  Config config = edge_config();
  for (const char* url : {"http://cloud:8080", "https://cloud.example.org", "https://[::1]:8443/base", "http://a/"}) {
    config.cloud_url = url;
    BOOST_TEST_CONTEXT(url) {
      BOOST_TEST(validate_config(config).is_ok(), validate_config(config).message());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_cloud_needs_no_edge_identity) {
  Config cloud;
  cloud.cloud_url = "not a url";                              // ignored on a cloud
  BOOST_TEST(validate_config(cloud).field() == "auth.file");  // preset is the default and needs a file
  cloud.auth = AuthKind::kDummy;
  BOOST_TEST(validate_config(cloud).is_ok());
  cloud.auth = AuthKind::kPreset;
  cloud.auth_file = "/etc/edgesync/credentials";
  BOOST_TEST(validate_config(cloud).is_ok());
}

BOOST_AUTO_TEST_CASE(tls_unix_socket_and_ca_file_keys_are_read) {
  TempFiles files;
  auto config = load_config_file(
      files.write("http:\n  tls:\n    cert_file: /etc/edgesync/cert.pem\n    key_file: /etc/edgesync/key.pem\n"
                  "  unix_socket: /run/edgesync/ess.sock\n  unix_socket_mode: \"0600\"\n"
                  "uplink:\n  ca_file: /etc/edgesync/ca.pem\n"));
  BOOST_REQUIRE_MESSAGE(config.is_ok(), config.status().message());
  BOOST_TEST(config->http.tls.cert_file == "/etc/edgesync/cert.pem");
  BOOST_TEST(config->http.tls.key_file == "/etc/edgesync/key.pem");
  BOOST_TEST(config->http.tls.enabled());
  BOOST_TEST(config->http.unix_socket == "/run/edgesync/ess.sock");
  BOOST_TEST(config->http.unix_socket_mode == 0600u);
  BOOST_TEST(config->uplink.ca_file == "/etc/edgesync/ca.pem");
  // Unquoted, YAML still hands the digits over as written (not as the decimal 660).
  auto unquoted = load_config_file(files.write("http:\n  unix_socket_mode: 0666\n"));
  BOOST_REQUIRE_MESSAGE(unquoted.is_ok(), unquoted.status().message());
  BOOST_TEST(unquoted->http.unix_socket_mode == 0666u);
  BOOST_TEST(Config().http.unix_socket_mode == 0660u);
  BOOST_TEST(!Config().http.tls.enabled());
}

BOOST_AUTO_TEST_CASE(bad_unix_socket_modes_are_refused_with_the_key) {
  TempFiles files;
  for (const std::string mode : {"rw-rw----", "0888", "01777", "-1", "\"\"", "12345", "0x1ff"}) {
    BOOST_TEST_CONTEXT(mode) {
      auto config = load_config_file(files.write("http:\n  unix_socket_mode: " + mode + "\n"));
      BOOST_REQUIRE(!config.is_ok());
      BOOST_TEST(config.status().field() == "http.unix_socket_mode");
      BOOST_TEST(config.status().message().find("http.unix_socket_mode: must be an octal file mode") == 0,
                 config.status().message());
    }
  }
  BOOST_TEST(*parse_file_mode("660") == 0660u);
  BOOST_TEST(*parse_file_mode("0000") == 0u);
  BOOST_TEST(!parse_file_mode("0o660").is_ok());
}

BOOST_AUTO_TEST_CASE(a_certificate_needs_its_key_and_the_reverse) {
  Config config = edge_config();
  config.http.tls.cert_file = "/etc/edgesync/cert.pem";
  Status status = validate_config(config);
  BOOST_TEST(status.field() == "http.tls.key_file");
  BOOST_TEST(status.message() == "http.tls.key_file: required with http.tls.cert_file");
  config.http.tls = {};
  config.http.tls.key_file = "/etc/edgesync/key.pem";
  status = validate_config(config);
  BOOST_TEST(status.field() == "http.tls.cert_file");
  BOOST_TEST(status.message() == "http.tls.cert_file: required with http.tls.key_file");
  config.http.tls.cert_file = "/etc/edgesync/cert.pem";
  BOOST_TEST(validate_config(config).is_ok());
  // An https cloud URL is a valid one.
  config.cloud_url = "https://cloud.example:8443";
  BOOST_TEST(validate_config(config).is_ok());
}

BOOST_AUTO_TEST_CASE(node_mode_names) {
  BOOST_TEST(to_string(NodeMode::kCloud) == "cloud");
  BOOST_TEST(to_string(NodeMode::kEdge) == "edge");
}
