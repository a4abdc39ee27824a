// The metamanager's operations, one by one (design/METAMANAGER.md's table; reference/metamanager.md §5),
// against a real SQLite store and data directory, with a fake cloud link and application notifier.
#define BOOST_TEST_MODULE meta_manager_test
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <mutex>
#include <random>

#include "common/metadata_codec.hpp"
#include "server/metamanager/meta_manager.hpp"
#include "tests/unit/objects/node_storage.hpp"

using namespace edgesync;
using namespace edgesync::meta;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace edgesync {
// Readable failures in BOOST_TEST.
std::ostream& operator<<(std::ostream& out, ObjectStatus status) {
  return out << to_string(status);
}
std::ostream& operator<<(std::ostream& out, StatusCode code) {
  return out << static_cast<int>(code);
}
}  // namespace edgesync

namespace {

const Identity kApp{Role::kAdmin, "myorg", "app", "", ""};
const NodeAddress kCloud{"myorg", "Cloud", "Cloud"};

class FakeLink final : public CloudLink {
 public:
  void outbox_changed() override { ++outbox_pokes; }
  void request_resend() override { ++resends; }
  void fetch_data(const ResourceKey& key) override { fetches.push_back(key); }
  asio::awaitable<Result<ObjectMetadata>> remote_query(const ResourceKey& key) override {
    queried.push_back(key);
    co_return remote_answer;
  }
  asio::awaitable<Result<std::vector<ResourceKey>>> send_status_snapshot(const nlohmann::json& snapshot) override {
    snapshots.push_back(snapshot);
    co_return gone;
  }
  int outbox_pokes = 0;
  int resends = 0;
  std::vector<ResourceKey> fetches;
  std::vector<ResourceKey> queried;
  Result<ObjectMetadata> remote_answer = Status::not_found();
  std::vector<nlohmann::json> snapshots;
  std::vector<ResourceKey> gone;
};

class FakeApps final : public AppNotifier {
 public:
  void object_available(const StoredObject& object) override {
    std::lock_guard lock(mutex);
    told.push_back(object.metadata.object_id + (object.metadata.deleted ? ":deleted" : ""));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return told;
  }
  std::mutex mutex;
  std::vector<std::string> told;
};

struct Fixture : edgesync::test::NodeStorage {
  asio::io_context io;
  EdgeRouter router{"myorg"};
  std::unique_ptr<ObjectService> objects;
  std::unique_ptr<MetaManager> meta;
  FakeLink link;
  FakeApps apps;

  Fixture() : NodeStorage("meta-manager") {
    ObjectService::Options options{NodeIdentity{NodeMode::kEdge, "myorg", "car", "e1"}, 5 * 1024 * 1024};
    options.observer = &router;
    objects = std::make_unique<ObjectService>(*store, *data_files, blocking, options);
    meta = std::make_unique<MetaManager>(io.get_executor(), *objects, *store, router, MetaManager::Options{});
    meta->set_cloud_link(&link);
    router.set_app_notifier(&apps);
  }

  template <class T>
  T run(asio::awaitable<T> work) {
    return edgesync::test::run_to_completion(io, std::move(work));
  }

  void connect(bool connected) {
    meta->node_connection(connected);
    io.restart();
    io.run();
    BOOST_REQUIRE(meta->connected() == connected);
  }

  // What the edge owes the cloud for the object ("" when nothing).
  std::string outbox(const std::string& id) {
    auto row = store->list_deliveries_to(kCloud, false);
    BOOST_REQUIRE(row.is_ok());
    for (const auto& delivery : *row) {
      if (delivery.key.object_id == id) return delivery.pending;
    }
    return "<no record>";
  }

