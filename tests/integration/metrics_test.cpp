// GET /metrics and JSON logs of real processes: a cloud and an edge on 127.0.0.1. The scrape must
// parse as strict Prometheus text and move as requests are made; the JSON log must parse line by line,
// carry one line per request with its fields, and never the caller's secret.
#define BOOST_TEST_MODULE metrics_test
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/base64.hpp"
#include "tests/integration/sync_topology.hpp"
#include "tests/support/prometheus_text.hpp"

using namespace edgesync;
using namespace edgesync::test;

namespace {

const std::string kSecret = "s3cret-\"never\"-logged";

PromScrape scrape(HttpClient& client) {
  const HttpResult answer = client.get("/metrics");
  BOOST_REQUIRE_MESSAGE(answer.status == 200, answer.status << " " << answer.body);
  BOOST_TEST(answer.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  PromScrape parsed;
  try {
    parsed = parse_prometheus_text(answer.body);
  } catch (const std::exception& failure) {
    BOOST_FAIL(std::string(failure.what()) + "\n" + answer.body);
  }
  for (const auto& [name, family] : parsed.families) BOOST_TEST(name.starts_with("edgesync_"), name);
  return parsed;
}

double requests(const PromScrape& scraped, const std::string& route, const std::string& method,
                const std::string& status) {
  return scraped.sum("edgesync_http_requests_total", {{"route", route}, {"method", method}, {"status", status}});
}

std::vector<nlohmann::json> json_lines(const std::string& log) {
  std::vector<nlohmann::json> lines;
  std::istringstream stream(log);
  for (std::string line; std::getline(stream, line);) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    BOOST_TEST_REQUIRE(!parsed.is_discarded(), "not JSON: " << line);
    BOOST_TEST_REQUIRE(parsed.is_object(), line);
    BOOST_TEST(parsed["time"].is_string());
    BOOST_TEST(parsed["level"].is_string());
    BOOST_TEST(parsed["message"].is_string());
    lines.push_back(std::move(parsed));
  }
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_CASE(scrapes_parse_and_move_with_requests_and_sync) {
  TempDir dir;
  auto cloud = start_cloud(dir.path());
  auto edge = start_edge(dir.path(), "camera", "cam1", cloud->port());
  HttpClient cloud_client = cloud_app(*cloud);
  HttpClient edge_client = edge_app(*edge);
  BOOST_REQUIRE(wait_until([&] { return edge_connected(*edge); }));

  const PromScrape before = scrape(cloud_client);
  BOOST_TEST(*before.value("edgesync_registered_nodes") == 1);
  const std::string object_route = "/api/v1/objects/{orgID}/{objectType}/{objectID}";
  const double puts_before = requests(before, object_route, "PUT", "2xx");

  const std::string data = "model bytes";
  const std::string body = object_body("model", "m1", {{"destinationType", "camera"}}, &data);
  BOOST_REQUIRE(cloud_client.put(cloud_objects("model/m1"), body).status == 204);
  BOOST_REQUIRE(cloud_client.get(cloud_objects("model/nothing")).status == 404);
  BOOST_REQUIRE(cloud_client.get("/not/a/route").status == 404);
  BOOST_REQUIRE(wait_until([&] { return destination_status(cloud_client, "model/m1", "cam1") == "delivered"; }));

  const PromScrape after = scrape(cloud_client);
  BOOST_TEST(requests(after, object_route, "PUT", "2xx") == puts_before + 1);
  BOOST_TEST(requests(after, object_route, "GET", "4xx") >= 1);
  BOOST_TEST(requests(after, "unmatched", "GET", "4xx") >= 1);
  BOOST_TEST(requests(after, "/metrics", "GET", "2xx") >= 1);
  // The edge's polls and notifications are counted under the SPI's templates.
  BOOST_TEST(after.sum("edgesync_http_requests_total", {{"route", "/spi/v1/objects/"}}) >= 1);
  BOOST_TEST(after.sum("edgesync_http_request_body_bytes_total", {{"route", object_route}}) >=
             static_cast<double>(body.size()));
  BOOST_TEST(after.sum("edgesync_http_response_body_bytes_total") >
             before.sum("edgesync_http_response_body_bytes_total"));
  BOOST_TEST(*after.value("edgesync_http_request_duration_seconds_count", {{"route", object_route}}) >= 2);
  BOOST_TEST(*after.value("edgesync_objects_stored") >= 1);
  BOOST_TEST(after.sum("edgesync_deliveries", {{"status", "delivered"}}) >= 1);
  BOOST_TEST(*after.value("edgesync_store_commits_total") > *before.value("edgesync_store_commits_total"));
  BOOST_TEST(*after.value("edgesync_store_commit_batch_size_count") >= 1);
  BOOST_TEST(*after.value("edgesync_store_commit_duration_seconds_count") >= 1);
  BOOST_TEST(after.value("edgesync_store_commit_queue_depth").has_value());
  BOOST_TEST(after.value("edgesync_active_data_transfers").has_value());
  BOOST_TEST(after.value("edgesync_webhook_queue_depth").has_value());
  BOOST_TEST(after.value("edgesync_webhook_notifications_total", {{"result", "dropped"}}).has_value());
  // Bounded labels: the org and the object ID never appear in a label value.
  for (const auto& [name, family] : after.families)
    for (const auto& sample : family.samples)
      for (const auto& [label, value] : sample.labels) {
        BOOST_TEST(value.find("m1") == std::string::npos, name << " " << label << "=" << value);
        BOOST_TEST(value.find(kOrg) == std::string::npos, name << " " << label << "=" << value);
      }

  const PromScrape at_edge = scrape(edge_client);
  BOOST_TEST(*at_edge.value("edgesync_uplink_connected") == 1);
  BOOST_TEST(at_edge.value("edgesync_uplink_reconnects_total").has_value());
  BOOST_TEST(at_edge.value("edgesync_metamanager_queue_depth").has_value());
  BOOST_TEST(at_edge.value("edgesync_deliveries_pending_notifications").has_value());
  BOOST_TEST(!at_edge.value("edgesync_registered_nodes").has_value());  // a cloud's number

  // The edge's link drops with its cloud.
  cloud->terminate();
  BOOST_TEST(wait_until([&] { return scrape(edge_client).value("edgesync_uplink_connected") == 0.0; }));
}

// /metrics is authorised as /api/v1/health is: any caller the authenticator accepts, except an edge
// node (its credentials are for the SPI); a refused secret gets 403 there as everywhere.
BOOST_AUTO_TEST_CASE(metrics_needs_the_credentials_health_needs) {
  TempDir dir;
  NodeProcess cloud(dir.path() / "cloud", {"--mode", "cloud"});
  HttpClient edge_node(cloud.port(), kOrg + "/camera/cam1");
  BOOST_TEST(edge_node.get("/metrics").status == 403);
  BOOST_TEST(edge_node.get("/api/v1/health").status == 403);
  HttpClient admin(cloud.port(), "admin@" + kOrg);
  BOOST_TEST(admin.get("/metrics").status == 200);
  BOOST_TEST(admin.request("DELETE", "/metrics").status == 405);
}

BOOST_AUTO_TEST_CASE(json_logs_have_request_lines_without_secrets) {
  TempDir dir;
  NodeProcess cloud(dir.path() / "cloud", {"--mode", "cloud", "--log-level", "debug", "--log-format", "json"});
  HttpClient client(cloud.port(), "admin@" + kOrg);
  client.set_secret(kSecret);
  BOOST_REQUIRE(client.put(cloud_objects("model/m1?token=" + kSecret), object_body("model", "m1")).status == 204);
  BOOST_REQUIRE(client.get(cloud_objects("model/m1")).status == 200);
  BOOST_REQUIRE(client.get("/api/v1/health?secret=" + kSecret).status == 200);

  const std::string object_route = "/api/v1/objects/{orgID}/{objectType}/{objectID}";
  std::vector<nlohmann::json> request_lines;
  BOOST_REQUIRE(wait_until([&] {
    request_lines.clear();
    for (auto& line : json_lines(cloud.log()))
      if (line["message"].get<std::string>().starts_with("request ")) request_lines.push_back(line);
    return request_lines.size() >= 3;
  }));
  const std::string log = cloud.log();
  BOOST_TEST(log.find("s3cret") == std::string::npos);
  BOOST_TEST(log.find(base64_encode("admin@" + kOrg + ":" + kSecret)) == std::string::npos);
  BOOST_TEST(log.find("Authorization") == std::string::npos);

  const std::string put = request_lines[0]["message"];
  BOOST_TEST(request_lines[0]["level"] == "debug");
  for (const char* field :
       {"method=PUT ", "route=/api/v1/objects/{orgID}/{objectType}/{objectID} ", "path=/api/v1/objects/myorg/model/m1 ",
        "status=204 ", "duration_ms=", "bytes_in=", "bytes_out=0 ", "remote=127.0.0.1:"})
    BOOST_TEST(put.find(field) != std::string::npos, field << " in " << put);
  BOOST_TEST(request_lines[2]["message"].get<std::string>().find("route=/api/v1/health ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_log_format_is_refused_by_name) {
  TempDir dir;
  const RunResult result =
      run_edgesync({"--mode", "cloud", "--data-dir", (dir.path() / "d").string(), "--log-format", "xml"});
  BOOST_TEST(result.exit_code == 2);
  BOOST_TEST(result.output.find("log.format: must be text or json (got xml)") != std::string::npos, result.output);
}
