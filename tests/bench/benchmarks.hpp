// The benchmarks of tests/bench (issue 7). Each starts what it needs on 127.0.0.1, prints one result
// line and writes <name>.json (bench_report.hpp); returns the process exit code.
#pragma once

#include <cstdint>
#include <string>

namespace edgesync::bench {

struct BenchOptions {
  double seconds = 10;     // duration of each load phase (get, put, ceiling)
  int connections = 64;    // load connections (get, put, ceiling)
  int threads = 2;         // load generator threads
  int server_threads = 0;  // the cloud's http.threads (get, put); 0 = its default, one per core
  int rounds = 3;          // get: load phases of the cloud and of nginx each; the medians are compared
  int objects = 200;       // propagation
  uint64_t mib = 1024;     // large
  int nodes = 1000;        // fanout
  int instances = 1;       // put, propagation: cloud instances (1: SQLite; more: one PostgreSQL database)
  bool postgres = false;   // put, propagation, large: PostgreSQL (a throwaway cluster) also for one instance
  bool no_data = false;    // propagation: metadata-only objects
};

int bench_get(const BenchOptions& options);          // 1. GET metadata (+ the nginx ceiling in the same run)
int bench_put(const BenchOptions& options);          // 2. durable PUT metadata at N connections and at 1
int bench_propagation(const BenchOptions& options);  // 3. publish at the cloud → in the edge's update list
int bench_large(const BenchOptions& options);        // 4. upload, cloud → edge transfer, peak RSS
int bench_fanout(const BenchOptions& options);       // 5. one object to N simulated SPI nodes
int bench_footprint(const BenchOptions& options);    // 6. idle RSS, binary sizes
int bench_ceiling(const BenchOptions& options);      // 7. nginx's tiny static 200 alone

}  // namespace edgesync::bench