  Result<StoredObject> get(const std::string& type, const std::string& id) {
    return store->get_object({"myorg", type, id});
  }
};

// Metadata as an edge application PUTs it: a "stats" object without data.
ObjectMetadata app_object(const std::string& id) {
  ObjectMetadata meta;
  meta.object_id = id;
  meta.object_type = "stats";
  meta.no_data = true;
  return meta;
}

// Metadata as the cloud sends it in a poll item.
ObjectMetadata cloud_object(const std::string& id, int64_t instance, int64_t size, bool no_data = false) {
  ObjectMetadata meta;
  meta.object_id = id;
  meta.object_type = "model";
  meta.destination_org_id = "myorg";
  meta.destination_type = "car";
  meta.destination_id = "e1";
  meta.origin_type = "Cloud";
  meta.origin_id = "Cloud";
  meta.instance_id = instance;
  meta.data_id = no_data ? 0 : instance;
  meta.object_size = size;
  meta.no_data = no_data;
  return meta;
}

StoredData write_data(Fixture& f, const std::string& id, const std::string& bytes) {
  auto writer = f.data_files->create({"myorg", "model", id});
  BOOST_REQUIRE(writer.is_ok());
  BOOST_REQUIRE((*writer)->append(bytes).is_ok());
  auto done = (*writer)->finish();
  BOOST_REQUIRE(done.is_ok());
  return {done->file_name, done->size, done->sha256};
}

BodyReader body_of(std::string bytes) {
  auto shared = std::make_shared<std::string>(std::move(bytes));
  auto offset = std::make_shared<size_t>(0);
  return [shared, offset](std::span<char> buffer) -> asio::awaitable<Result<size_t>> {
    const size_t n = std::min(buffer.size(), shared->size() - *offset);
    std::copy_n(shared->data() + *offset, n, buffer.data());
    *offset += n;
    co_return n;
  };
}

}  // namespace

// ---- insert / update from the cloud ---------------------------------------------------------

BOOST_AUTO_TEST_CASE(insert_from_the_cloud_stores_fetches_then_tells_applications_and_answers_received) {
  Fixture f;
  auto outcome = f.run(f.meta->cloud_update(cloud_object("m1", 100, 5)));
  BOOST_REQUIRE(outcome.is_ok());
  BOOST_TEST((*outcome == ReceiveOutcome::kNeedsData));
  BOOST_TEST(f.get("model", "m1")->status == ObjectStatus::kPartiallyReceived);
  BOOST_REQUIRE(f.link.fetches.size() == 1u);  // the uplink is asked for the data
  BOOST_TEST(f.apps.snapshot().empty());       // nobody hears of it before it is complete

  BOOST_TEST(f.run(f.meta->cloud_data({"myorg", "model", "m1"}, 100, write_data(f, "m1", "hello"))).is_ok());
  BOOST_TEST(f.get("model", "m1")->status == ObjectStatus::kCompletelyReceived);
  BOOST_TEST(f.outbox("m1") == "received");
  BOOST_TEST(f.link.outbox_pokes >= 1);
  BOOST_TEST((f.apps.snapshot() == std::vector<std::string>{"m1"}));
}

BOOST_AUTO_TEST_CASE(an_unchanged_update_is_acknowledged_without_dispatching_it_again) {
  Fixture f;
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("n1", 100, 0, true))).is_ok());
  BOOST_TEST(f.apps.snapshot().size() == 1u);
  BOOST_TEST(f.run(f.meta->send(Message::make(module::kApp, op::kResponse, "myorg/model/n1", {{"mark", "received"}})))
                 .status()
                 .is_ok());
  // The same metadata again under a new instanceID (e.g. a resend): stored and acknowledged, not re-dispatched.
  auto outcome = f.run(f.meta->cloud_update(cloud_object("n1", 101, 0, true)));
  BOOST_REQUIRE(outcome.is_ok());
  BOOST_TEST(f.apps.snapshot().size() == 1u);
  BOOST_TEST(f.router.unchanged_updates() == 1u);
  BOOST_TEST(f.get("model", "n1")->status == ObjectStatus::kReceived);  // the application's state is kept
  BOOST_TEST(f.get("model", "n1")->metadata.instance_id == 101);
  BOOST_TEST(f.outbox("n1") == "received");
  // The very same version again: nothing at all.
  BOOST_TEST((*f.run(f.meta->cloud_update(cloud_object("n1", 101, 0, true))) == ReceiveOutcome::kUnchanged));
  // A real change is dispatched.
  auto changed = cloud_object("n1", 102, 0, true);
  changed.description = "new";
  BOOST_REQUIRE(f.run(f.meta->cloud_update(changed)).is_ok());
  BOOST_TEST(f.apps.snapshot().size() == 2u);
}

