// The Store contract, run against every backend: this source builds into store_test_sqlite and
// store_test_postgres (store_backend.hpp picks the backend; the module is in store_test_main.cpp).
// Tests of one backend's own files and schema stay in sqlite_store_test / postgres_store_test.
#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "tests/unit/store/store_backend.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::make_object;
using edgesync::test::open_store;
using edgesync::test::ScratchStore;
using edgesync::test::WriterGate;

namespace {

Status put(Store& store, const StoredObject& object) {
  return store.write([&](WriteTransaction& transaction) { return transaction.put_object(object); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(acl_entries_and_organizations_round_trip) {
  ScratchStore dir;
  auto store = open_store(dir);
  auto write = [&](std::function<Status(WriteTransaction&)> body) { return store->write(std::move(body)); };
  const AclEntry reader{AclKind::kObjects, "org", "t", "carol", "user", "aclReader"};
  const AclEntry all_types{AclKind::kObjects, "org", "", "*", "user", "aclWriter"};
  const AclEntry destination{AclKind::kDestinations, "org", "cam", "carol", "user", "na"};
  const AclEntry elsewhere{AclKind::kObjects, "other", "t", "carol", "user", "aclReader"};
  BOOST_REQUIRE(write([&](WriteTransaction& t) {
                  for (const auto& entry : {reader, all_types, destination, elsewhere}) (void)t.put_acl_entry(entry);
                  return t.put_organization(Organization{"org", "broker", 5});
                }).is_ok());
  BOOST_TEST((*store->list_acl(AclKind::kObjects, "org", std::string("t")) == std::vector<AclEntry>{reader}));
  BOOST_TEST((*store->list_acl(AclKind::kObjects, "org", std::nullopt) == std::vector<AclEntry>{all_types, reader}));
  BOOST_TEST((*store->list_acl(AclKind::kDestinations, "org", std::nullopt) == std::vector<AclEntry>{destination}));
  BOOST_TEST((*store->list_organizations() == std::vector<Organization>{Organization{"org", "broker", 5}}));
  // Replacing keeps one row per member; deleting a non-member says so.
  AclEntry writer = reader;
  writer.role = "aclWriter";
  BOOST_REQUIRE(write([&](WriteTransaction& t) { return t.put_acl_entry(writer); }).is_ok());
  BOOST_TEST((*store->list_acl(AclKind::kObjects, "org", std::string("t")) == std::vector<AclEntry>{writer}));
  BOOST_TEST((write([&](WriteTransaction& t) { return t.delete_acl_entry(destination); }).is_ok()));
  BOOST_TEST(
      (write([&](WriteTransaction& t) { return t.delete_acl_entry(destination); }).code() == StatusCode::kNotFound));
  // Deleting the org takes its objects and ACLs, not another org's.
  BOOST_REQUIRE(put(*store, make_object("org", "t", "o1")).is_ok());
  BOOST_REQUIRE(put(*store, make_object("other", "t", "o1")).is_ok());
  std::vector<std::string> files;
  BOOST_REQUIRE(write([&](WriteTransaction& t) { return t.delete_organization("org", files); }).is_ok());
  BOOST_TEST(!store->get_object({"org", "t", "o1"}).is_ok());
  BOOST_TEST(store->get_object({"other", "t", "o1"}).is_ok());
  BOOST_TEST(store->list_acl(AclKind::kObjects, "org", std::nullopt)->empty());
  BOOST_TEST(store->list_organizations()->empty());
  BOOST_TEST((*store->list_acl(AclKind::kObjects, "other", std::nullopt) == std::vector<AclEntry>{elsewhere}));
  store->close();
}

BOOST_AUTO_TEST_CASE(objects_round_trip_every_field) {
  ScratchStore dir;
  auto store = open_store(dir);
  StoredObject object = make_object("org", "type", "id");
  ObjectMetadata& meta = object.metadata;
  meta.destination_id = "node1";
  meta.destination_type = "gateway";
  meta.version = "1.0";
  meta.description = "a model";
  meta.destinations_list = std::vector<std::string>{"a:b", "c:d"};
  meta.expiration = "2030-01-01T00:00:00Z";
  meta.inactive = true;
  meta.activation_time = "2029-06-01T12:00:00Z";
  meta.consumers = 4;
  meta.autodelete = true;
  meta.origin_id = "cloud";
  meta.origin_type = "cloud";
  meta.instance_id = 77;
  meta.data_id = 78;
  meta.object_size = 1234;
  meta.hash_algorithm = "SHA256";
  meta.owner_references = {OwnerReference{"parentType", "parent", true}};
  object.status = ObjectStatus::kPartiallyReceived;
  object.originated_here = false;
  object.remaining_consumers = 3;
  object.remaining_receivers = 2;
  object.data_file = "abc-123";
  object.data_sha256 = "00ff";
  object.updated_at_ms = 123456;
  BOOST_TEST(put(*store, object).is_ok());
  auto read = store->get_object({"org", "type", "id"});
  BOOST_REQUIRE(read.is_ok());
  BOOST_TEST((*read == object));
  StoredObject inside;  // and through a write, on the writer's connection
  BOOST_TEST(store
                 ->write([&](WriteTransaction& t) {
                   auto found = t.get_object({"org", "type", "id"});
                   if (found) inside = *found;
                   return found.status();
                 })
                 .is_ok());
  BOOST_TEST((inside == object));
  BOOST_TEST((store->get_object({"org", "type", "other"}).status().code() == StatusCode::kNotFound));
  BOOST_TEST(*store->count_objects() == 1);

  object.status = ObjectStatus::kCompletelyReceived;
  BOOST_TEST(put(*store, object).is_ok());  // replace
  BOOST_TEST((store->get_object({"org", "type", "id"})->status == ObjectStatus::kCompletelyReceived));
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.delete_object({"org", "type", "id"}); }).is_ok());
  BOOST_TEST((store->write([](WriteTransaction& t) {
                     return t.delete_object({"org", "type", "id"});
                   })
                  .code() == StatusCode::kNotFound));
  BOOST_TEST(*store->count_objects() == 0);
}

BOOST_AUTO_TEST_CASE(every_status_round_trips_and_survives_a_restart) {
  ScratchStore dir;
  const std::vector<ObjectStatus> statuses = {ObjectStatus::kNotReady,
                                              ObjectStatus::kVerifying,
                                              ObjectStatus::kVerificationFailed,
                                              ObjectStatus::kReady,
                                              ObjectStatus::kPartiallyReceived,
                                              ObjectStatus::kReceiverVerifying,
                                              ObjectStatus::kReceiverVerificationFailed,
                                              ObjectStatus::kCompletelyReceived,
                                              ObjectStatus::kReceived,
                                              ObjectStatus::kConsumed,
                                              ObjectStatus::kDeleted,
                                              ObjectStatus::kConsumedByDestination};
  std::vector<StoredObject> objects;
  {
    auto store = open_store(dir);
    for (size_t i = 0; i < statuses.size(); ++i) {
      objects.push_back(make_object("org", "t", "id" + std::to_string(10 + i)));
      objects.back().status = statuses[i];
      BOOST_TEST(put(*store, objects.back()).is_ok());
    }
  }  // destroyed without close(): the destructor closes
  auto store = open_store(dir);
  auto listed = store->list_objects({"org", std::nullopt, {}, std::nullopt});
  BOOST_REQUIRE(listed.is_ok());
  BOOST_TEST((*listed == objects));
}

BOOST_AUTO_TEST_CASE(list_filters) {
  ScratchStore dir;
  auto store = open_store(dir);
  auto received = make_object("org", "t1", "a");
  received.originated_here = false;
  received.status = ObjectStatus::kCompletelyReceived;
  BOOST_TEST(put(*store, received).is_ok());
  BOOST_TEST(put(*store, make_object("org", "t1", "b")).is_ok());
  BOOST_TEST(put(*store, make_object("org", "t2", "c")).is_ok());
  BOOST_TEST(put(*store, make_object("other", "t1", "d")).is_ok());
  auto ids = [&](const ObjectFilter& filter) {
    std::vector<std::string> result;
    auto listed = store->list_objects(filter);  // kept alive: the loop below borrows from it
    BOOST_REQUIRE(listed.is_ok());
    for (const auto& object : *listed) result.push_back(object.metadata.object_id);
    return result;
  };
  BOOST_TEST((ids({"org", std::nullopt, {}, std::nullopt}) == std::vector<std::string>{"a", "b", "c"}));
  BOOST_TEST((ids({"org", "t1", {}, std::nullopt}) == std::vector<std::string>{"a", "b"}));
  BOOST_TEST((ids({"org", "t1", {}, false}) == std::vector<std::string>{"a"}));
  BOOST_TEST((ids({"org", std::nullopt, {ObjectStatus::kReady}, std::nullopt}) == std::vector<std::string>{"b", "c"}));
  BOOST_TEST((ids({"org", std::nullopt, {}, true}) == std::vector<std::string>{"b", "c"}));
  BOOST_TEST((ids({"org", "t1", {ObjectStatus::kCompletelyReceived, ObjectStatus::kReady}, std::nullopt}) ==
              std::vector<std::string>{"a", "b"}));
  BOOST_TEST((ids({"org", "t1", {ObjectStatus::kCompletelyReceived, ObjectStatus::kReady}, false}) ==
              std::vector<std::string>{"a"}));
  BOOST_TEST(ids({"org", "t2", {ObjectStatus::kDeleted}, std::nullopt}).empty());
  BOOST_TEST(ids({"nobody", std::nullopt, {}, std::nullopt}).empty());
}

BOOST_AUTO_TEST_CASE(due_activations_and_expirations) {
  ScratchStore dir;
  auto store = open_store(dir);
  auto inactive = make_object("org", "t", "inactive");
  inactive.metadata.inactive = true;
  inactive.metadata.activation_time = "2027-01-15T08:00:10Z";
  auto expiring = make_object("org", "t", "expiring");
  expiring.metadata.expiration = "2027-01-15T08:00:20Z";
  auto active_with_time = make_object("org", "t", "active");
  active_with_time.metadata.activation_time = "2027-01-15T08:00:00Z";  // not inactive: nothing to do
  for (const auto& object : {inactive, expiring, active_with_time}) BOOST_TEST(put(*store, object).is_ok());
  const auto at = [](int seconds) { return std::chrono::system_clock::from_time_t(1800000000 + seconds); };
  BOOST_TEST(store->list_due_activations(at(9))->empty());
  BOOST_TEST(store->list_due_activations(at(10))->size() == 1u);
  BOOST_TEST(store->list_expired(at(19))->empty());
  auto expired = store->list_expired(at(20));
  BOOST_REQUIRE(expired.is_ok() && expired->size() == 1u);
  BOOST_TEST(expired->front().metadata.object_id == "expiring");

  // Once activated (or given an unreadable time) an object has no timer left.
  inactive.metadata.inactive = false;
  BOOST_TEST(put(*store, inactive).is_ok());
  expiring.metadata.expiration = "not a time";
  BOOST_TEST(put(*store, expiring).is_ok());
  BOOST_TEST(store->list_due_activations(at(1000))->empty());
  BOOST_TEST(store->list_expired(at(1000))->empty());
}

BOOST_AUTO_TEST_CASE(webhooks_add_remove_and_list) {
  ScratchStore dir;
  auto store = open_store(dir);
  auto add = [&](const char* type, const char* url) {
    return store->write([=](WriteTransaction& t) { return t.add_webhook("org", type, url); });
  };
  BOOST_TEST(add("t", "http://b").is_ok());
  BOOST_TEST(add("t", "http://a").is_ok());
  BOOST_TEST(add("t", "http://a").is_ok());  // twice is once
  BOOST_TEST(add("u", "http://c").is_ok());
  BOOST_TEST((*store->list_webhooks("org", "t") == std::vector<std::string>{"http://a", "http://b"}));
  BOOST_TEST((*store->list_webhooks("org", "u") == std::vector<std::string>{"http://c"}));
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.remove_webhook("org", "t", "http://a"); }).is_ok());
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.remove_webhook("org", "t", "http://a"); }).is_ok());
  BOOST_TEST((*store->list_webhooks("org", "t") == std::vector<std::string>{"http://b"}));
  BOOST_TEST(store->list_webhooks("org", "other")->empty());
  BOOST_TEST(store->list_webhooks("other", "t")->empty());
}

