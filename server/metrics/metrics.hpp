// Metric primitives for the Prometheus endpoint: counters, gauges and fixed-bucket histograms.
//
// Updated on hot paths (every request, every group commit), so an update is one or two relaxed atomic
// additions: no lock, no allocation. Values are read at scrape time, when a slightly torn view across
// metrics (a count one request ahead of its sum) is acceptable; every single value is exact.
// Safe to update and read from any thread. Not copyable: owners hold them by value and expose
// references.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace edgesync::metrics {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void add(uint64_t amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  void add(int64_t amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations are whole numbers in the histogram's unit (microseconds, writes per batch), so the sum
// stays an integer atomic; the exposition divides by `scale` (1e6 turns microseconds into the seconds
// Prometheus expects). Bucket bounds are in the same unit, ascending; +Inf is implicit.
class Histogram {
 public:
  static constexpr size_t kMaxBounds = 16;

  Histogram(std::span<const uint64_t> bounds, double scale);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(uint64_t value) {
    size_t bucket = 0;
    while (bucket < bound_count_ && value > bounds_[bucket]) ++bucket;
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }

  size_t bound_count() const { return bound_count_; }
  uint64_t bound(size_t index) const { return bounds_[index]; }
  double scale() const { return scale_; }
  // Observations in bucket `index` alone (not cumulative); index bound_count() is the +Inf bucket.
  uint64_t bucket_count(size_t index) const { return buckets_[index].load(std::memory_order_relaxed); }
  uint64_t sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t count() const {
    uint64_t total = 0;
    for (size_t i = 0; i <= bound_count_; ++i) total += bucket_count(i);
    return total;
  }

 private:
  std::array<uint64_t, kMaxBounds> bounds_{};
  size_t bound_count_ = 0;
  double scale_ = 1;
  std::array<std::atomic<uint64_t>, kMaxBounds + 1> buckets_{};
  std::atomic<uint64_t> sum_{0};
};

// Request and commit latencies, in microseconds: 100 µs to 10 s.
inline constexpr std::array<uint64_t, 12> kLatencyBoundsMicros = {
    100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 100'000, 500'000, 2'000'000, 10'000'000};
inline constexpr double kMicrosPerSecond = 1e6;

}  // namespace edgesync::metrics