BOOST_AUTO_TEST_CASE(new_data_with_the_same_hash_is_not_dispatched_again) {
  Fixture f;
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("d1", 100, 4))).is_ok());
  BOOST_REQUIRE(f.run(f.meta->cloud_data({"myorg", "model", "d1"}, 100, write_data(f, "d1", "same"))).is_ok());
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("d1", 200, 4))).is_ok());
  BOOST_REQUIRE(f.run(f.meta->cloud_data({"myorg", "model", "d1"}, 200, write_data(f, "d1", "same"))).is_ok());
  BOOST_TEST(f.apps.snapshot().size() == 1u);
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("d1", 300, 4))).is_ok());
  BOOST_REQUIRE(f.run(f.meta->cloud_data({"myorg", "model", "d1"}, 300, write_data(f, "d1", "diff"))).is_ok());
  BOOST_TEST(f.apps.snapshot().size() == 2u);
}

BOOST_AUTO_TEST_CASE(stale_versions_and_data_of_a_replaced_version_are_ignored) {
  Fixture f;
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("s1", 200, 3))).is_ok());
  BOOST_TEST((*f.run(f.meta->cloud_update(cloud_object("s1", 100, 3))) == ReceiveOutcome::kStale));
  Status late = f.run(f.meta->cloud_data({"myorg", "model", "s1"}, 100, write_data(f, "s1", "old")));
  BOOST_TEST((late.code() == StatusCode::kConflict));
  BOOST_TEST(f.get("model", "s1")->status == ObjectStatus::kPartiallyReceived);
}

// ---- update from an application -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_application_update_is_stored_then_queued_for_the_cloud_and_unchanged_ones_cost_nothing) {
  Fixture f;
  ObjectMetadata meta = app_object("e1obj");
  BOOST_TEST(f.run(f.meta->app_put_object({"myorg", "stats", "e1obj"}, meta, std::nullopt, kApp)).is_ok());
  auto stored = f.get("stats", "e1obj");
  BOOST_REQUIRE(stored.is_ok());
  BOOST_TEST(stored->originated_here);
  BOOST_TEST(f.outbox("e1obj") == "update");
  const int64_t instance = stored->metadata.instance_id;
  const int pokes = f.link.outbox_pokes;
  // The same again: no new version, nothing for the cloud.
  BOOST_TEST(f.run(f.meta->app_put_object({"myorg", "stats", "e1obj"}, meta, std::nullopt, kApp)).is_ok());
  BOOST_TEST(f.get("stats", "e1obj")->metadata.instance_id == instance);
  BOOST_TEST(f.link.outbox_pokes == pokes);
  meta.description = "changed";
  BOOST_TEST(f.run(f.meta->app_put_object({"myorg", "stats", "e1obj"}, meta, std::nullopt, kApp)).is_ok());
  BOOST_TEST(f.get("stats", "e1obj")->metadata.instance_id > instance);
  BOOST_TEST(f.link.outbox_pokes > pokes);
}

