// RetryPolicy: when the cloud hands a notification to an edge node again after the node left it
// unanswered — exponential backoff with jitter, capped (reconciliation, reference/eim-dataflow.md).
//
// Attempt n (1-based) waits initial · 2^(n−1), capped at max, then scaled by a factor drawn uniformly
// from [1 − jitter, 1 + jitter] so nodes that failed together do not come back together.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace edgesync {

struct RetryPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{300000};
  double jitter = 0.2;  // ± fraction of the delay
  // Uniform in [0, 1); injectable so tests see an exact schedule.
  std::function<double()> random;

  // The delay before attempt `attempts` + 1, after `attempts` (≥ 1) unanswered ones.
  std::chrono::milliseconds delay_after(int32_t attempts) const;
};

// A uniform [0, 1) source seeded from the system (thread-safe).
std::function<double()> system_random();

}  // namespace edgesync
