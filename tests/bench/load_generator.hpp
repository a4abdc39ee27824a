// A closed-loop HTTP/1.1 load generator (wrk's model): `connections` keep-alive connections spread over
// `threads` threads, each sending the next request as soon as the previous answer is read, for a fixed
// duration. Every latency is recorded, so percentiles are exact. Asio and Beast stay in the .cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edgesync::bench {

struct LoadOptions {
  uint16_t port = 0;  // on 127.0.0.1
  // Further servers (instances of one cloud): the connections are spread round robin over all.
  std::vector<uint16_t> more_ports;
  int connections = 64;
  int threads = 2;
  std::chrono::milliseconds duration{10000};
  // The bytes of request number `sequence` (unique across all connections), a complete HTTP/1.1 request.
  std::function<std::string(uint64_t sequence)> request;
};

struct LoadResult {
  uint64_t requests = 0;     // answered
  uint64_t not_success = 0;  // answered with a status outside 2xx
  uint64_t io_failures = 0;  // connection errors (each followed by a reconnect)
  double seconds = 0;
  std::vector<double> latencies_ms;  // one per answered request

  double per_second() const { return seconds > 0 ? requests / seconds : 0; }
  double percentile_ms(double p) const;  // p in [0, 1]
};

LoadResult run_load(const LoadOptions& options);

// "GET /path HTTP/1.1" with Host and Basic auth (empty app_key: none) and, for a body, Content-Length.
std::string make_request(const std::string& method, const std::string& target, const std::string& app_key,
                         const std::string& body = "", const std::string& content_type = "");

}  // namespace edgesync::bench