// The shortcut for an unchanged update comes after the object PUT rules: a PUT the cloud would refuse is
// refused here too, even when it repeats what is stored (deleted is not user metadata to the shortcut).
BOOST_AUTO_TEST_CASE(an_application_update_is_checked_before_it_is_found_unchanged) {
  Fixture f;
  ObjectMetadata meta = app_object("e1obj");
  BOOST_REQUIRE(f.run(f.meta->app_put_object({"myorg", "stats", "e1obj"}, meta, std::nullopt, kApp)).is_ok());
  const int64_t instance = f.get("stats", "e1obj")->metadata.instance_id;

  ObjectMetadata deleted = meta;
  deleted.deleted = true;
  Status refused = f.run(f.meta->app_put_object({"myorg", "stats", "e1obj"}, deleted, std::nullopt, kApp));
  BOOST_TEST(refused.code() == StatusCode::kInvalidArgument);
  BOOST_TEST(refused.field() == "deleted");

  ObjectMetadata unnamed = meta;
  unnamed.object_id.clear();
  refused = f.run(f.meta->app_put_object({"myorg", "stats", "e1obj"}, unnamed, std::nullopt, kApp));
  BOOST_TEST(refused.code() == StatusCode::kInvalidArgument);
  BOOST_TEST(refused.field() == "objectID");

  ObjectMetadata other = meta;
  other.object_id = "another";
  refused = f.run(f.meta->app_put_object({"myorg", "stats", "e1obj"}, other, std::nullopt, kApp));
  BOOST_TEST(refused.code() == StatusCode::kInvalidArgument);
  BOOST_TEST(f.get("stats", "e1obj")->metadata.instance_id == instance);  // nothing stored changed
}

BOOST_AUTO_TEST_CASE(an_application_object_with_data_is_queued_once_its_data_is_there) {
  Fixture f;
  ObjectMetadata meta;
  meta.object_id = "withdata";
  meta.object_type = "stats";
  const ResourceKey key{"myorg", "stats", "withdata"};
  BOOST_TEST(f.run(f.meta->app_put_object(key, meta, std::nullopt, kApp)).is_ok());
  BOOST_TEST(f.outbox("withdata") == "<no record>");  // not ready: the cloud hears nothing yet
  BOOST_TEST(f.run(f.meta->app_put_data(key, std::nullopt, body_of("payload"))).is_ok());
  BOOST_TEST(f.outbox("withdata") == "update");
}

// ---- delete ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_cloud_delete_marks_the_copy_tells_applications_and_answers_ack_delete) {
  Fixture f;
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("x", 100, 0, true))).is_ok());
  BOOST_TEST(f.run(f.meta->cloud_delete({"myorg", "model", "x"})).is_ok());
  auto copy = f.get("model", "x");
  BOOST_TEST(copy->status == ObjectStatus::kDeleted);
  BOOST_TEST(copy->metadata.deleted);
  BOOST_TEST(f.outbox("x") == "ackDelete");
  BOOST_TEST((f.apps.snapshot() == std::vector<std::string>{"x", "x:deleted"}));
  // The application confirms: the copy goes and `deleted` (with the metadata) is queued.
  BOOST_TEST(f.run(f.meta->app_mark({"myorg", "model", "x"}, Mark::kDeleted)).is_ok());
  BOOST_TEST(f.get("model", "x").status().code() == StatusCode::kNotFound);
  BOOST_TEST(f.outbox("x") == "deleted");
  auto rows = f.store->list_deliveries_to(kCloud, true);
  BOOST_REQUIRE(rows->size() == 1u);
  BOOST_TEST(parse_metadata(rows->front().metadata_json)->object_id == "x");
}

BOOST_AUTO_TEST_CASE(deleting_an_own_object_the_cloud_never_heard_of_removes_it_at_once) {
  Fixture f;
  ObjectMetadata meta = app_object("local");
  const ResourceKey key{"myorg", "stats", "local"};
  BOOST_REQUIRE(f.run(f.meta->app_put_object(key, meta, std::nullopt, kApp)).is_ok());
  BOOST_TEST(f.run(f.meta->app_delete(key)).is_ok());
  BOOST_TEST(f.get("stats", "local").status().code() == StatusCode::kNotFound);
  BOOST_TEST(f.outbox("local") == "<no record>");
}

