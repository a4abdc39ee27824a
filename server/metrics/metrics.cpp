#include "server/metrics/metrics.hpp"

#include <algorithm>

namespace edgesync::metrics {

Histogram::Histogram(std::span<const uint64_t> bounds, double scale)
    : bound_count_(std::min(bounds.size(), kMaxBounds)), scale_(scale) {
  std::copy_n(bounds.begin(), bound_count_, bounds_.begin());
}

}  // namespace edgesync::metrics
