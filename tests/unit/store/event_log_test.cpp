// The store's part of the event stream: events commit with their write (and only then reach the
// listener), a rolled-back write leaves none, delivery status changes record themselves, pruning keeps
// the retention in bounded batches and remembers per org what it removed, sequences are never reused.
// Built into store_test_sqlite and store_test_postgres with store_test.cpp (store_backend.hpp).
#include <boost/test/unit_test.hpp>
#include <mutex>
#include <vector>

#include "tests/unit/store/store_backend.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::make_object;
using edgesync::test::open_store;
using edgesync::test::ScratchStore;

namespace {

Event object_event(const std::string& org, const std::string& id, int64_t time_ms) {
  Event event;
  event.org = org;
  event.time_ms = time_ms;
  event.type = event_type::kObjectUpdated;
  event.object_type = "t";
  event.object_id = id;
  return event;
}

std::vector<Event> all_events(Store& store, const std::string& org) {
  auto events = store.list_events(org, 0, 100000);
  BOOST_REQUIRE(events.is_ok());
  return *events;
}

// Appends one event per write, with times 1000, 2000, … (ms).
void append_events(Store& store, const std::string& org, int count, int64_t first_time_ms = 1000) {
  for (int i = 0; i < count; ++i) {
    Status status = store.write([&](WriteTransaction& transaction) {
      return transaction.append_event(object_event(org, "o" + std::to_string(i), first_time_ms + 1000 * i));
    });
    BOOST_REQUIRE(status.is_ok());
  }
}

Result<size_t> prune(Store& store, EventRetention retention, int64_t now_ms, size_t batch) {
  size_t removed = 0;
  Status status = store.write([&](WriteTransaction& transaction) -> Status {
    auto pruned = transaction.prune_events(retention, now_ms, batch);
    if (!pruned) return pruned.status();
    removed = *pruned;
    return Status::ok();
  });
  if (!status) return status;
  return removed;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_log)

BOOST_AUTO_TEST_CASE(events_commit_with_their_write_in_order_and_then_reach_the_listener) {
  ScratchStore dir;
  auto store = open_store(dir);
  std::mutex mutex;
  std::vector<std::string> woken;
  store->set_event_listener([&](const std::string& org) {
    std::lock_guard lock(mutex);
    woken.push_back(org);
  });
  Status status = store->write([&](WriteTransaction& transaction) -> Status {
    if (Status put = transaction.put_object(make_object("org", "t", "a")); !put) return put;
    if (Status first = transaction.append_event(object_event("org", "a", 1)); !first) return first;
    return transaction.append_event(object_event("org", "b", 2));
  });
  BOOST_REQUIRE(status.is_ok());
  const auto events = all_events(*store, "org");
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[0].object_id == "a");
  BOOST_TEST(events[1].object_id == "b");
  BOOST_TEST(events[0].seq < events[1].seq);
  BOOST_TEST(all_events(*store, "other").empty());
  std::lock_guard lock(mutex);
  BOOST_TEST(woken == std::vector<std::string>{"org"});  // once per org and write, before store.write returns
}