BOOST_AUTO_TEST_CASE(deleting_an_own_object_the_cloud_has_waits_for_the_clouds_confirmation) {
  Fixture f;
  ObjectMetadata meta = app_object("sent");
  const ResourceKey key{"myorg", "stats", "sent"};
  BOOST_REQUIRE(f.run(f.meta->app_put_object(key, meta, std::nullopt, kApp)).is_ok());
  const int64_t instance = f.get("stats", "sent")->metadata.instance_id;
  BOOST_REQUIRE(f.run(f.meta->cloud_response(key, "update", instance)).is_ok());  // the cloud acknowledged it
  BOOST_TEST(f.outbox("sent") == "");
  BOOST_TEST(f.run(f.meta->app_delete(key)).is_ok());
  BOOST_TEST(f.get("stats", "sent")->status == ObjectStatus::kDeleted);
  BOOST_TEST(f.outbox("sent") == "delete");
  BOOST_TEST(f.run(f.meta->cloud_item(key, "deleted", instance)).is_ok());  // the cloud's `deleted` item
  BOOST_TEST(f.get("stats", "sent").status().code() == StatusCode::kNotFound);
  BOOST_TEST(f.outbox("sent") == "<no record>");
}

// ---- query ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_query_is_answered_from_the_store_without_asking_the_cloud) {
  Fixture f;
  f.connect(true);
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("q", 100, 0, true))).is_ok());
  auto answer = f.run(f.meta->app_query({"myorg", "model", "q"}));
  BOOST_REQUIRE(answer.is_ok());
  BOOST_TEST(answer->metadata.instance_id == 100);
  BOOST_TEST(f.link.queried.empty());
}

BOOST_AUTO_TEST_CASE(a_local_miss_while_connected_asks_the_cloud_and_stores_the_answer) {
  Fixture f;
  f.connect(true);
  f.link.remote_answer = cloud_object("remote", 500, 10);
  auto answer = f.run(f.meta->app_query({"myorg", "model", "remote"}));
  BOOST_REQUIRE(answer.is_ok());
  BOOST_TEST(answer->metadata.instance_id == 500);
  BOOST_TEST(f.link.queried.size() == 1u);
  BOOST_TEST(f.get("model", "remote")->status == ObjectStatus::kPartiallyReceived);  // stored; data follows
  BOOST_TEST(f.link.fetches.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_remote_miss_is_a_404_and_a_remote_failure_a_503) {
  Fixture f;
  f.connect(true);
  auto missing = f.run(f.meta->app_query({"myorg", "model", "nowhere"}));
  BOOST_TEST((missing.status().code() == StatusCode::kNotFound));
  f.link.remote_answer = Status::unavailable("connection refused");
  auto failed = f.run(f.meta->app_query({"myorg", "model", "nowhere"}));
  BOOST_TEST((failed.status().code() == StatusCode::kUnavailable));
  BOOST_TEST(failed.status().message().find("connection refused") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_local_miss_while_disconnected_is_a_404_without_asking) {
  Fixture f;
  f.connect(false);
  auto missing = f.run(f.meta->app_query({"myorg", "model", "offline"}));
  BOOST_TEST((missing.status().code() == StatusCode::kNotFound));
  BOOST_TEST(f.link.queried.empty());
}

// ---- response -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_consumed_mark_goes_up_and_the_copy_goes_when_the_cloud_acknowledges) {
  Fixture f;
  const ResourceKey key{"myorg", "model", "c"};
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("c", 100, 0, true))).is_ok());
  BOOST_REQUIRE(f.run(f.meta->cloud_response(key, "received", 100)).is_ok());
  BOOST_TEST(f.outbox("c") == "");
  BOOST_TEST(f.run(f.meta->app_mark(key, Mark::kConsumed)).is_ok());
  BOOST_TEST(f.get("model", "c")->status == ObjectStatus::kConsumed);
  BOOST_TEST(f.outbox("c") == "consumed");
  BOOST_TEST(f.run(f.meta->cloud_response(key, "consumed", 100)).is_ok());
  BOOST_TEST(f.get("model", "c").status().code() == StatusCode::kNotFound);
  BOOST_TEST(f.outbox("c") == "");  // the status record stays, with nothing owed
}

