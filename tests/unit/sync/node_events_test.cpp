// The cloud's node and object events, with an injected clock: registration, a node silent past the
// threshold reported lost once (not while a poll of it is held open), reported back when it calls again,
// an unregistered node lost; an object's save, deliveries and deletion in commit order; a change refused
// by the store leaves no event.
#define BOOST_TEST_MODULE node_events_test
#include <boost/test/unit_test.hpp>

#include "tests/unit/sync/clocked_cloud.hpp"

using namespace edgesync;
using std::chrono::milliseconds;

namespace {

const Identity kAdmin{Role::kAdmin, "org", "admin", "", ""};
const NodeAddress kCar1{"org", "car", "c1"};

struct Fixture : edgesync::test::ClockedCloud {
  Fixture() : ClockedCloud("node-events") { sync->set_node_lost_after(milliseconds(10000)); }

  std::vector<Event> events_after(int64_t seq = 0) {
    auto events = store->list_events("org", seq, 1000);
    BOOST_REQUIRE(events.is_ok());
    return *events;
  }

  size_t report_lost() {
    auto lost = run(sync->report_lost_nodes());
    BOOST_REQUIRE(lost.is_ok());
    return *lost;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_silent_node_is_reported_lost_once_and_back_when_it_polls, Fixture) {
  BOOST_REQUIRE(run(sync->register_node(kCar1, true, true)).is_ok());
  auto events = events_after();
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].type == event_type::kNodeRegistered);
  BOOST_TEST(events[0].detail == "new");
  BOOST_TEST(events[0].dest_id == "c1");
  const int64_t registered = events[0].seq;

  clock += milliseconds(9999);
  BOOST_TEST(report_lost() == 0u);  // not yet
  clock += milliseconds(2);
  BOOST_TEST(report_lost() == 1u);
  BOOST_TEST(report_lost() == 0u);  // reported once
  events = events_after(registered);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].type == event_type::kNodeLost);
  BOOST_TEST(events[0].detail == "silent");
  BOOST_TEST(store->get_destination(kCar1)->lost);

  BOOST_REQUIRE(run(sync->note_contact(kCar1)).is_ok());  // a poll
  events = events_after(events[0].seq);
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].type == event_type::kNodeRegistered);
  BOOST_TEST(events[0].detail == "returned");
  BOOST_TEST(!store->get_destination(kCar1)->lost);
}

BOOST_FIXTURE_TEST_CASE(polls_keep_a_node_from_being_lost_without_a_write_each, Fixture) {
  BOOST_REQUIRE(run(sync->register_node(kCar1, true, true)).is_ok());
  const int64_t registered_ping = store->get_destination(kCar1)->last_ping_ms;
  clock += milliseconds(1000);
  BOOST_REQUIRE(run(sync->note_contact(kCar1)).is_ok());
  BOOST_TEST(store->get_destination(kCar1)->last_ping_ms == registered_ping);  // recent enough: no write
  clock += milliseconds(2000);
  BOOST_REQUIRE(run(sync->note_contact(kCar1)).is_ok());
  BOOST_TEST(store->get_destination(kCar1)->last_ping_ms == registered_ping + 3000);
  clock += milliseconds(9000);
  BOOST_TEST(report_lost() == 0u);
  BOOST_TEST(events_after().size() == 1u);  // the registration only
}

BOOST_FIXTURE_TEST_CASE(an_unregistered_node_is_reported_lost, Fixture) {
  BOOST_REQUIRE(run(sync->register_node(kCar1, true, true)).is_ok());
  BOOST_REQUIRE(run(sync->unregister(kCar1)).is_ok());
  BOOST_REQUIRE(run(sync->unregister(kCar1)).is_ok());  // unknown now: nothing more
  const auto events = events_after();
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[1].type == event_type::kNodeLost);
  BOOST_TEST(events[1].detail == "unregistered");
}

BOOST_FIXTURE_TEST_CASE(an_object_saved_delivered_and_deleted_shows_in_commit_order, Fixture) {
  BOOST_REQUIRE(run(sync->register_node(kCar1, true, true)).is_ok());
  ObjectMetadata meta;
  meta.object_type = "model";
  meta.object_id = "m";
  meta.destination_type = "car";
  meta.no_data = true;
  BOOST_REQUIRE(run(objects->put_object({"org", "model", "m"}, meta, std::nullopt, kAdmin)).is_ok());
  const int64_t instance = store->get_object({"org", "model", "m"})->metadata.instance_id;
  BOOST_REQUIRE(run(sync->notification(kCar1, {"org", "model", "m"}, instance, 0, "received", "")).is_ok());
  BOOST_REQUIRE(run(sync->notification(kCar1, {"org", "model", "m"}, instance, 0, "received", "")).is_ok());
  BOOST_REQUIRE(run(objects->delete_object({"org", "model", "m"})).is_ok());
  // A refused change records nothing.
  const auto before_refusal = events_after();
  ObjectMetadata bad = meta;
  bad.object_id = "other";
  BOOST_TEST(!run(objects->put_object({"org", "model", "m2"}, bad, std::nullopt, kAdmin)).is_ok());
  const auto events = events_after();
  BOOST_TEST(events.size() == before_refusal.size());

  std::vector<std::string> seen;
  for (size_t i = 1; i < events.size(); ++i) {
    const Event& event = events[i];
    seen.push_back(event.type + ":" + event.status + ":" + event.detail);
    BOOST_TEST(event.seq > events[i - 1].seq);
  }
  const std::vector<std::string> expected = {
      "objectUpdated::saved",
      "destinationStatusChanged:delivering:",
      "destinationStatusChanged:delivered:",  // the second "received" changed nothing
      "objectDeleted::deleted",
  };
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
}
