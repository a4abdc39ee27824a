// RequestMetrics: what the HTTP API counts per request, by route template (routes.hpp), for /metrics.
//
// Every series is preallocated per (route, method, status class), so a request costs a few relaxed
// atomic additions, never a lock or an allocation, and the label set is bounded by the route table:
// raw paths, orgs and object IDs never become labels. Safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>

#include "server/metrics/exposition.hpp"
#include "server/metrics/metrics.hpp"

namespace edgesync {

// Writes some part's metrics into a scrape (ApiHandler::add_metrics_source).
using MetricsSource = std::function<void(metrics::Exposition& out)>;

class RequestMetrics {
 public:
  RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // route: an index from route_index_of() (unmatched_route_index() included).
  void record(size_t route, std::string_view method, int status, std::chrono::microseconds duration, uint64_t bytes_in,
              uint64_t bytes_out);

  // edgesync_http_requests_total, edgesync_http_request_duration_seconds,
  // edgesync_http_request_body_bytes_total, edgesync_http_response_body_bytes_total. Series that never
  // moved are left out, so a scrape lists what the node actually serves.
  void write(metrics::Exposition& out) const;

 private:
  static constexpr size_t kMethods = 6;        // GET HEAD PUT POST DELETE other
  static constexpr size_t kStatusClasses = 6;  // 1xx … 5xx, other
  size_t counter_index(size_t route, size_t method, size_t status_class) const {
    return (route * kMethods + method) * kStatusClasses + status_class;
  }

  const size_t routes_;  // the table's routes plus "unmatched"
  std::unique_ptr<metrics::Counter[]> requests_;
  std::unique_ptr<metrics::Counter[]> bytes_in_;   // per route
  std::unique_ptr<metrics::Counter[]> bytes_out_;  // per route
  std::deque<metrics::Histogram> durations_;       // per route (a deque: histograms do not move)
};

}  // namespace edgesync