BOOST_AUTO_TEST_CASE(a_rolled_back_write_leaves_no_event_and_wakes_nobody) {
  ScratchStore dir;
  auto store = open_store(dir);
  int woken = 0;
  store->set_event_listener([&](const std::string&) { ++woken; });
  Status status = store->write([&](WriteTransaction& transaction) -> Status {
    if (Status appended = transaction.append_event(object_event("org", "a", 1)); !appended) return appended;
    return Status::invalid("refused after the event was appended");
  });
  BOOST_TEST(!status.is_ok());
  BOOST_TEST(all_events(*store, "org").empty());
  BOOST_TEST(woken == 0);
  // The next committed event is visible and nothing of the rolled-back one is.
  append_events(*store, "org", 1);
  BOOST_TEST(all_events(*store, "org").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_delivery_status_change_records_one_event_and_an_unchanged_status_none) {
  ScratchStore dir;
  auto store = open_store(dir);
  Delivery row{{"org", "t", "a"}, {"org", "edge", "e1"}, delivery_status::kPending};
  row.pending = "update";
  row.instance_id = 7;
  row.updated_at_ms = 5000;
  auto put = [&] { BOOST_REQUIRE(store->write([&](WriteTransaction& t) { return t.put_delivery(row); }).is_ok()); };
  put();
  row.attempts = 1;  // same status: no event
  put();
  row.status = delivery_status::kDelivered;
  row.pending.clear();
  put();
  const auto events = all_events(*store, "org");
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_TEST(events[0].type == event_type::kDestinationStatusChanged);
  BOOST_TEST(events[0].previous_status == "");
  BOOST_TEST(events[0].status == "pending");
  BOOST_TEST(events[0].dest_type == "edge");
  BOOST_TEST(events[0].dest_id == "e1");
  BOOST_TEST(events[0].instance_id == 7);
  BOOST_TEST(events[0].time_ms == 5000);
  BOOST_TEST(events[1].previous_status == "pending");
  BOOST_TEST(events[1].status == "delivered");
}

BOOST_AUTO_TEST_CASE(pruning_by_count_keeps_the_newest_and_marks_what_each_org_lost) {
  ScratchStore dir;
  auto store = open_store(dir);
  append_events(*store, "a", 3);  // seq 1..3
  append_events(*store, "b", 3);  // seq 4..6
  auto removed = prune(*store, EventRetention{0, 2}, 0, 1000);
  BOOST_REQUIRE(removed.is_ok());
  BOOST_TEST(*removed == 4u);
  BOOST_TEST(all_events(*store, "a").empty());
  BOOST_TEST(all_events(*store, "b").size() == 2u);
  auto a = store->event_window("a");
  auto b = store->event_window("b");
  BOOST_REQUIRE(a.is_ok());
  BOOST_REQUIRE(b.is_ok());
  BOOST_TEST(a->pruned_through == 3);
  BOOST_TEST(a->last_seq == 3);  // nothing newer: a reader resumes from here
  BOOST_TEST(b->pruned_through == 4);
  BOOST_TEST(b->last_seq == 6);
  auto untouched = store->event_window("c");
  BOOST_REQUIRE(untouched.is_ok());
  BOOST_TEST(untouched->pruned_through == 0);
  BOOST_TEST(untouched->last_seq == 0);
}

BOOST_AUTO_TEST_CASE(pruning_by_age_runs_in_bounded_batches) {
  ScratchStore dir;
  auto store = open_store(dir);
  append_events(*store, "org", 10);  // times 1000 … 10000
  // Older than 5 s at 12000: the events of 1000 … 6000 (six of them), three per batch.
  const EventRetention retention{5000, 0};
  auto first = prune(*store, retention, 12000, 3);
  auto second = prune(*store, retention, 12000, 3);
  auto third = prune(*store, retention, 12000, 3);
  BOOST_REQUIRE(first.is_ok());
  BOOST_REQUIRE(second.is_ok());
  BOOST_REQUIRE(third.is_ok());
  BOOST_TEST(*first == 3u);
  BOOST_TEST(*second == 3u);
  BOOST_TEST(*third == 0u);
  const auto kept = all_events(*store, "org");
  BOOST_REQUIRE_EQUAL(kept.size(), 4u);
  BOOST_TEST(kept.front().time_ms == 7000);
  BOOST_TEST(store->event_window("org")->pruned_through == 6);
}

BOOST_AUTO_TEST_CASE(a_sequence_is_never_reused_after_pruning_and_a_restart) {
  ScratchStore dir;
  {
    auto store = open_store(dir);
    append_events(*store, "org", 5);
    auto removed = prune(*store, EventRetention{1, 0}, 1'000'000, 1000);  // everything is old
    BOOST_REQUIRE(removed.is_ok());
    BOOST_TEST(*removed == 5u);
    store->close();
  }
  auto store = open_store(dir);
  append_events(*store, "org", 1);
  const auto events = all_events(*store, "org");
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST(events[0].seq == 6);
  BOOST_TEST(store->event_window("org")->pruned_through == 5);
}

BOOST_AUTO_TEST_CASE(deleting_an_org_drops_its_events_but_not_its_sequence_mark) {
  ScratchStore dir;
  auto store = open_store(dir);
  append_events(*store, "gone", 3);
  append_events(*store, "kept", 1);
  std::vector<std::string> removed_files;
  BOOST_REQUIRE(
      store->write([&](WriteTransaction& t) { return t.delete_organization("gone", removed_files); }).is_ok());
  BOOST_TEST(all_events(*store, "gone").empty());
  BOOST_TEST(store->event_window("gone")->pruned_through == 3);  // a reader from before learns it (410)
  BOOST_TEST(all_events(*store, "kept").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
