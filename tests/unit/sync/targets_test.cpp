// Which edge nodes a cloud object is for (reference/mms-reference.md §2.1, §11.5).
#define BOOST_TEST_MODULE targets_test
#include <boost/test/unit_test.hpp>

#include "server/sync/targets.hpp"

using namespace edgesync;

namespace {

ObjectMetadata meta(std::string type, std::string id) {
  ObjectMetadata metadata;
  metadata.destination_org_id = "org";
  metadata.destination_type = std::move(type);
  metadata.destination_id = std::move(id);
  return metadata;
}

const NodeAddress kCar1{"org", "car", "c1"};
const NodeAddress kCar2{"org", "car", "c2"};
const NodeAddress kBus1{"org", "bus", "b1"};
const NodeAddress kOtherOrg{"other", "car", "c1"};

}  // namespace

BOOST_AUTO_TEST_CASE(type_and_id_target_one_node) {
  auto m = meta("car", "c1");
  BOOST_TEST(object_targets(m, kCar1));
  BOOST_TEST(!object_targets(m, kCar2));
  BOOST_TEST(!object_targets(m, kBus1));
  BOOST_TEST(!object_targets(m, kOtherOrg));
  BOOST_TEST(named_targets(m).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_type_alone_targets_every_node_of_the_type) {
  auto m = meta("car", "");
  BOOST_TEST(object_targets(m, kCar1));
  BOOST_TEST(object_targets(m, kCar2));
  BOOST_TEST(!object_targets(m, kBus1));
  BOOST_TEST(named_targets(m).empty());
}

BOOST_AUTO_TEST_CASE(neither_type_nor_list_targets_the_whole_org) {
  auto m = meta("", "");
  BOOST_TEST(object_targets(m, kCar1));
  BOOST_TEST(object_targets(m, kBus1));
  BOOST_TEST(!object_targets(m, kOtherOrg));
}

BOOST_AUTO_TEST_CASE(a_list_targets_its_entries_and_wildcards) {
  auto m = meta("", "");
  m.destinations_list = std::vector<std::string>{"car:c2", "bus:*", "truck:t9"};
  BOOST_TEST(!object_targets(m, kCar1));
  BOOST_TEST(object_targets(m, kCar2));
  BOOST_TEST(object_targets(m, kBus1));
  const auto named = named_targets(m);
  BOOST_REQUIRE(named.size() == 2u);
  BOOST_TEST(named[1].dest_type == "truck");
}

BOOST_AUTO_TEST_CASE(a_policy_alone_targets_nobody_until_destinations_are_set) {
  auto m = meta("", "");
  m.destination_policy_json = R"({"properties":[]})";
  BOOST_TEST(!object_targets(m, kCar1));
  BOOST_TEST(named_targets(m).empty());
}
