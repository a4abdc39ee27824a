#define BOOST_TEST_MODULE resource_key_test
#include <boost/test/unit_test.hpp>
#include <set>

#include "common/resource_key.hpp"

using namespace edgesync;

BOOST_AUTO_TEST_CASE(three_part_key) {
  auto key = parse_resource_key("myorg/model/m1");
  BOOST_REQUIRE(key.is_ok());
  BOOST_TEST(key->org == "myorg");
  BOOST_TEST(key->object_type == "model");
  BOOST_TEST(key->object_id == "m1");
  BOOST_TEST(!key->is_type_wide());
  BOOST_TEST(key->to_string() == "myorg/model/m1");
}

BOOST_AUTO_TEST_CASE(two_part_key_is_type_wide) {
  auto key = parse_resource_key("myorg/model");
  BOOST_REQUIRE(key.is_ok());
  BOOST_TEST(key->org == "myorg");
  BOOST_TEST(key->object_type == "model");
  BOOST_TEST(key->is_type_wide());
  BOOST_TEST(key->to_string() == "myorg/model");
}

BOOST_AUTO_TEST_CASE(to_string_and_parse_round_trip) {
  for (const ResourceKey& key : {ResourceKey{"o", "t", "i"}, ResourceKey{"org.1", "type~x", "id+2"},
                                 ResourceKey{"données", "模型", "١٢٣"}, ResourceKey{"o", "t", ""}}) {
    BOOST_TEST_CONTEXT(key.to_string()) {
      auto parsed = parse_resource_key(key.to_string());
      BOOST_REQUIRE(parsed.is_ok());
      BOOST_TEST((*parsed == key));
    }
  }
}

BOOST_AUTO_TEST_CASE(wrong_shapes_are_refused) {
  for (const char* bad : {"", "myorg", "/", "a/b/c/d", "a//c", "/b/c", "a/b/", "a/", "//"}) {
    BOOST_TEST_CONTEXT(bad) {
      auto parsed = parse_resource_key(bad);
      BOOST_TEST(!parsed.is_ok());
      BOOST_TEST((parsed.status().code() == StatusCode::kInvalidArgument));
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_name_the_part_and_escape_the_value) {
  struct Case {
    const char* key;
    const char* message;
    const char* field;
  };
  const Case cases[] = {
      {"my org/t/i", "Organization ID (my org) contains invalid characters", "orgID"},
      {"o/t<x>/i", "object Type (t&lt;x&gt;) contains invalid characters", "objectType"},
      {"o/t/i d", "object ID (i d) contains invalid characters", "objectID"},
      {"o/t/a\"b'&", "object ID (a&#34;b&#39;&amp;) contains invalid characters", "objectID"},
      {"o//i", "object Type () contains invalid characters", "objectType"},
  };
  for (const auto& item : cases) {
    BOOST_TEST_CONTEXT(item.key) {
      auto parsed = parse_resource_key(item.key);
      BOOST_REQUIRE(!parsed.is_ok());
      BOOST_TEST(parsed.status().message() == item.message);
      BOOST_TEST(parsed.status().field() == item.field);
    }
  }
}

BOOST_AUTO_TEST_CASE(keys_order_by_org_then_type_then_id) {
  const std::set<ResourceKey> keys = {{"b", "t", "1"}, {"a", "u", "1"}, {"a", "t", "2"}, {"a", "t", ""}};
  std::vector<std::string> order;
  for (const auto& key : keys) order.push_back(key.to_string());
  const std::vector<std::string> expected = {"a/t", "a/t/2", "a/u/1", "b/t/1"};
  BOOST_TEST(order == expected, boost::test_tools::per_element());
}
