// The Prometheus text the metrics layer writes, read back by the strict parser the /metrics
// integration test uses; and the parser's own refusals, so that a pass there means something.
#define BOOST_TEST_MODULE metrics_exposition_test
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <stdexcept>

#include "server/api/request_metrics.hpp"
#include "server/api/routes.hpp"
#include "server/metrics/exposition.hpp"
#include "tests/support/prometheus_text.hpp"

using namespace edgesync;
using edgesync::test::parse_prometheus_text;

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_with_sum_and_count) {
  const uint64_t bounds[] = {10, 100};
  metrics::Histogram histogram(bounds, 1000);  // milliseconds in, seconds out
  for (uint64_t value : {5, 10, 11, 100, 5000}) histogram.observe(value);
  metrics::Exposition out;
  out.family("edgesync_test_seconds", "histogram", "A test histogram.");
  out.histogram("edgesync_test_seconds", {{"route", "/a/{b}"}}, histogram);
  const auto scrape = parse_prometheus_text(out.text());
  BOOST_TEST(*scrape.value("edgesync_test_seconds_bucket", {{"route", "/a/{b}"}, {"le", "0.01"}}) == 2);  // 5, 10
  BOOST_TEST(*scrape.value("edgesync_test_seconds_bucket", {{"route", "/a/{b}"}, {"le", "0.1"}}) == 4);
  BOOST_TEST(*scrape.value("edgesync_test_seconds_bucket", {{"route", "/a/{b}"}, {"le", "+Inf"}}) == 5);
  BOOST_TEST(*scrape.value("edgesync_test_seconds_count", {{"route", "/a/{b}"}}) == 5);
  BOOST_TEST(*scrape.value("edgesync_test_seconds_sum", {{"route", "/a/{b}"}}) == 5.126,
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
  metrics::Exposition out;
  out.family("edgesync_test_total", "counter", "Help with a \\ backslash\nand a newline.");
  const std::string awkward = "quote \" backslash \\ newline \n end";
  out.sample("edgesync_test_total", {{"status", awkward}}, uint64_t{3});
  const auto scrape = parse_prometheus_text(out.text());
  BOOST_TEST(*scrape.value("edgesync_test_total", {{"status", awkward}}) == 3);
}

BOOST_AUTO_TEST_CASE(request_metrics_label_by_route_template_and_status_class) {
  RequestMetrics requests;
  const size_t route = route_index_of("GET", "/api/v1/objects/myorg/model/m1", true);
  requests.record(route, "GET", 200, std::chrono::microseconds(300), 0, 120);
  requests.record(route, "GET", 404, std::chrono::microseconds(50), 0, 0);
  requests.record(unmatched_route_index(), "BREW", 404, std::chrono::microseconds(10), 7, 0);
  metrics::Exposition out;
  requests.write(out);
  const auto scrape = parse_prometheus_text(out.text());
  const std::string object = "/api/v1/objects/{orgID}/{objectType}/{objectID}";
  BOOST_TEST(*scrape.value("edgesync_http_requests_total", {{"route", object}, {"method", "GET"}, {"status", "2xx"}}) ==
             1);
  BOOST_TEST(*scrape.value("edgesync_http_requests_total", {{"route", object}, {"method", "GET"}, {"status", "4xx"}}) ==
             1);
  BOOST_TEST(*scrape.value("edgesync_http_requests_total",
                           {{"route", "unmatched"}, {"method", "other"}, {"status", "4xx"}}) == 1);
  BOOST_TEST(*scrape.value("edgesync_http_request_duration_seconds_count", {{"route", object}}) == 2);
  BOOST_TEST(*scrape.value("edgesync_http_response_body_bytes_total", {{"route", object}}) == 120);
  BOOST_TEST(*scrape.value("edgesync_http_request_body_bytes_total", {{"route", "unmatched"}}) == 7);
  // Series that never moved are not listed.
  BOOST_TEST(!scrape.value("edgesync_http_requests_total", {{"route", object}, {"method", "PUT"}, {"status", "2xx"}}));
}

BOOST_AUTO_TEST_CASE(the_parser_refuses_what_is_not_strict_text) {
  const char* bad[] = {
      "edgesync_x 1\n",                                                                  // no HELP/TYPE
      "# HELP edgesync_x_total x\n# TYPE edgesync_x_total counter\nedgesync_x_total 1",  // no final newline
      "# HELP edgesync_x_total x\n# TYPE edgesync_x_total counter\nedgesync_x_total{a=\"\\t\"} 1\n",  // bad escape
      "# HELP edgesync_x_total x\n# TYPE edgesync_x_total counter\nedgesync_x_total 1\nedgesync_x_total 2\n",
      "# HELP edgesync_h x\n# TYPE edgesync_h histogram\nedgesync_h_bucket{le=\"1\"} 2\nedgesync_h_bucket{le=\"+Inf\"} "
      "1\nedgesync_h_sum 1\nedgesync_h_count 1\n",  // not cumulative
      "# HELP edgesync_h x\n# TYPE edgesync_h histogram\nedgesync_h_bucket{le=\"1\"} 1\nedgesync_h_sum 1\n"
      "edgesync_h_count 1\n",                                                           // no +Inf
      "# HELP edgesync_g x\n# TYPE edgesync_g gauge\nedgesync_g{a=\"1\",a=\"2\"} 1\n",  // repeated label
  };
  for (const char* text : bad) BOOST_CHECK_THROW(parse_prometheus_text(text), std::runtime_error);
}
