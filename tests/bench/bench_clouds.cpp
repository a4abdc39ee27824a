#include "tests/bench/bench_clouds.hpp"

#include <cstdio>

#include "tests/integration/sync_topology.hpp"

namespace edgesync::bench {

std::vector<uint16_t> Clouds::ports() const {
  std::vector<uint16_t> ports;
  for (const auto& instance : instances) ports.push_back(instance->port());
  return ports;
}

Clouds start_clouds(const std::filesystem::path& dir, int instances, bool postgres, const std::string& extra_yaml) {
  Clouds clouds;
  if (instances <= 1 && !postgres) {
    clouds.instances.push_back(test::start_cloud(dir, extra_yaml));
    return clouds;
  }
  auto cluster = test::PostgresCluster::create();
  if (!cluster) {
    std::fprintf(stderr, "cannot start a PostgreSQL cluster: %s\n", cluster.status().message().c_str());
    return clouds;
  }
  clouds.cluster = std::move(*cluster);
  auto database = clouds.cluster->create_database();
  if (!database) return clouds;
  const std::string store =
      "store:\n  backend: postgres\n  postgres:\n    url: " + clouds.cluster->url(*database) + "\n";
  for (int i = 0; i < instances; ++i) {
    clouds.instances.push_back(test::start_cloud(dir / ("cloud" + std::to_string(i)), store + extra_yaml));
  }
  return clouds;
}

}  // namespace edgesync::bench
