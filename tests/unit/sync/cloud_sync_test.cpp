// The cloud's side of the protocol without HTTP: delivery planning (CloudPlanner) and CloudSync's
// registration, poll items, acknowledgements, deletes, edge objects, resend and metasync repair.
#define BOOST_TEST_MODULE cloud_sync_test
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <random>

#include "common/metadata_codec.hpp"
#include "server/sync/cloud_sync.hpp"
#include "tests/unit/objects/node_storage.hpp"

using namespace edgesync;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace edgesync {
std::ostream& operator<<(std::ostream& out, StatusCode code) {
  return out << static_cast<int>(code);
}
std::ostream& operator<<(std::ostream& out, ObjectStatus status) {
  return out << to_string(status);
}
}  // namespace edgesync

namespace {

const Identity kAdmin{Role::kAdmin, "org", "admin", "", ""};
const NodeAddress kCar1{"org", "car", "c1"};
const NodeAddress kCar2{"org", "car", "c2"};

struct Fixture : edgesync::test::NodeStorage {
  NodeWaiters waiters;
  CloudPlanner planner{waiters, nullptr};
  std::unique_ptr<ObjectService> objects;
  std::unique_ptr<CloudSync> sync;

  Fixture() : NodeStorage("cloud-sync") {
    ObjectService::Options options{NodeIdentity{}, 5 * 1024 * 1024};
    options.observer = &planner;
    objects = std::make_unique<ObjectService>(*store, *data_files, blocking, options);
    sync = std::make_unique<CloudSync>(*store, *objects, planner, waiters);
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    asio::io_context io;
    return edgesync::test::run_to_completion(io, std::move(work));
  }

  void register_node(const NodeAddress& node) { BOOST_REQUIRE(run(sync->register_node(node, true, true)).is_ok()); }

  // Publishes an object (with inline data unless no_data).
  void publish(const std::string& id, const std::string& dest_type, const std::string& dest_id, bool no_data = false,
               bool autodelete = false) {
    ObjectMetadata meta;
    meta.object_type = "model";
    meta.object_id = id;
    meta.destination_type = dest_type;
    meta.destination_id = dest_id;
    meta.no_data = no_data;
    meta.autodelete = autodelete;
    std::optional<std::string> data;
    if (!no_data) data = "data of " + id;
    BOOST_REQUIRE(run(objects->put_object({"org", "model", id}, meta, data, kAdmin)).is_ok());
  }

  std::vector<std::string> items(const NodeAddress& node) {
    auto pending = sync->pending_items(node, 100);
    BOOST_REQUIRE(pending.is_ok());
    std::vector<std::string> described;
    for (const auto& item : *pending) described.push_back(item.type + ":" + item.metadata.object_id);
    return described;
  }

  std::string status_of(const std::string& id, const NodeAddress& node) {
    auto rows = sync->object_destinations({"org", "model", id});
    if (!rows) return "<" + rows.status().message() + ">";
    for (const auto& row : *rows) {
      if (row.peer == node) return row.status;
    }
    return "";
  }

  int64_t instance(const std::string& id) { return store->get_object({"org", "model", id})->metadata.instance_id; }

