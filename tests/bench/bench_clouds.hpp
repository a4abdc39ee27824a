// The cloud of a benchmark: one instance on SQLite (the single-node figures), or several instances on
// one throwaway PostgreSQL cluster (issue 11: any instance serves any request).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/node_process.hpp"
#include "tests/support/postgres_cluster.hpp"

namespace edgesync::bench {

struct Clouds {
  std::unique_ptr<test::PostgresCluster> cluster;  // with more than one instance
  std::vector<std::unique_ptr<test::NodeProcess>> instances;
  std::vector<uint16_t> ports() const;
  std::string backend() const { return cluster ? "postgres" : "sqlite"; }
};

// One instance: SQLite, as every other benchmark, unless `postgres`. More: PostgreSQL, one database,
// each instance in a directory of its own. extra_yaml is every instance's. No instances when something
// cannot start.
Clouds start_clouds(const std::filesystem::path& dir, int instances, bool postgres, const std::string& extra_yaml = "");

}  // namespace edgesync::bench
