// Cloud → edge: propagation latency, a large object's transfer, and fan-out to simulated nodes.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/bench/bench_clouds.hpp"
#include "tests/bench/bench_report.hpp"
#include "tests/bench/benchmarks.hpp"
#include "tests/bench/spi_swarm.hpp"
#include "tests/integration/sync_topology.hpp"

namespace edgesync::bench {

using Clock = std::chrono::steady_clock;
using test::kOrg;

namespace {

bool listed(test::HttpClient& edge, const std::string& id) {
  auto answer = edge.get(test::edge_objects("prop"));
  return answer.status == 200 && answer.body.find("\"objectID\": \"" + id + "\"") != std::string::npos;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int bench_propagation(const BenchOptions& options) {
  test::TempDir dir;
  // Several instances: published on the first, the edge polling the last (woken across instances).
  const Clouds clouds = start_clouds(dir.path(), options.instances, options.postgres);
  if (clouds.instances.empty()) return 1;
  const auto& cloud = clouds.instances.front();
  auto edge = test::start_edge(dir.path(), "car", "bench", clouds.instances.back()->port());
  if (!test::wait_until([&] { return test::edge_connected(*edge); })) return 1;
  test::HttpClient app = test::cloud_app(*cloud);
  test::HttpClient local = test::edge_app(*edge);
  std::vector<double> millis;
  const std::string data = "small payload";
  const bool with_data = !options.no_data;
  for (int i = 0; i < options.objects; ++i) {
    const std::string id = "p" + std::to_string(i);
    const auto start = Clock::now();
    const nlohmann::json meta = with_data ? nlohmann::json{{"destinationType", "car"}}
                                          : nlohmann::json{{"destinationType", "car"}, {"noData", true}};
    if (app.put(test::cloud_objects("prop/" + id), test::object_body("prop", id, meta, with_data ? &data : nullptr))
            .status != 204)
      return 1;
    while (!listed(local, id)) {  // the edge's update list, asked again at once: what an application sees
      if (seconds_since(start) > 30) {
        std::fprintf(stderr, "propagation: object %s never arrived\n", id.c_str());
        return 1;
      }
    }
    millis.push_back(seconds_since(start) * 1000);
    local.put(test::edge_objects("prop/" + id + "/received"), "");  // keeps the update list short
  }
  const double p50 = percentile(millis, 0.5), p99 = percentile(millis, 0.99), max = percentile(millis, 1);
  char line[260];
  std::snprintf(line, sizeof line,
                "publish → in the edge's update list over %d %sobjects%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                options.objects, with_data ? "" : "metadata-only ",
                options.instances > 1 ? " (published on the first instance, the edge polling the last; PostgreSQL)"
                : clouds.cluster      ? " (PostgreSQL)"
                                      : "",
                p50, p99, max);
  return report(clouds.cluster ? "propagation_postgres_" + std::to_string(options.instances) : "propagation", line,
                {{"objects", options.objects},
                 {"instances", options.instances},
                 {"backend", clouds.backend()},
                 {"metadata_only", !with_data},
                 {"p50_ms", p50},
                 {"p99_ms", p99},
                 {"max_ms", max}});
}

int bench_large(const BenchOptions& options) {
  test::TempDir dir;
  const Clouds clouds = start_clouds(dir.path(), 1, options.postgres);
  if (clouds.instances.empty()) return 1;
  const auto& cloud = clouds.instances.front();
  auto edge = test::start_edge(dir.path(), "car", "bench", cloud->port());
  if (!test::wait_until([&] { return test::edge_connected(*edge); })) return 1;
  const std::string file = (dir.path() / "object.bin").string();
  const uint64_t bytes = options.mib * 1024 * 1024;
  if (std::system(("head -c " + std::to_string(bytes) + " /dev/urandom > " + file).c_str()) != 0) return 1;
  test::HttpClient app = test::cloud_app(*cloud);
  app.put(test::cloud_objects("big/large"), test::object_body("big", "large", {{"destinationType", "car"}}));
  // curl -T streams the file; the edge starts fetching when the upload commits.
  const std::string url = "http://127.0.0.1:" + std::to_string(cloud->port()) + test::cloud_objects("big/large/data");
  const auto upload_start = Clock::now();
  if (std::system(("curl -fsS -u " + kOrg + "/admin: -T " + file + " -X PUT " + url).c_str()) != 0) return 1;
  const double upload_seconds = seconds_since(upload_start);
  const auto uploaded = Clock::now();
  // Complete at the edge, and of this size (not some earlier state of the object).
  test::HttpClient local = test::edge_app(*edge);
  auto arrived = [&] {
    if (test::edge_status(*edge, "big/large") != "completelyReceived") return false;
    auto meta = nlohmann::json::parse(local.get(test::edge_objects("big/large")).body, nullptr, false);
    return meta.is_object() && meta.value("objectSize", int64_t{0}) == static_cast<int64_t>(bytes);
  };
  if (!test::wait_until(arrived, std::chrono::minutes(10))) return 1;
  const double transfer_seconds = seconds_since(uploaded);
  const double megabytes = bytes / 1e6;
  const long cloud_rss = peak_rss_kib(cloud->pid()), edge_rss = peak_rss_kib(edge->pid());
  char line[320];
  std::snprintf(
      line, sizeof line,
      "%llu MiB%s: upload to the cloud %.0f MB/s; cloud → edge %.0f MB/s (fetched, SHA-256 verified); peak RSS "
      "cloud %.1f MiB, edge %.1f MiB",
      static_cast<unsigned long long>(options.mib), clouds.cluster ? " (cloud on PostgreSQL)" : "",
      megabytes / upload_seconds, megabytes / transfer_seconds, cloud_rss / 1024.0, edge_rss / 1024.0);
  return report("large", line,
                {{"mib", options.mib},
                 {"cloud_store", clouds.backend()},
                 {"upload_mb_per_s", megabytes / upload_seconds},
                 {"transfer_mb_per_s", megabytes / transfer_seconds},
                 {"cloud_peak_rss_kib", cloud_rss},
                 {"edge_peak_rss_kib", edge_rss}});
}

int bench_fanout(const BenchOptions& options) {
  test::TempDir dir;
  auto cloud = test::start_cloud(dir.path());
  const long idle_rss = peak_rss_kib(cloud->pid());
  SwarmOptions swarm;
  swarm.cloud_port = cloud->port();
  swarm.org = kOrg;
  swarm.nodes = options.nodes;
  swarm.object_type = "fan";
  swarm.object_id = "out";
  const std::string data(1024, 'f');
  const SwarmResult result = run_swarm(swarm, [&] {
    test::HttpClient app = test::cloud_app(*cloud);
    return app.put(test::cloud_objects("fan/out"),
                   test::object_body("fan", "out", {{"destinationType", swarm.dest_type}}, &data))
               .status == 204;
  });
  const long rss = peak_rss_kib(cloud->pid());
  char line[240];
  std::snprintf(line, sizeof line,
                "one 1 KiB object to %d simulated nodes (long-poll): all %d acknowledged in %.2f s (p50 node %.2f s); "
                "cloud peak RSS %.1f MiB (idle %.1f MiB); %d failures",
                options.nodes, result.acknowledged, result.seconds_to_all, percentile(result.ack_seconds, 0.5),
                rss / 1024.0, idle_rss / 1024.0, result.failures);
  report("fanout", line,
         {{"nodes", options.nodes},
          {"registered", result.registered},
          {"acknowledged", result.acknowledged},
          {"failures", result.failures},
          {"seconds_to_all", result.seconds_to_all},
          {"p50_node_seconds", percentile(result.ack_seconds, 0.5)},
          {"cloud_peak_rss_kib", rss}});
  return result.acknowledged == options.nodes && result.failures == 0 ? 0 : 1;
}

}  // namespace edgesync::bench
