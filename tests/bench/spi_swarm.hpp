// Simulated edge nodes speaking the cloud's SPI as an edgesync edge does: each registers, long-polls
// GET /spi/v1/objects/?wait=S on its own keep-alive connection, and when the awaited object arrives
// fetches its data and answers `received`. Thousands of them run on one thread, for the fan-out bench.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edgesync::bench {

struct SwarmOptions {
  uint16_t cloud_port = 0;
  std::string org = "myorg";
  std::string dest_type = "swarm";
  int nodes = 1000;
  int registration_concurrency = 128;
  int poll_wait_seconds = 60;
  std::string object_type, object_id;  // the object every node waits for
  std::chrono::seconds deadline{120};
};

struct SwarmResult {
  int registered = 0;
  int acknowledged = 0;             // nodes whose `received` the cloud accepted
  int failures = 0;                 // requests that failed or were refused
  double seconds_to_all = 0;        // from publish() starting to the last acknowledgement
  std::vector<double> ack_seconds;  // per node, from publish() starting
};

// Registers every node and starts their polls, then calls publish() (which publishes the object at the
// cloud) and waits until every node acknowledged it or the deadline passed.
SwarmResult run_swarm(const SwarmOptions& options, const std::function<bool()>& publish);

}  // namespace edgesync::bench