BOOST_AUTO_TEST_CASE(uploads_create_read_update_delete) {
  ScratchStore dir;
  auto store = open_store(dir);
  auto get = [&](const ResourceKey& key) {
    Result<UploadState> found = Status::internal("unset");
    (void)store->write([&](WriteTransaction& t) {
      found = t.get_upload(key);
      return Status::ok();
    });
    return found;
  };
  UploadState upload{{"org", "t", "i"}, "part-1", 100, 40, "[[0,39]]", 5};
  BOOST_TEST(store->write([&](WriteTransaction& t) { return t.put_upload(upload); }).is_ok());
  auto read = get({"org", "t", "i"});
  BOOST_REQUIRE(read.is_ok());
  BOOST_TEST((*read == upload));

  upload.received_bytes = 100;
  upload.received_ranges_json = "[[0,99]]";
  upload.updated_at_ms = 6;
  BOOST_TEST(store->write([&](WriteTransaction& t) { return t.put_upload(upload); }).is_ok());  // replace
  BOOST_TEST((*get({"org", "t", "i"}) == upload));
  auto read_outside = store->get_upload({"org", "t", "i"});  // the read path, outside any write
  BOOST_REQUIRE(read_outside.is_ok());
  BOOST_TEST((*read_outside == upload));
  BOOST_TEST((get({"org", "t", "other"}).status().code() == StatusCode::kNotFound));

  auto object = make_object("org", "t", "i");
  object.data_file = "data-1";
  BOOST_TEST(put(*store, object).is_ok());
  auto files = store->referenced_files();
  BOOST_REQUIRE(files.is_ok());
  std::sort(files->begin(), files->end());
  BOOST_TEST((*files == std::vector<std::string>{"data-1", "part-1"}));

  BOOST_TEST(store->write([](WriteTransaction& t) { return t.delete_upload({"org", "t", "i"}); }).is_ok());
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.delete_upload({"org", "t", "i"}); }).is_ok());
  BOOST_TEST((get({"org", "t", "i"}).status().code() == StatusCode::kNotFound));
  BOOST_TEST((store->get_upload({"org", "t", "i"}).status().code() == StatusCode::kNotFound));
  BOOST_TEST((*store->referenced_files() == std::vector<std::string>{"data-1"}));
}

