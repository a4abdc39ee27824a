// edgesync_bench: the numbers that matter, one command each (tests/bench/RESULTS.md has the latest).
//   edgesync_bench get|put|propagation|large|fanout|footprint|ceiling [options]
// Each starts what it needs on 127.0.0.1 (real edgesync processes from this build), prints one result
// line and writes <name>.json into $BENCH_DIR (default: the current directory).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <map>

#include "tests/bench/benchmarks.hpp"

using namespace edgesync::bench;

int main(int argc, char** argv) {
  CLI::App app{"edgesync benchmarks: each prints one line and writes <name>.json into $BENCH_DIR"};
  app.require_subcommand(1);
  BenchOptions options;
  const std::map<std::string, std::pair<std::string, std::function<int(const BenchOptions&)>>> benchmarks = {
      {"get", {"GET metadata at the cloud (and nginx's ceiling in the same run)", bench_get}},
      {"put", {"durable PUT metadata at the cloud, at N connections and at 1", bench_put}},
      {"propagation", {"publish at the cloud → in the edge's update list, p50/p99", bench_propagation}},
      {"large", {"a large object: upload, cloud → edge transfer, peak RSS", bench_large}},
      {"fanout", {"one object to N simulated edge nodes speaking the SPI", bench_fanout}},
      {"footprint", {"idle RSS of a cloud and an edge, binary size", bench_footprint}},
      {"ceiling", {"nginx serving a tiny static 200: this machine's HTTP ceiling", bench_ceiling}},
  };
  for (const auto& [name, entry] : benchmarks) {
    CLI::App* command = app.add_subcommand(name, entry.first);
    if (name == "get" || name == "put" || name == "ceiling") {
      command->add_option("--seconds", options.seconds, "load duration of each phase")->capture_default_str();
      command->add_option("--connections", options.connections, "keep-alive connections")->capture_default_str();
      command->add_option("--threads", options.threads, "load generator threads")->capture_default_str();
    }
    if (name == "get" || name == "put")
      command->add_option("--server-threads", options.server_threads, "the cloud's io threads (0: one per core)")
          ->capture_default_str();
    if (name == "get")
      command->add_option("--rounds", options.rounds, "phases of each side; medians compared")
          ->check(CLI::Range(1, 99))
          ->capture_default_str();
    if (name == "propagation") command->add_option("--objects", options.objects)->capture_default_str();
    if (name == "put" || name == "propagation")
      command
          ->add_option("--instances", options.instances,
                       "cloud instances: 1 on SQLite, more on one throwaway PostgreSQL database")
          ->check(CLI::Range(1, 8))
          ->capture_default_str();
    if (name == "put" || name == "propagation" || name == "large")
      command->add_flag("--postgres", options.postgres, "one throwaway PostgreSQL database also for one instance");
    if (name == "propagation") command->add_flag("--no-data", options.no_data, "metadata-only objects");
    if (name == "large") command->add_option("--mib", options.mib, "object size in MiB")->capture_default_str();
    if (name == "fanout") command->add_option("--nodes", options.nodes, "simulated nodes")->capture_default_str();
  }
  CLI11_PARSE(app, argc, argv);
  // Thousands of connections (fanout, and the nodes it starts inherit the limit).
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  const std::string chosen = app.get_subcommands().front()->get_name();
  return benchmarks.at(chosen).second(options);
}
