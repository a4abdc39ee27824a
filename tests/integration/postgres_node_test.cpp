// A cloud node on the PostgreSQL store (store.backend: postgres) end to end, through the real binary
// loading the real plugin (edgesync-store-postgres.so, next to it in the build tree): objects written
// over HTTP are served back, also by the next process on the same database; the plugin's log lines
// are the binary's (JSON with --log-format json); object data lives in the database (whole and chunked
// uploads, whole and ranged downloads across a restart and a kill -9, nothing under data_dir); a node
// whose database cannot be reached, or whose
// plugin cannot be loaded, refuses to start saying which server or which files it tried.
#define BOOST_TEST_MODULE postgres_node_test
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "tests/integration/api_test_helpers.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/postgres_cluster.hpp"

using namespace edgesync::test;

namespace {

const std::string kBase = "/api/v1/objects/myorg";

std::unique_ptr<PostgresCluster> start_cluster() {
  auto cluster = PostgresCluster::create();
  BOOST_REQUIRE_MESSAGE(cluster.is_ok(), "cannot start a PostgreSQL test cluster: " << cluster.status().message());
  return std::move(*cluster);
}

std::vector<std::string> config_args(const TempDir& dir, const std::string& url, const std::string& plugin = "") {
  const auto config = dir.path() / "cloud.yaml";
  std::ofstream(config) << "mode: cloud\nauth:\n  type: dummy\nstore:\n  backend: postgres\n  postgres:\n    url: "
                        << url << "\n    plugin: \"" << plugin << "\"\n";
  return {"--config", config.string()};
}

}  // namespace

BOOST_AUTO_TEST_CASE(objects_written_to_a_node_on_postgres_are_served_also_after_a_restart) {
  auto cluster = start_cluster();
  auto database = cluster->create_database();
  BOOST_REQUIRE_MESSAGE(database.is_ok(), database.status().message());
  TempDir dir;
  const auto args = config_args(dir, cluster->url(*database));
  const std::string data = "model bytes";
  {
    NodeProcess node(dir.path() / "cloud", args);
    HttpClient client(node.port(), "admin@myorg");
    BOOST_TEST(client.put(kBase + "/model/m1", object_body("model", "m1", {{"version", "1.0"}})).status == 204);
    BOOST_TEST(client.put(kBase + "/model/m1/data", data).status == 204);
    BOOST_TEST(client.get(kBase + "/model/m1/status").body == "ready");
    BOOST_TEST(client.get(kBase + "/model/m1/data").body == data);
    BOOST_TEST(node.terminate() == 0);
  }
  NodeProcess node(dir.path() / "cloud", args);
  HttpClient client(node.port(), "admin@myorg");
  auto meta = client.get(kBase + "/model/m1");
  BOOST_REQUIRE_EQUAL(meta.status, 200);
  BOOST_TEST(json_of(meta)["version"] == "1.0");
  BOOST_TEST(client.get(kBase + "/model/m1/data").body == data);
}