BOOST_AUTO_TEST_CASE(instance_ids_grow_across_restarts) {
  ScratchStore dir;
  int64_t last = 0;
  for (int round = 0; round < 3; ++round) {
    auto store = open_store(dir);
    for (int i = 0; i < 50; ++i) {
      int64_t next = 0;
      BOOST_TEST(store
                     ->write([&](WriteTransaction& t) {
                       next = t.next_instance_id();
                       return Status::ok();
                     })
                     .is_ok());
      BOOST_TEST(next > last);
      last = next;
    }
    store->close();
  }
  // A timebase ahead of the wall clock (a clock step backwards) still only grows.
  dir.set_timebase(9000000000000000000);
  auto store = open_store(dir);
  int64_t next = 0;
  BOOST_TEST(store
                 ->write([&](WriteTransaction& t) {
                   next = t.next_instance_id();
                   return Status::ok();
                 })
                 .is_ok());
  BOOST_TEST(next == 9000000000000000001);
}

BOOST_AUTO_TEST_CASE(a_failing_write_rolls_back_alone_and_skips_its_after_commit) {
  ScratchStore dir;
  auto store = open_store(dir);
  std::mutex mutex;
  std::vector<std::string> events;  // after-commit actions and completions, in the order they ran
  auto record = [&](std::string event) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(event));
  };
  int64_t bad_instance_id = 0;
  WriterGate gate;
  gate.hold(*store);  // the three writes below queue up and share the next batch
  for (const std::string id : {"good1", "bad", "good2"}) {
    store->submit_write(
        [&, id](WriteTransaction& t) {
          if (Status put = t.put_object(make_object("org", "t", id)); !put) return put;
          const int64_t instance_id = t.next_instance_id();
          if (id == "bad") bad_instance_id = instance_id;
          t.after_commit([&, id] { record("durable " + id); });
          return id == "bad" ? Status::invalid("refused") : Status::ok();
        },
        [&, id](Status status) {
          record(id + (status ? " ok" : status.code() == StatusCode::kInvalidArgument ? " invalid" : " other"));
        });
  }
  gate.release();
  store->close();                           // drains the queue
  BOOST_TEST(store->commit_count() == 2u);  // the gate's, then one for all three
  BOOST_TEST(
      (events == std::vector<std::string>{"durable good1", "good1 ok", "bad invalid", "durable good2", "good2 ok"}));
  auto reopened = open_store(dir);
  BOOST_TEST(reopened->get_object({"org", "t", "good1"}).is_ok());
  BOOST_TEST(reopened->get_object({"org", "t", "good2"}).is_ok());
  BOOST_TEST((reopened->get_object({"org", "t", "bad"}).status().code() == StatusCode::kNotFound));
  // The rolled-back write's instance id is never handed out again, not even after a restart.
  int64_t next = 0;
  BOOST_TEST(reopened
                 ->write([&](WriteTransaction& t) {
                   next = t.next_instance_id();
                   return Status::ok();
                 })
                 .is_ok());
  BOOST_TEST(next > bad_instance_id);
}

