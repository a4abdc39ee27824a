#include "server/api/request_metrics.hpp"

#include <array>

#include "server/api/routes.hpp"

namespace edgesync {

namespace {

constexpr std::array<std::string_view, 6> kMethodNames = {"GET", "HEAD", "PUT", "POST", "DELETE", "other"};
constexpr std::array<std::string_view, 6> kStatusClassNames = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

size_t method_slot(std::string_view method) {
  for (size_t i = 0; i + 1 < kMethodNames.size(); ++i)
    if (kMethodNames[i] == method) return i;
  return kMethodNames.size() - 1;
}

size_t status_class(int status) {
  return status >= 100 && status < 600 ? static_cast<size_t>(status / 100 - 1) : kStatusClassNames.size() - 1;
}

std::string_view route_name(size_t route) {
  return route < all_routes().size() ? all_routes()[route].path : kUnmatchedRoute;
}

}  // namespace

RequestMetrics::RequestMetrics()
    : routes_(all_routes().size() + 1),
      requests_(std::make_unique<metrics::Counter[]>(routes_ * kMethods * kStatusClasses)),
      bytes_in_(std::make_unique<metrics::Counter[]>(routes_)),
      bytes_out_(std::make_unique<metrics::Counter[]>(routes_)) {
  for (size_t i = 0; i < routes_; ++i)
    durations_.emplace_back(metrics::kLatencyBoundsMicros, metrics::kMicrosPerSecond);
}

void RequestMetrics::record(size_t route, std::string_view method, int status, std::chrono::microseconds duration,
                            uint64_t bytes_in, uint64_t bytes_out) {
  if (route >= routes_) route = routes_ - 1;
  requests_[counter_index(route, method_slot(method), status_class(status))].add();
  durations_[route].observe(static_cast<uint64_t>(duration.count() > 0 ? duration.count() : 0));
  // Most requests have no body: spare the shared cache line.
  if (bytes_in > 0) bytes_in_[route].add(bytes_in);
  if (bytes_out > 0) bytes_out_[route].add(bytes_out);
}

void RequestMetrics::write(metrics::Exposition& out) const {
  out.family("edgesync_http_requests_total", "counter",
             "HTTP requests answered, by route template, method and status class.");
  for (size_t route = 0; route < routes_; ++route) {
    for (size_t method = 0; method < kMethods; ++method) {
      for (size_t status = 0; status < kStatusClasses; ++status) {
        const uint64_t count = requests_[counter_index(route, method, status)].value();
        if (count == 0) continue;
        out.sample(
            "edgesync_http_requests_total",
            {{"route", route_name(route)}, {"method", kMethodNames[method]}, {"status", kStatusClassNames[status]}},
            count);
      }
    }
  }
  out.family("edgesync_http_request_duration_seconds", "histogram",
             "Time from a request's first byte to its answer written, by route template.");
  for (size_t route = 0; route < routes_; ++route) {
    if (durations_[route].count() == 0) continue;
    out.histogram("edgesync_http_request_duration_seconds", {{"route", route_name(route)}}, durations_[route]);
  }
  out.family("edgesync_http_request_body_bytes_total", "counter", "Request body bytes read, by route template.");
  for (size_t route = 0; route < routes_; ++route) {
    if (const uint64_t bytes = bytes_in_[route].value(); bytes > 0)
      out.sample("edgesync_http_request_body_bytes_total", {{"route", route_name(route)}}, bytes);
  }
  out.family("edgesync_http_response_body_bytes_total", "counter", "Response body bytes sent, by route template.");
  for (size_t route = 0; route < routes_; ++route) {
    if (const uint64_t bytes = bytes_out_[route].value(); bytes > 0)
      out.sample("edgesync_http_response_body_bytes_total", {{"route", route_name(route)}}, bytes);
  }
}

}  // namespace edgesync
