#include "server/sync/retry_policy.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>

namespace edgesync {

std::chrono::milliseconds RetryPolicy::delay_after(int32_t attempts) const {
  const int doublings = std::clamp(attempts - 1, 0, 40);  // 2^40 ms is far past any cap
  const double base = std::min(static_cast<double>(initial.count()) * static_cast<double>(int64_t{1} << doublings),
                               static_cast<double>(max.count()));
  const double draw = random ? random() : 0.5;
  const double factor = 1.0 - jitter + 2.0 * jitter * std::clamp(draw, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(base * factor));
}

std::function<double()> system_random() {
  struct Source {
    std::mutex mutex;
    std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> uniform{0.0, 1.0};
  };
  auto source = std::make_shared<Source>();
  return [source] {
    std::lock_guard lock(source->mutex);
    return source->uniform(source->engine);
  };
}

}  // namespace edgesync