BOOST_AUTO_TEST_CASE(writes_and_reads_after_close_are_unavailable) {
  ScratchStore dir;
  auto store = open_store(dir);
  store->close();
  BOOST_TEST((store->write([](WriteTransaction&) { return Status::ok(); }).code() == StatusCode::kUnavailable));
  BOOST_TEST((store->get_object({"org", "t", "i"}).status().code() == StatusCode::kUnavailable));
  BOOST_TEST((store->count_objects().status().code() == StatusCode::kUnavailable));
  store->close();  // idempotent
}

BOOST_AUTO_TEST_CASE(group_commit_under_32_concurrent_writers_keeps_every_acknowledged_write) {
  ScratchStore dir;
  constexpr int kWriters = 32, kWritesEach = 60;
  std::mutex acknowledged_mutex;
  std::set<std::string> acknowledged;
  std::set<int64_t> instance_ids;
  std::atomic<int> out_of_order{0};
  uint64_t commits = 0;
  {
    auto store = open_store(dir);
    std::vector<std::thread> writers;
    for (int writer = 0; writer < kWriters; ++writer) {
      writers.emplace_back([&, writer] {
        int64_t previous = 0;
        for (int i = 0; i < kWritesEach; ++i) {
          const std::string id = std::to_string(writer) + "-" + std::to_string(i);
          int64_t instance_id = 0;
          Status status = store->write([&](WriteTransaction& t) {
            instance_id = t.next_instance_id();
            auto object = make_object("org", "t", id);
            object.metadata.instance_id = instance_id;
            return t.put_object(object);
          });
          if (!status) continue;
          if (instance_id <= previous) ++out_of_order;
          previous = instance_id;
          std::lock_guard lock(acknowledged_mutex);
          acknowledged.insert(id);
          instance_ids.insert(instance_id);
        }
      });
    }
    for (auto& thread : writers) thread.join();
    commits = store->commit_count();
    store->close();
  }
  BOOST_TEST(acknowledged.size() == size_t(kWriters * kWritesEach));
  BOOST_TEST(instance_ids.size() == acknowledged.size());  // every id distinct
  BOOST_TEST(out_of_order == 0);
  BOOST_TEST_MESSAGE("writes: " << acknowledged.size() << ", commits: " << commits);
  BOOST_TEST(commits < acknowledged.size());  // writes shared commits
  auto store = open_store(dir);
  BOOST_TEST(*store->count_objects() == int64_t(acknowledged.size()));
  for (const auto& id : acknowledged) {
    BOOST_TEST_CONTEXT(id) {
      BOOST_TEST(store->get_object({"org", "t", id}).is_ok());
    }
  }
}

