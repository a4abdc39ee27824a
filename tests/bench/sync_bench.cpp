// sync_bench: cloud → edge numbers with a real cloud and a real edge on 127.0.0.1.
//
//   sync_bench propagation [N=200]   publish N small objects one after another at the cloud; for each,
//                                    the time until it is in the edge's update list (GET /api/v1/objects/
//                                    {type}, polled); prints p50/p99 and writes JSON.
//   sync_bench transfer [MiB=1024]   one object of that size: from the end of its upload at the cloud to
//                                    completely received (fetched, verified) at the edge; MB/s and the
//                                    peak RSS of both processes.
// Results: one line on stdout, JSON in $BENCH_JSON (default sync_bench.json).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/sync_topology.hpp"

using namespace edgesync::test;
using Clock = std::chrono::steady_clock;

namespace {

long peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

void write_json(const nlohmann::json& result) {
  const char* path = std::getenv("BENCH_JSON");
  std::ofstream(path ? path : "sync_bench.json") << result.dump(2) << "\n";
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1) + 0.5));
  return values[index];
}

bool listed(HttpClient& edge, const std::string& id) {
  auto answer = edge.get(edge_objects("prop"));
  return answer.status == 200 && answer.body.find("\"objectID\": \"" + id + "\"") != std::string::npos;
}

int propagation(int count) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  auto edge = start_edge(dir.path(), "car", "bench", cloud->port());
  if (!wait_until([&] { return edge_connected(*edge); })) return 1;
  HttpClient app = cloud_app(*cloud);
  HttpClient local = edge_app(*edge);
  std::vector<double> millis;
  const std::string data = "small payload";
  for (int i = 0; i < count; ++i) {
    const std::string id = "p" + std::to_string(i);
    const auto start = Clock::now();
    if (app.put(cloud_objects("prop/" + id), object_body("prop", id, {{"destinationType", "car"}}, &data)).status !=
        204)
      return 1;
    while (!listed(local, id)) {
      if (Clock::now() - start > std::chrono::seconds(30)) {
        std::cerr << "object " << id << " never arrived\n";
        return 1;
      }
    }
    millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    local.put(edge_objects("prop/" + id + "/received"), "");  // keeps the update list short
  }
  const double p50 = percentile(millis, 0.5), p99 = percentile(millis, 0.99);
  std::printf("propagation over %d objects: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", count, p50, p99,
              *std::max_element(millis.begin(), millis.end()));
  write_json({{"benchmark", "propagation"}, {"objects", count}, {"p50_ms", p50}, {"p99_ms", p99}});
  return 0;
}

int transfer(uint64_t mib) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  auto edge = start_edge(dir.path(), "car", "bench", cloud->port());
  if (!wait_until([&] { return edge_connected(*edge); })) return 1;
  // Upload from a file with curl (streamed); the edge starts fetching when the upload commits.
  const std::string file = (dir.path() / "object.bin").string();
  if (std::system(("head -c " + std::to_string(mib * 1024 * 1024) + " /dev/urandom > " + file).c_str()) != 0) return 1;
  HttpClient app = cloud_app(*cloud);
  app.put(cloud_objects("big/large"), object_body("big", "large", {{"destinationType", "car"}}));
  const std::string url = "http://127.0.0.1:" + std::to_string(cloud->port()) + cloud_objects("big/large/data");
  if (std::system(("curl -fsS -u " + kOrg + "/admin: -T " + file + " -X PUT " + url).c_str()) != 0) return 1;
  const auto uploaded = Clock::now();
  if (!wait_until([&] { return edge_status(*edge, "big/large") == "completelyReceived"; }, std::chrono::minutes(10)))
    return 1;
  const double seconds = std::chrono::duration<double>(Clock::now() - uploaded).count();
  const double mb_per_s = mib * 1.048576 / seconds;
  const long cloud_rss = peak_rss_kib(cloud->pid()), edge_rss = peak_rss_kib(edge->pid());
  std::printf(
      "cloud → edge %llu MiB: %.0f MB/s (%.2f s, fetched and SHA-256 verified); peak RSS cloud %ld KiB, "
      "edge %ld KiB\n",
      static_cast<unsigned long long>(mib), mb_per_s, seconds, cloud_rss, edge_rss);
  write_json({{"benchmark", "transfer"},
              {"mib", mib},
              {"mb_per_s", mb_per_s},
              {"cloud_peak_rss_kib", cloud_rss},
              {"edge_peak_rss_kib", edge_rss}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "propagation") return propagation(argc > 2 ? std::atoi(argv[2]) : 200);
  if (mode == "transfer") return transfer(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024);
  std::cerr << "usage: sync_bench propagation [N] | transfer [MiB]\n";
  return 2;
}
