// Delivery reconciliation on the cloud, with an injected clock and jitter source: a notification handed
// to a node that does not answer is handed out again on an exponential, capped, jittered schedule;
// attempts, lastError and nextAttemptAt are kept per destination; an answer clears them; feedback parks
// the destination in `error` until the object is updated or re-sent; the schedule survives a restart.
#define BOOST_TEST_MODULE reconcile_test
#include <boost/test/unit_test.hpp>

#include "tests/unit/sync/clocked_cloud.hpp"

using namespace edgesync;
using std::chrono::milliseconds;

namespace {

const Identity kAdmin{Role::kAdmin, "org", "admin", "", ""};
const NodeAddress kCar1{"org", "car", "c1"};

struct Fixture : edgesync::test::ClockedCloud {
  double draw = 0.5;  // the jitter source: 0.5 is the undisturbed delay

  Fixture() : ClockedCloud("reconcile") { set_policy(); }

  void set_policy() {
    sync->set_retry_policy(RetryPolicy{milliseconds(1000), milliseconds(8000), 0.2, [this] { return draw; }});
  }

  void restart() {
    sync.reset();
    objects.reset();
    store->close();
    auto reopened = open_sqlite_store(SqliteStoreOptions{(dir / "node.db").string()});
    BOOST_REQUIRE(reopened.is_ok());
    store = std::move(*reopened);
    open_services();
    set_policy();
  }

  void publish(const std::string& id, const std::string& description = "") {
    ObjectMetadata meta;
    meta.object_type = "model";
    meta.object_id = id;
    meta.destination_type = "car";
    meta.description = description;
    meta.no_data = true;
    BOOST_REQUIRE(run(objects->put_object({"org", "model", id}, meta, std::nullopt, kAdmin)).is_ok());
  }

  // One poll: the due items, recorded as handed out.
  std::vector<std::string> poll(int64_t* next_due_ms = nullptr) {
    auto items = sync->pending_items(kCar1, 100, next_due_ms);
    BOOST_REQUIRE(items.is_ok());
    BOOST_REQUIRE(run(sync->record_attempts(kCar1, *items)).is_ok());
    std::vector<std::string> described;
    for (const auto& item : *items) described.push_back(item.type + ":" + item.metadata.object_id);
    return described;
  }

  Delivery row(const std::string& id) {
    auto found = store->get_delivery({"org", "model", id}, kCar1);
    BOOST_REQUIRE(found.is_ok());
    return *found;
  }

  int64_t now_ms() const { return std::chrono::duration_cast<milliseconds>(clock.time_since_epoch()).count(); }

