// One cloud and edge nodes as real processes on 127.0.0.1, for the cloud–edge sync tests. Each node's
// configuration is written to its own YAML file so the tests can shorten timers (backoff, metasync).
#pragma once

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/api_test_helpers.hpp"
#include "tests/support/node_process.hpp"

namespace edgesync::test {

inline const std::string kOrg = "myorg";

// Writes `yaml` to dir/name and returns its path.
inline std::string write_config(const std::filesystem::path& dir, const std::string& name, const std::string& yaml) {
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << yaml;
  return path.string();
}

inline std::unique_ptr<NodeProcess> start_cloud(const std::filesystem::path& dir, const std::string& extra_yaml = "") {
  const std::string config = write_config(dir, "cloud.yaml", "mode: cloud\n" + extra_yaml);
  return std::make_unique<NodeProcess>(dir / "cloud", std::vector<std::string>{"--config", config});
}

// An edge syncing with the cloud at cloud_url (http:// or https://).
inline std::unique_ptr<NodeProcess> start_edge_at(const std::filesystem::path& dir, const std::string& type,
                                                  const std::string& id, const std::string& cloud_url,
                                                  const std::string& extra_yaml = "") {
  const std::string name = "edge-" + type + "-" + id;
  const std::string config =
      write_config(dir, name + ".yaml",
                   "mode: edge\norg: " + kOrg + "\ndest_type: " + type + "\ndest_id: " + id +
                       "\ncloud_url: " + cloud_url + "\nuplink:\n  max_backoff_ms: 300\n" + extra_yaml);
  return std::make_unique<NodeProcess>(dir / name, std::vector<std::string>{"--config", config});
}

inline std::unique_ptr<NodeProcess> start_edge(const std::filesystem::path& dir, const std::string& type,
                                               const std::string& id, uint16_t cloud_port,
                                               const std::string& extra_yaml = "") {
  return start_edge_at(dir, type, id, "http://127.0.0.1:" + std::to_string(cloud_port), extra_yaml);
}

// The cloud's application API (an org admin).
inline HttpClient cloud_app(const NodeProcess& cloud) {
  return HttpClient(cloud.port(), kOrg + "/admin");
}

// An edge's application API.
inline HttpClient edge_app(const NodeProcess& edge) {
  return HttpClient(edge.port(), kOrg + "/app");
}

inline std::string cloud_objects(const std::string& rest) {
  return "/api/v1/objects/" + kOrg + "/" + rest;
}

inline std::string edge_objects(const std::string& rest) {
  return "/api/v1/objects/" + rest;
}

// The per-destination status of one object at the cloud ("" when the destination is not listed).
inline std::string destination_status(HttpClient& cloud, const std::string& type_and_id, const std::string& dest_id) {
  auto answer = cloud.get(cloud_objects(type_and_id + "/destinations"));
  if (answer.status != 200) return "";
  for (const auto& row : nlohmann::json::parse(answer.body)) {
    if (row["destinationID"] == dest_id) return row["status"];
  }
  return "";
}

inline bool edge_connected(const NodeProcess& edge) {
  HttpClient client = edge_app(edge);
  auto health = client.get("/api/v1/health");
  if (health.status != 200) return false;
  auto body = nlohmann::json::parse(health.body, nullptr, false);
  return body.is_object() && body.contains("cloudConnection") && body["cloudConnection"]["connected"] == true;
}

// Status of an object on an edge ("" when it has none).
inline std::string edge_status(const NodeProcess& edge, const std::string& type_and_id) {
  HttpClient client = edge_app(edge);
  auto answer = client.get(edge_objects(type_and_id + "/status"));
  return answer.status == 200 ? answer.body : "";
}

// A cloud and one edge (type `edge_type`, id e1) as real processes, the edge connected: the fixture of
// the client-side tests (edgesyncctl, the SDK, the examples). Tests that share one per binary hold it
// in a function-local static.
struct ConnectedPair {
  explicit ConnectedPair(const std::string& edge_type)
      : cloud(start_cloud(dir.path())), edge(start_edge(dir.path(), edge_type, "e1", cloud->port())) {
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return edge_connected(*edge); }), "edge did not connect:\n" << edge->log());
  }
  std::string cloud_url() const { return "http://127.0.0.1:" + std::to_string(cloud->port()); }
  std::string edge_url() const { return "http://127.0.0.1:" + std::to_string(edge->port()); }

  TempDir dir;
  std::unique_ptr<NodeProcess> cloud;
  std::unique_ptr<NodeProcess> edge;
};

}  // namespace edgesync::test