BOOST_AUTO_TEST_CASE(object_data_is_kept_in_postgres_across_a_restart_and_a_kill_9) {
  auto cluster = start_cluster();
  auto database = cluster->create_database();
  BOOST_REQUIRE_MESSAGE(database.is_ok(), database.status().message());
  TempDir dir;
  const auto args = config_args(dir, cluster->url(*database));
  std::mt19937_64 random(1);
  std::string whole(5 * 1024 * 1024 + 123, '\0'), chunked(3 * 1024 * 1024 + 7, '\0');
  for (char& byte : whole) byte = static_cast<char>(random());
  for (char& byte : chunked) byte = static_cast<char>(random());
  {
    NodeProcess node(dir.path() / "cloud", args);
    HttpClient client(node.port(), "admin@myorg");
    BOOST_TEST(client.put(kBase + "/model/whole", object_body("model", "whole")).status == 204);
    BOOST_TEST(client.put(kBase + "/model/whole/data", whole).status == 204);
    // Chunks of 700,000 bytes (not aligned to the database's 1 MiB rows), the last one first, one
    // sent twice (a client retrying).
    BOOST_TEST(client.put(kBase + "/model/chunked", object_body("model", "chunked")).status == 204);
    const size_t chunk = 700000;
    std::vector<size_t> firsts;
    for (size_t first = 0; first < chunked.size(); first += chunk) firsts.push_back(first);
    std::rotate(firsts.begin(), firsts.end() - 1, firsts.end());
    firsts.insert(firsts.begin() + 2, firsts[1]);
    for (size_t first : firsts) {
      const size_t last = std::min(first + chunk, chunked.size()) - 1;
      const std::string range =
          "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(chunked.size());
      BOOST_TEST(
          client.put(kBase + "/model/chunked/data", chunked.substr(first, last - first + 1), {{"Content-Range", range}})
              .status == 204);
    }
    BOOST_TEST(client.get(kBase + "/model/chunked/status").body == "ready");
    // Bad input answers 4xx and changes nothing.
    BOOST_TEST(client.put(kBase + "/model/chunked/data", "abc", {{"Content-Range", "bytes 0-9/20"}}).status == 400);
    BOOST_TEST(client.get(kBase + "/model/whole/data", {{"Range", "bytes=99999999-"}}).status == 416);
    BOOST_TEST(client.get(kBase + "/model/absent/data").status == 404);
    node.kill_hard();  // every acknowledged PUT must survive this
  }
  NodeProcess node(dir.path() / "cloud", args);
  HttpClient client(node.port(), "admin@myorg");
  BOOST_TEST((client.get(kBase + "/model/whole/data").body == whole));
  BOOST_TEST((client.get(kBase + "/model/chunked/data").body == chunked));
  // Ranges across the 1 MiB chunk rows.
  for (const auto& [first, last] : std::vector<std::pair<size_t, size_t>>{
           {1048570, 2097160}, {0, 0}, {3 * 1048576 - 1, 3 * 1048576}, {5 * 1048576, 5 * 1048576 + 122}}) {
    auto part = client.get(kBase + "/model/whole/data",
                           {{"Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}});
    BOOST_TEST(part.status == 206);
    BOOST_TEST((part.body == whole.substr(first, last - first + 1)));
  }
  auto suffix = client.get(kBase + "/model/chunked/data", {{"Range", "bytes=-1000"}});
  BOOST_TEST(suffix.status == 206);
  BOOST_TEST((suffix.body == chunked.substr(chunked.size() - 1000)));
  // Replaced and deleted data: the objects are gone, their data unreadable.
  BOOST_TEST(client.put(kBase + "/model/whole/data", std::string("new")).status == 204);
  BOOST_TEST(client.get(kBase + "/model/whole/data").body == "new");
  BOOST_TEST(client.del(kBase + "/model/chunked").status == 204);
  BOOST_TEST(client.get(kBase + "/model/chunked/data").status == 404);
  // Nothing of the object data under the data directory.
  BOOST_TEST(!std::filesystem::exists(dir.path() / "cloud" / "data" / "objects"));
  BOOST_TEST(!std::filesystem::exists(dir.path() / "cloud" / "data"));
}

BOOST_AUTO_TEST_CASE(a_node_whose_database_is_unreachable_refuses_to_start_naming_the_server) {
  auto cluster = start_cluster();
  const std::string url = cluster->url();
  BOOST_REQUIRE(cluster->stop().is_ok());
  TempDir dir;
  auto args = config_args(dir, url);
  args.insert(args.end(), {"--listen", "127.0.0.1:0", "--data-dir", (dir.path() / "cloud").string()});
  auto result = run_edgesync(args);
  BOOST_TEST_CONTEXT(result.output) {
    BOOST_TEST(result.exit_code != 0);
    BOOST_TEST(result.output.find("127.0.0.1:" + std::to_string(cluster->port())) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_plugins_log_lines_follow_the_binarys_log_format) {
  auto cluster = start_cluster();
  auto database = cluster->create_database();
  BOOST_REQUIRE_MESSAGE(database.is_ok(), database.status().message());
  TempDir dir;
  auto args = config_args(dir, cluster->url(*database));
  args.insert(args.end(), {"--log-level", "debug", "--log-format", "json"});
  NodeProcess node(dir.path() / "cloud", args);
  // postgres_store.cpp's line, written by the binary's JSON formatter.
  const std::string expected = R"("level":"debug","message":"store: PostgreSQL at 127.0.0.1:)";
  BOOST_TEST(node.log().find(expected) != std::string::npos, node.log());
}

BOOST_AUTO_TEST_CASE(a_node_whose_plugin_cannot_be_loaded_refuses_to_start_naming_the_file_and_why) {
  TempDir dir;
  const std::string plugin = (dir.path() / "edgesync-store-postgres.so").string();
  {
    auto args = config_args(dir, "postgresql://127.0.0.1:1/edgesync", plugin);
    args.insert(args.end(), {"--listen", "127.0.0.1:0", "--data-dir", (dir.path() / "cloud").string()});
    auto missing = run_edgesync(args);
    BOOST_TEST_CONTEXT(missing.output) {
      BOOST_TEST(missing.exit_code != 0);
      BOOST_TEST(missing.output.find(plugin + ": ") != std::string::npos);
      BOOST_TEST(missing.output.find("No such file or directory") != std::string::npos);
    }
  }
  // A file that is no shared object: dlerror() says so.
  std::ofstream(plugin) << std::string(256, 'x');  // longer than an ELF header, so not "file too short"
  auto args = config_args(dir, "postgresql://127.0.0.1:1/edgesync", plugin);
  args.insert(args.end(), {"--listen", "127.0.0.1:0", "--data-dir", (dir.path() / "cloud").string()});
  auto broken = run_edgesync(args);
  BOOST_TEST_CONTEXT(broken.output) {
    BOOST_TEST(broken.exit_code != 0);
    BOOST_TEST(broken.output.find(plugin + ": ") != std::string::npos);
    BOOST_TEST(broken.output.find("invalid ELF header") != std::string::npos);
  }
}
