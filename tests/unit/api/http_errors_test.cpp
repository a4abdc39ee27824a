#define BOOST_TEST_MODULE http_errors_test
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "server/api/http_errors.hpp"

using namespace edgesync;

namespace {
std::string header(const http::Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_code_maps_to_its_http_status) {
  BOOST_TEST(http_status_of(StatusCode::kInvalidArgument) == 400);
  BOOST_TEST(http_status_of(StatusCode::kForbidden) == 403);
  BOOST_TEST(http_status_of(StatusCode::kNotFound) == 404);
  BOOST_TEST(http_status_of(StatusCode::kMethodNotAllowed) == 405);
  BOOST_TEST(http_status_of(StatusCode::kConflict) == 409);
  BOOST_TEST(http_status_of(StatusCode::kPayloadTooLarge) == 413);
  BOOST_TEST(http_status_of(StatusCode::kRangeNotSatisfiable) == 416);
  BOOST_TEST(http_status_of(StatusCode::kTooManyRequests) == 429);
  BOOST_TEST(http_status_of(StatusCode::kIoError) == 500);
  BOOST_TEST(http_status_of(StatusCode::kInternal) == 500);
  BOOST_TEST(http_status_of(StatusCode::kUnavailable) == 503);
}

BOOST_AUTO_TEST_CASE(plain_text_by_default_json_on_request) {
  const Status status = Status::invalid("consumers must be positive", "consumers");
  auto text = error_response(status, false);
  BOOST_TEST(text.status == 400);
  BOOST_TEST(text.body == "consumers must be positive\n");
  BOOST_TEST(header(text, "Content-Type").find("text/plain") == 0);
  auto json = error_response(status, true);
  auto body = nlohmann::json::parse(json.body);
  BOOST_TEST(body["error"] == "consumers must be positive");
  BOOST_TEST(body["field"] == "consumers");
  BOOST_TEST(header(json, "Content-Type") == "application/json");
}

BOOST_AUTO_TEST_CASE(not_found_has_no_body_as_mms) {
  auto response = error_response(Status::not_found(), false);
  BOOST_TEST(response.status == 404);
  BOOST_TEST(response.body.empty());
  BOOST_TEST(response.headers.empty());
}