BOOST_AUTO_TEST_CASE(an_acknowledgement_of_an_older_notification_leaves_a_newer_one_queued) {
  Fixture f;
  const ResourceKey key{"myorg", "model", "r"};
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("r", 100, 0, true))).is_ok());
  BOOST_REQUIRE(f.run(f.meta->app_mark(key, Mark::kConsumed)).is_ok());
  BOOST_TEST(f.run(f.meta->cloud_response(key, "received", 100)).is_ok());
  BOOST_TEST(f.outbox("r") == "consumed");
}

BOOST_AUTO_TEST_CASE(the_cloud_consuming_an_own_object_leaves_it_consumed_by_destination) {
  Fixture f;
  ObjectMetadata meta = app_object("mine");
  const ResourceKey key{"myorg", "stats", "mine"};
  BOOST_REQUIRE(f.run(f.meta->app_put_object(key, meta, std::nullopt, kApp)).is_ok());
  BOOST_TEST(f.run(f.meta->cloud_item(key, "consumed", 1)).is_ok());
  BOOST_TEST(f.get("stats", "mine")->status == ObjectStatus::kConsumedByDestination);
}

// ---- nodeconnection and metasync ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(node_connection_toggles_the_connected_state) {
  Fixture f;
  BOOST_TEST(!f.meta->connected());
  f.connect(true);
  f.connect(false);
  f.connect(true);
}

BOOST_AUTO_TEST_CASE(metasync_reports_every_status_and_prunes_records_the_cloud_no_longer_knows) {
  Fixture f;
  f.connect(true);
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("kept", 100, 0, true))).is_ok());
  BOOST_REQUIRE(f.run(f.meta->cloud_update(cloud_object("done", 200, 0, true))).is_ok());
  const ResourceKey done{"myorg", "model", "done"};
  BOOST_REQUIRE(f.run(f.meta->app_mark(done, Mark::kConsumed)).is_ok());
  BOOST_REQUIRE(f.run(f.meta->cloud_response(done, "consumed", 200)).is_ok());  // copy gone, record kept

  f.link.gone = {done, {"myorg", "model", "kept"}};  // "kept" is still held here: never pruned
  BOOST_TEST(f.run(f.meta->metasync()).is_ok());
  BOOST_REQUIRE(f.link.snapshots.size() == 1u);
  std::map<std::string, std::string> reported;
  for (const auto& entry : f.link.snapshots[0]["objects"]) reported[entry["objectID"]] = entry["status"];
  BOOST_TEST(reported["kept"] == "completelyReceived");
  BOOST_TEST(reported["done"] == "consumed");
  BOOST_TEST(f.outbox("done") == "<no record>");  // pruned
  BOOST_TEST(f.outbox("kept") == "received");     // untouched
  BOOST_TEST(f.meta->metasyncs() == 1u);
}

BOOST_AUTO_TEST_CASE(metasync_while_disconnected_is_refused_clearly) {
  Fixture f;
  Status status = f.run(f.meta->metasync());
  BOOST_TEST((status.code() == StatusCode::kUnavailable));
  BOOST_TEST(f.link.snapshots.empty());
}

// ---- failures -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(store_failures_come_back_as_error_messages) {
  Fixture f;
  f.store->close();
  Message reply = f.run(f.meta->send(Message::make(module::kCloud, op::kUpdate, "myorg/model/z",
                                                   {{"metadata", metadata_to_json(cloud_object("z", 1, 0))}})));
  BOOST_TEST(reply.is_error());
  BOOST_TEST((reply.status().code() == StatusCode::kUnavailable));
}

BOOST_AUTO_TEST_CASE(unknown_operations_and_bad_resources_are_refused) {
  Fixture f;
  BOOST_TEST(f.run(f.meta->send(Message::make(module::kApp, "explode", "myorg/model/z"))).is_error());
  BOOST_TEST(f.run(f.meta->send(Message::make(module::kApp, op::kUpdate, "myorg/model"))).is_error());
  Message bad = f.run(f.meta->send(Message::make(module::kCloud, op::kUpdate, "myorg/model/z", {{"metadata", 5}})));
  BOOST_TEST(bad.is_error());
}