  Status ack(const NodeAddress& node, const std::string& id, const std::string& action, std::string body = {}) {
    return run(sync->notification(node, {"org", "model", id}, instance(id), instance(id), action, body));
  }
};

using Items = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(registration_known_unknown_and_as_new) {
  Fixture f;
  BOOST_TEST((f.run(f.sync->register_node(kCar1, true, false)).code() == StatusCode::kNotFound));
  BOOST_TEST((f.run(f.sync->ping(kCar1)).code() == StatusCode::kNotFound));
  BOOST_TEST(!f.sync->is_registered(kCar1));
  f.register_node(kCar1);
  BOOST_TEST(f.sync->is_registered(kCar1));
  BOOST_TEST(f.run(f.sync->register_node(kCar1, true, false)).is_ok());
  BOOST_TEST(f.run(f.sync->ping(kCar1)).is_ok());
  BOOST_TEST(f.sync->destinations("org")->size() == 1u);
  BOOST_TEST(f.run(f.sync->unregister(kCar1)).is_ok());
  BOOST_TEST(!f.sync->is_registered(kCar1));
}

BOOST_AUTO_TEST_CASE(an_object_is_offered_once_ready_and_its_status_follows_the_acknowledgements) {
  Fixture f;
  f.register_node(kCar1);
  f.register_node(kCar2);
  ObjectMetadata meta;
  meta.object_type = "model";
  meta.object_id = "m";
  meta.destination_type = "car";
  BOOST_REQUIRE(f.run(f.objects->put_object({"org", "model", "m"}, meta, std::nullopt, kAdmin)).is_ok());
  BOOST_TEST(f.items(kCar1).empty());  // no data yet: notReady
  BOOST_TEST(f.status_of("m", kCar1) == "pending");
  BOOST_REQUIRE(f.run(f.objects->put_object({"org", "model", "m"}, meta, std::string("bytes"), kAdmin)).is_ok());
  BOOST_TEST((f.items(kCar1) == Items{"update:m"}));
  BOOST_TEST((f.items(kCar2) == Items{"update:m"}));
  BOOST_TEST(f.status_of("m", kCar1) == "delivering");
  auto item = f.sync->pending_items(kCar2, 10)->front();
  BOOST_TEST(item.metadata.destination_id == "c2");  // rewritten to the receiver

  BOOST_TEST(f.ack(kCar1, "m", "updated").is_ok());
  BOOST_TEST(f.items(kCar1).empty());  // polling does not consume; the follow-up call does
  BOOST_TEST(f.ack(kCar1, "m", "received").is_ok());
  BOOST_TEST(f.status_of("m", kCar1) == "delivered");
  BOOST_TEST(f.ack(kCar1, "m", "consumed").is_ok());
  BOOST_TEST(f.status_of("m", kCar1) == "consumed");
  BOOST_TEST(f.status_of("m", kCar2) == "delivering");
}

BOOST_AUTO_TEST_CASE(acknowledgements_of_an_older_version_are_ignored_with_409) {
  Fixture f;
  f.register_node(kCar1);
  f.publish("v", "car", "c1");
  const int64_t first = f.instance("v");
  f.publish("v", "car", "c1");
  Status stale = f.run(f.sync->notification(kCar1, {"org", "model", "v"}, first, first, "received", ""));
  BOOST_TEST((stale.code() == StatusCode::kConflict));
  BOOST_TEST(f.status_of("v", kCar1) == "delivering");
  BOOST_TEST((f.run(f.sync->notification(kCar1, {"org", "model", "v"}, 1, 1, "bogus", "")).code() ==
              StatusCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(inactive_objects_stay_pending_until_activated) {
  Fixture f;
  f.register_node(kCar1);
  ObjectMetadata meta;
  meta.object_type = "model";
  meta.object_id = "i";
  meta.destination_type = "car";
  meta.inactive = true;
  BOOST_REQUIRE(f.run(f.objects->put_object({"org", "model", "i"}, meta, std::string("x"), kAdmin)).is_ok());
  BOOST_TEST(f.items(kCar1).empty());
  BOOST_TEST(f.status_of("i", kCar1) == "pending");
  BOOST_REQUIRE(f.run(f.objects->activate({"org", "model", "i"})).is_ok());
  BOOST_TEST((f.items(kCar1) == Items{"update:i"}));
}

BOOST_AUTO_TEST_CASE(deleting_a_delivered_object_asks_the_holders_and_ends_when_they_confirm) {
  Fixture f;
  f.register_node(kCar1);
  f.register_node(kCar2);
  f.publish("d", "car", "");
  BOOST_REQUIRE(f.ack(kCar1, "d", "received").is_ok());  // c1 holds it; c2 never fetched it
  BOOST_REQUIRE(f.run(f.objects->delete_object({"org", "model", "d"})).is_ok());
  BOOST_TEST(f.objects->get_object({"org", "model", "d"}).status().code() == StatusCode::kNotFound);
  BOOST_TEST((f.items(kCar1) == Items{"delete:d"}));
  BOOST_TEST(f.items(kCar2).empty());
  BOOST_TEST(f.ack(kCar1, "d", "ackDelete").is_ok());
  BOOST_TEST(f.items(kCar1).empty());
  BOOST_TEST(f.store->get_object({"org", "model", "d"}).is_ok());  // still awaiting the confirmation
  BOOST_TEST(f.ack(kCar1, "d", "deleted").is_ok());
  BOOST_TEST(f.store->get_object({"org", "model", "d"}).status().code() == StatusCode::kNotFound);
  BOOST_TEST(f.store->list_deliveries({"org", "model", "d"})->empty());
}

BOOST_AUTO_TEST_CASE(deleting_an_object_nobody_received_removes_it_at_once) {
  Fixture f;
  f.register_node(kCar1);
  f.publish("gone", "car", "c1");
  BOOST_REQUIRE(f.run(f.objects->delete_object({"org", "model", "gone"})).is_ok());
  BOOST_TEST(f.store->get_object({"org", "model", "gone"}).status().code() == StatusCode::kNotFound);
  BOOST_TEST(f.items(kCar1).empty());
}

BOOST_AUTO_TEST_CASE(a_copy_acknowledged_after_the_delete_is_deleted_at_the_node_too) {
  Fixture f;
  f.register_node(kCar1);
  f.publish("late", "car", "c1");
  const int64_t instance = f.instance("late");
  const ResourceKey key{"org", "model", "late"};
  // c1 fetched it, but its acknowledgement arrives only after the delete (which saw no holder).
  BOOST_REQUIRE(f.run(f.objects->delete_object(key)).is_ok());
  BOOST_TEST(f.store->list_deliveries(key)->empty());
  BOOST_TEST(f.run(f.sync->notification(kCar1, key, instance, instance, "received", "")).is_ok());
  BOOST_TEST((f.items(kCar1) == Items{"delete:late"}));
  BOOST_TEST(f.run(f.sync->notification(kCar1, key, instance, instance, "ackDelete", "")).is_ok());
  BOOST_TEST(f.items(kCar1).empty());
  BOOST_TEST(f.run(f.sync->notification(kCar1, key, instance, instance, "deleted", "")).is_ok());
  BOOST_TEST(f.store->list_deliveries(key)->empty());
  // An acknowledgement for an object the cloud still has but does not deliver to the node: ignored.
  f.publish("other", "car", "c2");
  const int64_t other = f.instance("other");
  BOOST_TEST(f.run(f.sync->notification(kCar1, {"org", "model", "other"}, other, other, "received", "")).code() ==
             StatusCode::kConflict);
}

BOOST_AUTO_TEST_CASE(a_node_registering_later_gets_what_targets_it_and_resend_skips_consumed) {
  Fixture f;
  f.publish("a", "car", "");
  f.publish("b", "car", "c1");
  f.publish("c", "bus", "");
  BOOST_TEST(f.status_of("b", kCar1) == "pending");  // named, not yet registered
  f.register_node(kCar1);
  BOOST_TEST((f.items(kCar1) == Items{"update:a", "update:b"}));
  BOOST_REQUIRE(f.ack(kCar1, "a", "received").is_ok());
  BOOST_REQUIRE(f.ack(kCar1, "b", "consumed").is_ok());
  BOOST_TEST(f.items(kCar1).empty());
  BOOST_TEST(f.run(f.sync->resend(kCar1)).is_ok());
  BOOST_TEST((f.items(kCar1) == Items{"update:a"}));  // MMS would re-send the consumed b too
}

BOOST_AUTO_TEST_CASE(autodelete_expires_the_object_once_every_destination_consumed_it) {
  Fixture f;
  f.register_node(kCar1);
  f.publish("auto", "car", "c1", false, true);
  BOOST_REQUIRE(f.ack(kCar1, "auto", "consumed").is_ok());
  BOOST_TEST(!f.store->get_object({"org", "model", "auto"})->metadata.expiration.empty());
}

BOOST_AUTO_TEST_CASE(an_edge_object_comes_up_and_its_consumption_goes_back_down) {
  Fixture f;
  f.register_node(kCar1);
  ObjectMetadata meta;
  meta.object_type = "stats";
  meta.object_id = "s";
  meta.instance_id = 42;
  meta.data_id = 42;
  meta.object_size = 5;
  const ResourceKey key{"org", "stats", "s"};
  BOOST_REQUIRE(f.run(f.sync->notification(kCar1, key, 42, 42, "update", metadata_to_text(meta, false))).is_ok());
  auto copy = f.store->get_object(key);
  BOOST_TEST(copy->status == ObjectStatus::kPartiallyReceived);
  BOOST_TEST(copy->metadata.origin_id == "c1");
  BOOST_TEST(copy->metadata.owner_id == "org/c1");
  auto offset = std::make_shared<size_t>(0);
  BodyReader body = [offset](std::span<char> buffer) -> asio::awaitable<Result<size_t>> {
    const std::string bytes = "hello";
    const size_t n = std::min(buffer.size(), bytes.size() - *offset);
    std::copy_n(bytes.data() + *offset, n, buffer.data());
    *offset += n;
    co_return n;
  };
  // Only the object's origin may send its data.
  BOOST_TEST((f.run(f.sync->receive_data(kCar2, key, 42, std::nullopt, body)).code() == StatusCode::kForbidden));
  BOOST_TEST(f.run(f.sync->receive_data(kCar1, key, 42, std::nullopt, body)).is_ok());
  BOOST_TEST(f.store->get_object(key)->status == ObjectStatus::kCompletelyReceived);
  BOOST_REQUIRE(f.run(f.objects->mark(key, Mark::kConsumed)).is_ok());
  BOOST_TEST(f.store->get_object(key).status().code() == StatusCode::kNotFound);
  BOOST_TEST((f.items(kCar1) == Items{"consumed:s"}));
  BOOST_TEST(f.run(f.sync->notification(kCar1, key, 42, 42, "ackconsumed", "")).is_ok());
  BOOST_TEST(f.items(kCar1).empty());
}

BOOST_AUTO_TEST_CASE(a_status_snapshot_repairs_lost_acknowledgements_and_names_what_is_gone) {
  Fixture f;
  f.register_node(kCar1);
  f.publish("lost", "car", "c1");
  BOOST_REQUIRE(f.ack(kCar1, "lost", "received").is_ok());
  std::vector<NodeObjectStatus> snapshot = {{{"org", "model", "lost"}, f.instance("lost"), "consumed"},
                                            {{"org", "model", "unknown"}, 1, "completelyReceived"}};
  auto gone = f.run(f.sync->apply_status_snapshot(kCar1, snapshot));
  BOOST_REQUIRE(gone.is_ok());
  BOOST_TEST(f.status_of("lost", kCar1) == "consumed");
  BOOST_REQUIRE(gone->size() == 1u);
  BOOST_TEST(gone->front().object_id == "unknown");
}

BOOST_AUTO_TEST_CASE(changing_destinations_adds_and_withdraws_nodes) {
  Fixture f;
  f.register_node(kCar1);
  f.register_node(kCar2);
  f.publish("p", "car", "c1");
  BOOST_REQUIRE(f.ack(kCar1, "p", "received").is_ok());
  BOOST_REQUIRE(
      f.run(f.sync->change_destinations({"org", "model", "p"}, CloudSync::DestinationsChange::kReplace, {"car:c2"}))
          .is_ok());
  BOOST_TEST((f.items(kCar2) == Items{"update:p"}));
  BOOST_TEST((f.items(kCar1) == Items{"delete:p"}));  // it held a copy: told to delete it
  BOOST_TEST(
      (f.run(f.sync->change_destinations({"org", "model", "p"}, CloudSync::DestinationsChange::kAdd, {"bad entry"}))
           .code() == StatusCode::kInvalidArgument));
}
