#include "tests/bench/bench_report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace edgesync::bench {

namespace {

long status_field_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

}  // namespace

int report(const std::string& name, const std::string& line, nlohmann::json result) {
  std::printf("%s: %s\n", name.c_str(), line.c_str());
  std::fflush(stdout);
  result["benchmark"] = name;
  result["date"] = utc_now();
  if (const char* commit = std::getenv("BENCH_COMMIT")) result["commit"] = commit;
  const char* dir = std::getenv("BENCH_DIR");
  const std::filesystem::path path = std::filesystem::path(dir ? dir : ".") / (name + ".json");
  std::ofstream(path) << result.dump(2) << "\n";
  return 0;
}

long rss_kib(pid_t pid) {
  return status_field_kib(pid, "VmRSS");
}

long peak_rss_kib(pid_t pid) {
  return status_field_kib(pid, "VmHWM");
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1) + 0.5));
  return values[index];
}

}  // namespace edgesync::bench
