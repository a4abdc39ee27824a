#define BOOST_TEST_MODULE sqlite_store_test
#include <SQLiteCpp/SQLiteCpp.h>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "server/store/sqlite/schema.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::make_object;
using edgesync::test::ScratchDir;

namespace {

std::unique_ptr<Store> open_store(const ScratchDir& dir, uint32_t max_batch = 1024) {
  auto store = open_sqlite_store(SqliteStoreOptions{(dir.path / "store.db").string(), max_batch});
  BOOST_REQUIRE_MESSAGE(store.is_ok(), store.status().message());
  return std::move(*store);
}

Status put(Store& store, const StoredObject& object) {
  return store.write([&](WriteTransaction& transaction) { return transaction.put_object(object); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_empty_file_is_migrated_to_the_latest_schema) {
  ScratchDir dir;
  open_store(dir)->close();
  SQLite::Database database((dir.path / "store.db").string());
  BOOST_TEST(database.execAndGet("PRAGMA user_version").getInt() == latest_schema_version());
  BOOST_TEST(database.execAndGet("PRAGMA journal_mode").getString() == "wal");
  for (const char* table : {"objects", "webhooks", "timebase", "uploads"}) {
    BOOST_TEST_CONTEXT(table) {
      BOOST_TEST(database.tableExists(table));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused_clearly) {
  ScratchDir dir;
  {
    SQLite::Database database((dir.path / "store.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    database.exec("PRAGMA user_version = 999");
  }
  auto store = open_sqlite_store(SqliteStoreOptions{(dir.path / "store.db").string()});
  BOOST_TEST(!store.is_ok());
  BOOST_TEST(store.status().message().find("newer") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(objects_round_trip_every_field) {
  ScratchDir dir;
  auto store = open_store(dir);
  StoredObject object = make_object("org", "type", "id");
  object.metadata.version = "1.0";
  object.metadata.destinations_list = std::vector<std::string>{"a:b"};
  object.metadata.instance_id = 77;
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

BOOST_AUTO_TEST_CASE(list_filters) {
  ScratchDir dir;
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
  BOOST_TEST(ids({"nobody", std::nullopt, {}, std::nullopt}).empty());
}

BOOST_AUTO_TEST_CASE(due_activations_and_expirations) {
  ScratchDir dir;
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
}

BOOST_AUTO_TEST_CASE(webhooks_and_uploads) {
  ScratchDir dir;
  auto store = open_store(dir);
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.add_webhook("org", "t", "http://b"); }).is_ok());
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.add_webhook("org", "t", "http://a"); }).is_ok());
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.add_webhook("org", "t", "http://a"); }).is_ok());
  BOOST_TEST((*store->list_webhooks("org", "t") == std::vector<std::string>{"http://a", "http://b"}));
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.remove_webhook("org", "t", "http://a"); }).is_ok());
  BOOST_TEST((*store->list_webhooks("org", "t") == std::vector<std::string>{"http://b"}));
  BOOST_TEST(store->list_webhooks("org", "other")->empty());

  const UploadState upload{{"org", "t", "i"}, "part-1", 100, 40, "[[0,39]]", 5};
  BOOST_TEST(store->write([&](WriteTransaction& t) { return t.put_upload(upload); }).is_ok());
  UploadState read;
  BOOST_TEST(store
                 ->write([&](WriteTransaction& t) {
                   auto found = t.get_upload({"org", "t", "i"});
                   if (found) read = *found;
                   return found.status();
                 })
                 .is_ok());
  BOOST_TEST((read == upload));
  BOOST_TEST((*store->referenced_files() == std::vector<std::string>{"part-1"}));
  BOOST_TEST(store->write([](WriteTransaction& t) { return t.delete_upload({"org", "t", "i"}); }).is_ok());
  BOOST_TEST((store->write([](WriteTransaction& t) {
                     return t.get_upload({"org", "t", "i"}).status();
                   })
                  .code() == StatusCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(instance_ids_grow_across_restarts) {
  ScratchDir dir;
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
  {
    SQLite::Database database((dir.path / "store.db").string(), SQLite::OPEN_READWRITE);
    database.exec("UPDATE timebase SET last_instance_id = 9000000000000000000");
  }
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
  ScratchDir dir;
  auto store = open_store(dir);
  std::atomic<int> after_commits{0};
  std::atomic<int> completions{0};
  std::mutex results_mutex;
  std::vector<std::pair<std::string, StatusCode>> results;
  // Hold the writer busy so that the next three writes share one batch.
  std::promise<void> release;
  auto released = release.get_future().share();
  store->submit_write(
      [released](WriteTransaction&) {
        released.wait();
        return Status::ok();
      },
      [&](Status) { ++completions; });
  for (const char* id : {"good1", "bad", "good2"}) {
    store->submit_write(
        [&, id = std::string(id)](WriteTransaction& t) {
          BOOST_REQUIRE(t.put_object(make_object("org", "t", id)).is_ok());
          t.after_commit([&] { ++after_commits; });
          return id == "bad" ? Status::invalid("refused") : Status::ok();
        },
        [&, id = std::string(id)](Status status) {
          std::lock_guard lock(results_mutex);
          results.emplace_back(id, status.code());
          ++completions;
        });
  }
  release.set_value();
  store->close();  // drains the queue
  BOOST_TEST(completions == 4);
  BOOST_TEST(after_commits == 2);
  for (const auto& [id, code] : results) {
    BOOST_TEST_CONTEXT(id) {
      BOOST_TEST((code == (id == "bad" ? StatusCode::kInvalidArgument : StatusCode::kOk)));
    }
  }
  auto reopened = open_store(dir);
  BOOST_TEST(reopened->get_object({"org", "t", "good1"}).is_ok());
  BOOST_TEST(reopened->get_object({"org", "t", "good2"}).is_ok());
  BOOST_TEST(!reopened->get_object({"org", "t", "bad"}).is_ok());
}

BOOST_AUTO_TEST_CASE(writes_after_close_are_unavailable) {
  ScratchDir dir;
  auto store = open_store(dir);
  store->close();
  BOOST_TEST((store->write([](WriteTransaction&) { return Status::ok(); }).code() == StatusCode::kUnavailable));
  store->close();  // idempotent
}

BOOST_AUTO_TEST_CASE(group_commit_under_32_concurrent_writers_keeps_every_acknowledged_write) {
  ScratchDir dir;
  constexpr int kWriters = 32, kWritesEach = 60;
  std::mutex acknowledged_mutex;
  std::set<std::string> acknowledged;
  uint64_t commits = 0;
  {
    auto store = open_store(dir);
    std::vector<std::thread> writers;
    for (int writer = 0; writer < kWriters; ++writer) {
      writers.emplace_back([&, writer] {
        for (int i = 0; i < kWritesEach; ++i) {
          const std::string id = std::to_string(writer) + "-" + std::to_string(i);
          if (put(*store, make_object("org", "t", id)).is_ok()) {
            std::lock_guard lock(acknowledged_mutex);
            acknowledged.insert(id);
          }
        }
      });
    }
    for (auto& thread : writers) thread.join();
    commits = sqlite_store_commit_count(*store);
    store->close();
  }
  BOOST_TEST(acknowledged.size() == size_t(kWriters * kWritesEach));
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
