// What every benchmark shares: where its JSON goes, the one result line, process memory readings,
// percentiles.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace edgesync::bench {

// Prints `line` on stdout and writes `result` (plus the benchmark's name, the date and the commit when
// known) as JSON to $BENCH_DIR/<name>.json (default: the current directory). Returns 0.
int report(const std::string& name, const std::string& line, nlohmann::json result);

long rss_kib(pid_t pid);       // VmRSS now
long peak_rss_kib(pid_t pid);  // VmHWM

// p in [0, 1] of unsorted values.
double percentile(std::vector<double> values, double p);

}  // namespace edgesync::bench