// Regression: a cached read statement left unreset pinned an old WAL snapshot, so later reads on that
// connection missed newer commits.
BOOST_AUTO_TEST_CASE(reads_see_every_committed_write_on_a_reused_connection) {
  ScratchStore dir;
  auto opened = dir.open(1024, /*read_connections=*/1);
  BOOST_REQUIRE(opened.is_ok());
  auto& store = **opened;
  for (int version = 0; version < 20; ++version) {
    auto object = make_object("org", "t", "same");
    object.metadata.version = std::to_string(version);
    BOOST_TEST(put(store, object).is_ok());
    auto read = store.get_object({"org", "t", "same"});
    BOOST_REQUIRE(read.is_ok());
    BOOST_TEST(read->metadata.version == std::to_string(version));
    BOOST_TEST(*store.count_objects() == 1);
  }
  BOOST_TEST(store.write([](WriteTransaction& t) { return t.delete_object({"org", "t", "same"}); }).is_ok());
  BOOST_TEST((store.get_object({"org", "t", "same"}).status().code() == StatusCode::kNotFound));
}

// The object cache under concurrency: a read that starts after a write was acknowledged never returns
// an older version, however reads and commits interleave (readers race the writer on 4 threads).
BOOST_AUTO_TEST_CASE(a_read_after_an_acknowledged_write_never_sees_an_older_row) {
  ScratchStore dir;
  auto store = open_store(dir);
  std::atomic<int> acknowledged{-1};
  std::atomic<bool> done{false};
  std::atomic<int> stale_reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        const int at_least = acknowledged.load();
        auto read = store->get_object({"org", "t", "raced"});
        if (at_least >= 0 && (!read || std::stoi(read->metadata.version) < at_least)) ++stale_reads;
      }
    });
  }
  for (int version = 0; version < 300; ++version) {
    auto object = make_object("org", "t", "raced");
    object.metadata.version = std::to_string(version);
    BOOST_REQUIRE(put(*store, object).is_ok());
    acknowledged = version;
  }
  done = true;
  for (auto& reader : readers) reader.join();
  BOOST_TEST(stale_reads.load() == 0);
}

