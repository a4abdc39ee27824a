#define BOOST_TEST_MODULE json_limits_test
#include <boost/test/unit_test.hpp>
#include <string>

#include "common/json_limits.hpp"

using namespace edgesync;

BOOST_AUTO_TEST_CASE(nesting_is_counted_outside_strings_only) {
  BOOST_TEST(json_nesting_within(R"({"meta":{"objectID":"a"}})", 2));
  BOOST_TEST(!json_nesting_within(R"({"meta":{"objectID":"a"}})", 1));
  BOOST_TEST(json_nesting_within(R"({"text":"[[[[[[{{{{"})", 1));
  BOOST_TEST(json_nesting_within(R"({"text":"quote \" then [[[["})", 1));
  BOOST_TEST(json_nesting_within(R"(["a\\", [1]])", 2));
  BOOST_TEST(json_nesting_within("", 0));
  BOOST_TEST(json_nesting_within(std::string(64, '[') + std::string(64, ']')));
  BOOST_TEST(!json_nesting_within(std::string(65, '[') + std::string(65, ']')));
  BOOST_TEST(!json_nesting_within(std::string(300000, '[')));
}
