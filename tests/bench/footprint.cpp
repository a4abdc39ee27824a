// Idle memory of a cloud and an edge just started and connected, and the size of the binaries.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/bench/bench_report.hpp"
#include "tests/bench/benchmarks.hpp"
#include "tests/integration/sync_topology.hpp"

namespace edgesync::bench {

namespace {

// Size of `binary` after `strip` (the shipped form), -1 when strip is missing.
long stripped_size(const std::filesystem::path& binary, const std::filesystem::path& dir) {
  const auto copy = dir / (binary.filename().string() + ".stripped");
  if (std::system(("strip -o " + copy.string() + " " + binary.string()).c_str()) != 0) return -1;
  return static_cast<long>(std::filesystem::file_size(copy));
}

}  // namespace

int bench_footprint(const BenchOptions&) {
  test::TempDir dir;
  auto cloud = test::start_cloud(dir.path());
  auto edge = test::start_edge(dir.path(), "car", "bench", cloud->port());
  if (!test::wait_until([&] { return test::edge_connected(*edge); })) return 1;
  // Idle: connected, its long poll held by the cloud, nothing to do; let start-up work settle.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long edge_rss = rss_kib(edge->pid()), cloud_rss = rss_kib(cloud->pid());
  const std::filesystem::path binary = EDGESYNC_BINARY;
  const long size = static_cast<long>(std::filesystem::file_size(binary));
  const long stripped = stripped_size(binary, dir.path());
  char line[200];
  std::snprintf(line, sizeof line,
                "idle edge RSS %.1f MiB, idle cloud RSS %.1f MiB; edgesync %.1f MB stripped (%.1f MB with debug info)",
                edge_rss / 1024.0, cloud_rss / 1024.0, stripped / 1e6, size / 1e6);
  return report("footprint", line,
                {{"idle_edge_rss_kib", edge_rss},
                 {"idle_cloud_rss_kib", cloud_rss},
                 {"binary_bytes", size},
                 {"stripped_binary_bytes", stripped}});
}

}  // namespace edgesync::bench