BOOST_AUTO_TEST_CASE(destinations_round_trip_and_removing_one_drops_its_deliveries) {
  ScratchStore dir;
  auto store = open_store(dir);
  const Destination edge1{{"org", "car", "e1"}, true, "http", "1.0", 10, 20};
  const Destination edge2{{"org", "car", "e2"}, false, "http", "1.0", 11, 21};
  const Destination other{{"other", "car", "e1"}, true, "http", "1.0", 12, 22};
  const ResourceKey key{"org", "model", "m1"};
  BOOST_TEST(store
                 ->write([&](WriteTransaction& transaction) {
                   for (const auto& destination : {edge1, edge2, other}) (void)transaction.put_destination(destination);
                   (void)transaction.put_delivery(Delivery{key, edge1.node, "delivering", "", "update", 5, 5});
                   return transaction.put_delivery(Delivery{key, edge2.node, "pending", "", "", 5, 5});
                 })
                 .is_ok());
  BOOST_TEST((*store->get_destination(edge2.node) == edge2));
  BOOST_TEST(store->list_destinations("org")->size() == 2u);
  BOOST_TEST(store->list_destinations("")->size() == 3u);
  BOOST_TEST((store->get_destination({"org", "car", "nope"}).status().code() == StatusCode::kNotFound));
  BOOST_TEST(store->list_deliveries(key)->size() == 2u);

  BOOST_TEST(
      store->write([&](WriteTransaction& transaction) { return transaction.delete_destination(edge1.node); }).is_ok());
  auto left = store->list_deliveries(key);
  BOOST_REQUIRE(left->size() == 1u);
  BOOST_TEST((left->front().peer == edge2.node));
  BOOST_TEST((store->get_destination(edge1.node).status().code() == StatusCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(pending_deliveries_come_oldest_first_and_an_unchanged_one_keeps_its_place) {
  ScratchStore dir;
  auto store = open_store(dir);
  const NodeAddress edge{"org", "car", "e1"};
  auto put_pending = [&](const std::string& id, const std::string& pending, int64_t instance) {
    BOOST_TEST(store
                   ->write([&](WriteTransaction& transaction) {
                     return transaction.put_delivery(
                         Delivery{{"org", "t", id}, edge, "delivering", "", pending, instance, instance});
                   })
                   .is_ok());
  };
  put_pending("b", "update", 1);
  put_pending("a", "update", 1);
  put_pending("c", "", 1);
  put_pending("b", "update", 1);  // unchanged: stays first
  auto pending = store->list_deliveries_to(edge, true);
  BOOST_REQUIRE(pending->size() == 2u);
  BOOST_TEST(pending->at(0).key.object_id == "b");
  BOOST_TEST(pending->at(1).key.object_id == "a");
  put_pending("b", "delete", 2);  // changed: goes to the back
  pending = store->list_deliveries_to(edge, true);
  BOOST_TEST(pending->at(0).key.object_id == "a");
  BOOST_TEST(pending->at(1).key.object_id == "b");
  BOOST_TEST(pending->at(1).pending == "delete");
  BOOST_TEST(store->list_deliveries_to(edge, false)->size() == 3u);

  // Every field survives a restart.
  Delivery full{{"org", "t", "z"}, edge, "error", "bad hash", "update", 7, 6, 4096, R"({"objectID":"z"})", 99};
  BOOST_TEST(store->write([&](WriteTransaction& transaction) { return transaction.put_delivery(full); }).is_ok());
  store->close();
  store = open_store(dir);
  auto read = store->write([&](WriteTransaction& transaction) -> Status {
    auto got = transaction.get_delivery(full.key, edge);
    BOOST_TEST(got.is_ok());
    if (got) BOOST_TEST((*got == full));
    (void)transaction.delete_deliveries(full.key);
    BOOST_TEST((transaction.get_delivery(full.key, edge).status().code() == StatusCode::kNotFound));
    return Status::ok();
  });
  BOOST_TEST(read.is_ok());
}