  Status notify(const std::string& id, const std::string& action, const std::string& body = "") {
    const int64_t instance = store->get_object({"org", "model", id})->metadata.instance_id;
    return run(sync->notification(kCar1, {"org", "model", id}, instance, instance, action, body));
  }
};

using Items = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(policy_doubles_caps_and_jitters) {
  double draw = 0.5;
  RetryPolicy policy{milliseconds(1000), milliseconds(8000), 0.2, [&] { return draw; }};
  BOOST_TEST(policy.delay_after(1).count() == 1000);
  BOOST_TEST(policy.delay_after(2).count() == 2000);
  BOOST_TEST(policy.delay_after(3).count() == 4000);
  BOOST_TEST(policy.delay_after(4).count() == 8000);
  BOOST_TEST(policy.delay_after(50).count() == 8000);  // capped, no overflow
  draw = 0.0;
  BOOST_TEST(policy.delay_after(1).count() == 800);
  draw = 0.999999;
  BOOST_TEST(policy.delay_after(4).count() >= 9599);
  BOOST_TEST(policy.delay_after(4).count() <= 9600);
  // The system source stays within [0, 1).
  auto random = system_random();
  for (int i = 0; i < 1000; ++i) {
    const double value = random();
    BOOST_TEST((value >= 0.0 && value < 1.0));
  }
}

BOOST_AUTO_TEST_CASE(an_unanswered_notification_is_retried_on_the_backoff_schedule) {
  Fixture f;
  BOOST_REQUIRE(f.run(f.sync->register_node(kCar1, true, true)).is_ok());
  f.publish("r");
  BOOST_TEST((f.poll() == Items{"update:r"}));
  BOOST_TEST(f.row("r").attempts == 1);
  BOOST_TEST(f.row("r").last_error.empty());
  for (int64_t delay : {1000, 2000, 4000, 8000, 8000}) {
    const int32_t attempts = f.row("r").attempts;
    BOOST_TEST(f.row("r").next_attempt_at_ms == f.now_ms() + delay);
    int64_t next_due = 0;
    BOOST_TEST(f.poll(&next_due).empty());  // not yet
    BOOST_TEST(next_due == f.now_ms() + delay);
    f.clock += milliseconds(delay - 1);
    BOOST_TEST(f.poll().empty());
    f.clock += milliseconds(1);
    BOOST_TEST((f.poll() == Items{"update:r"}));
    BOOST_TEST(f.row("r").attempts == attempts + 1);
    BOOST_TEST(f.row("r").last_error.find("no answer to update") != std::string::npos);
    BOOST_TEST(f.row("r").status == "delivering");
  }
  // Shown per destination.
  auto rows = f.sync->object_destinations({"org", "model", "r"});
  BOOST_REQUIRE(rows.is_ok());
  BOOST_TEST(rows->at(0).attempts == 6);
  // The node answers: the history ends.
  BOOST_TEST(f.notify("r", "received").is_ok());
  BOOST_TEST(f.row("r").attempts == 0);
  BOOST_TEST(f.row("r").last_error.empty());
  BOOST_TEST(f.row("r").next_attempt_at_ms == 0);
  BOOST_TEST(f.row("r").status == "delivered");
}

BOOST_AUTO_TEST_CASE(feedback_parks_the_destination_until_the_object_is_updated_or_resent) {
  Fixture f;
  BOOST_REQUIRE(f.run(f.sync->register_node(kCar1, true, true)).is_ok());
  f.publish("p");
  BOOST_TEST((f.poll() == Items{"update:p"}));
  BOOST_TEST(f.notify("p", "feedback", R"({"reason":"disk full"})").is_ok());
  BOOST_TEST(f.row("p").status == "error");
  BOOST_TEST(f.row("p").last_error == "disk full");
  BOOST_TEST(f.row("p").message == "disk full");
  f.clock += std::chrono::hours(24);
  BOOST_TEST(f.poll().empty());  // parked: never retried by itself
  BOOST_TEST(f.row("p").status == "error");
  // An update re-opens it.
  f.publish("p", "v2");
  BOOST_TEST(f.row("p").status == "delivering");
  BOOST_TEST(f.row("p").attempts == 0);
  BOOST_TEST(f.row("p").last_error.empty());
  BOOST_TEST((f.poll() == Items{"update:p"}));
  // Parked again, then re-sent by the node: re-opened too.
  BOOST_TEST(f.notify("p", "feedback", R"({"reason":"hash mismatch"})").is_ok());
  BOOST_TEST(f.row("p").status == "error");
  BOOST_TEST(f.run(f.sync->resend(kCar1)).is_ok());
  BOOST_TEST(f.row("p").status == "delivering");
  BOOST_TEST((f.poll() == Items{"update:p"}));
}

BOOST_AUTO_TEST_CASE(the_schedule_survives_a_restart) {
  Fixture f;
  BOOST_REQUIRE(f.run(f.sync->register_node(kCar1, true, true)).is_ok());
  f.publish("s");
  BOOST_TEST((f.poll() == Items{"update:s"}));
  f.restart();
  BOOST_TEST(f.row("s").attempts == 1);
  BOOST_TEST(f.poll().empty());
  f.clock += milliseconds(1000);
  BOOST_TEST((f.poll() == Items{"update:s"}));  // what is not at its desired state is handed out again
  BOOST_TEST(f.row("s").attempts == 2);
}
