#define BOOST_TEST_MODULE upload_ranges_test
#include <boost/test/unit_test.hpp>

#include "server/objects/upload_ranges.hpp"

using namespace edgesync;

BOOST_AUTO_TEST_CASE(ranges_merge_and_count_each_byte_once) {
  auto first = add_received_range("[]", {100, 199});
  BOOST_REQUIRE(first.is_ok());
  BOOST_TEST(first->received_bytes == 100u);
  auto second = add_received_range(first->ranges_json, {0, 99});  // adjacent: merges
  BOOST_TEST(second->ranges_json == "[[0,199]]");
  auto repeated = add_received_range(second->ranges_json, {50, 149});  // a retried chunk
  BOOST_TEST(repeated->received_bytes == 200u);
  auto gap = add_received_range(repeated->ranges_json, {300, 399});
  BOOST_TEST(gap->ranges_json == "[[0,199],[300,399]]");
  BOOST_TEST(gap->received_bytes == 300u);
  auto bridge = add_received_range(gap->ranges_json, {150, 350});
  BOOST_TEST(bridge->ranges_json == "[[0,399]]");
  BOOST_TEST(bridge->received_bytes == 400u);
  BOOST_TEST(add_received_range("", {0, 0})->received_bytes == 1u);
}

BOOST_AUTO_TEST_CASE(corrupt_records_are_reported) {
  for (const char* corrupt : {"{", "{}", "[[1]]", "[[\"a\",2]]", "[[-1,2]]"}) {
    BOOST_TEST_CONTEXT(corrupt) {
      auto result = add_received_range(corrupt, {0, 1});
      BOOST_TEST(!result.is_ok());
      BOOST_TEST((result.status().code() == StatusCode::kInternal));
    }
  }
}
