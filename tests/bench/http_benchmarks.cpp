// GET and durable PUT of object metadata at the cloud, and nginx's ceiling on the same machine.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "tests/bench/bench_clouds.hpp"
#include "tests/bench/bench_report.hpp"
#include "tests/bench/benchmarks.hpp"
#include "tests/bench/load_generator.hpp"
#include "tests/bench/nginx_ceiling.hpp"
#include "tests/integration/sync_topology.hpp"

namespace edgesync::bench {

using test::kOrg;

namespace {

const std::string kAdmin = kOrg + "/admin";

LoadOptions load(const BenchOptions& options, uint16_t port, int connections) {
  LoadOptions load;
  load.port = port;
  load.connections = connections;
  load.threads = options.threads;
  load.duration = std::chrono::milliseconds(static_cast<int64_t>(options.seconds * 1000));
  return load;
}

nlohmann::json figures(const LoadResult& result) {
  return {{"requests_per_s", result.per_second()}, {"p50_ms", result.percentile_ms(0.5)},
          {"p99_ms", result.percentile_ms(0.99)},  {"requests", result.requests},
          {"not_2xx", result.not_success},         {"io_failures", result.io_failures}};
}

std::string summary(const LoadResult& result) {
  char text[160];
  std::snprintf(text, sizeof text, "%.0f req/s, p50 %.2f ms, p99 %.2f ms", result.per_second(),
                result.percentile_ms(0.5), result.percentile_ms(0.99));
  std::string line = text;
  if (result.not_success + result.io_failures > 0)
    line += " (" + std::to_string(result.not_success) + " not 2xx, " + std::to_string(result.io_failures) +
            " connection failures)";
  return line;
}

// The round with the median requests/s. One phase is not enough on these machines: nginx's figure
// alone swings by ±20 % from run to run (its two workers split the connections unevenly).
LoadResult median_round(std::vector<LoadResult> rounds) {
  std::sort(rounds.begin(), rounds.end(),
            [](const LoadResult& a, const LoadResult& b) { return a.per_second() < b.per_second(); });
  return rounds[rounds.size() / 2];
}

std::optional<LoadResult> nginx_load(const BenchOptions& options, const std::filesystem::path& dir, int rounds = 1) {
  auto nginx = Nginx::start(dir);
  if (!nginx) return std::nullopt;
  LoadOptions ceiling = load(options, nginx->port(), options.connections);
  const std::string request = make_request("GET", Nginx::kPath, "");
  ceiling.request = [&](uint64_t) { return request; };
  std::vector<LoadResult> results;
  for (int round = 0; round < rounds; ++round) results.push_back(run_load(ceiling));
  return median_round(std::move(results));
}

bool clean(const LoadResult& result) {
  return result.requests > 0 && result.not_success == 0 && result.io_failures == 0;
}

// The cloud's configuration for a run: its io threads when asked for.
std::string server_yaml(const BenchOptions& options) {
  if (options.server_threads <= 0) return "";
  return "http:\n  threads: " + std::to_string(options.server_threads) + "\n";
}

}  // namespace

int bench_get(const BenchOptions& options) {
  test::TempDir dir;
  std::vector<LoadResult> rounds;
  {
    auto cloud = test::start_cloud(dir.path(), server_yaml(options));
    test::HttpClient app = test::cloud_app(*cloud);
    if (app.put(test::cloud_objects("bench/get1"), test::object_body("bench", "get1", {{"noData", true}})).status !=
        204)
      return 1;
    LoadOptions get = load(options, cloud->port(), options.connections);
    const std::string request = make_request("GET", test::cloud_objects("bench/get1"), kAdmin);
    get.request = [&](uint64_t) { return request; };
    for (int round = 0; round < options.rounds; ++round) rounds.push_back(run_load(get));
  }
  nlohmann::json json = figures(median_round(rounds));
  json["connections"] = options.connections;
  json["rounds"] = nlohmann::json::array();
  for (const auto& round : rounds) json["rounds"].push_back(round.per_second());
  const bool all_clean = std::all_of(rounds.begin(), rounds.end(), clean);
  const LoadResult result = median_round(std::move(rounds));
  std::string line = "GET metadata, " + std::to_string(options.connections) + " connections: " + summary(result);
  // The ceiling in the same run, with the cloud stopped so both get the whole machine.
  if (auto ceiling = nginx_load(options, dir.path(), options.rounds)) {
    const double share = ceiling->per_second() > 0 ? 100.0 * result.per_second() / ceiling->per_second() : 0;
    json["nginx_requests_per_s"] = ceiling->per_second();
    json["share_of_nginx_percent"] = share;
    char text[128];
    std::snprintf(text, sizeof text, "; nginx %.0f req/s → %.0f%% of the ceiling (medians of %d rounds)",
                  ceiling->per_second(), share, options.rounds);
    line += text;
  } else {
    line += "; nginx not installed (apt-get install nginx-light) — no ceiling";
  }
  report("get", line, json);
  return all_clean ? 0 : 1;
}

int bench_put(const BenchOptions& options) {
  test::TempDir dir;
  const Clouds clouds = start_clouds(dir.path(), options.instances, options.postgres, server_yaml(options));
  if (clouds.instances.empty()) return 1;
  const auto& cloud = clouds.instances.front();
  auto run = [&](int connections, const std::string& prefix) {
    LoadOptions put = load(options, cloud->port(), connections);
    // Several instances: the connections spread over all of them.
    const auto ports = clouds.ports();
    put.more_ports.assign(ports.begin() + 1, ports.end());
    put.request = [&](uint64_t sequence) {
      const std::string id = prefix + std::to_string(sequence);
      return make_request(
          "PUT", test::cloud_objects("bench/" + id), kAdmin,
          R"({"meta":{"objectID":")" + id + R"(","objectType":"bench","destinationType":"camera","noData":true}})",
          "application/json");
    };
    return run_load(put);
  };
  const LoadResult many = run(options.connections, "m");
  const LoadResult one = run(1, "s");
  const long rss = peak_rss_kib(cloud->pid());
  const std::string where =
      clouds.cluster ? " over " + std::to_string(options.instances) + " instance(s) on PostgreSQL" : "";
  report(clouds.cluster ? "put_postgres_" + std::to_string(options.instances) : "put",
         "durable PUT metadata, " + std::to_string(options.connections) + " connections" + where + ": " +
             summary(many) + "; 1 connection: " + summary(one) + "; cloud peak RSS " + std::to_string(rss / 1024) +
             " MiB",
         {{"connections", options.connections},
          {"instances", options.instances},
          {"backend", clouds.backend()},
          {"many", figures(many)},
          {"one", figures(one)},
          {"cloud_peak_rss_kib", rss}});
  return clean(many) && clean(one) ? 0 : 1;
}

int bench_ceiling(const BenchOptions& options) {
  test::TempDir dir;
  auto ceiling = nginx_load(options, dir.path());
  if (!ceiling) {
    std::fprintf(stderr, "ceiling: nginx is not installed (apt-get install nginx-light)\n");
    return 77;  // "skipped" for ctest
  }
  nlohmann::json json = figures(*ceiling);
  json["connections"] = options.connections;
  report("ceiling",
         "nginx tiny static 200, " + std::to_string(options.connections) + " connections: " + summary(*ceiling), json);
  return clean(*ceiling) ? 0 : 1;
}

}  // namespace edgesync::bench
