// SQLite's own part of the store tests: its file, its WAL and its schema versions. The Store contract
// both backends share is tested in store_test.cpp (store_test_sqlite, store_test_postgres).
#define BOOST_TEST_MODULE sqlite_store_test
#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>

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
  for (const char* table : {"objects", "webhooks", "timebase", "uploads", "destinations", "deliveries", "owner_refs",
                            "owner_cascades", "acls", "organizations", "events", "events_pruned"}) {
    BOOST_TEST_CONTEXT(table) {
      BOOST_TEST(database.tableExists(table));
    }
  }
}

BOOST_AUTO_TEST_CASE(an_older_schema_is_migrated_forward_keeping_its_rows) {
  ScratchDir dir;
  {
    auto store = open_store(dir);
    BOOST_TEST(put(*store, make_object("org", "t", "kept")).is_ok());
    store->close();
  }
  {
    // Back to version 1, as an edgesync before the status index left it.
    SQLite::Database database((dir.path / "store.db").string(), SQLite::OPEN_READWRITE);
    database.exec("DROP INDEX objects_by_side_and_status");
    database.exec("DROP TABLE deliveries");
    database.exec("DROP TABLE destinations");
    database.exec("DROP TABLE owner_refs");
    database.exec("DROP TABLE owner_cascades");
    database.exec("DROP TABLE acls");
    database.exec("DROP TABLE organizations");
    database.exec("DROP TABLE events");
    database.exec("DROP TABLE events_pruned");
    database.exec("PRAGMA user_version = 1");
  }
  auto store = open_store(dir);
  BOOST_TEST(store->get_object({"org", "t", "kept"}).is_ok());
  store->close();
  SQLite::Database database((dir.path / "store.db").string());
  BOOST_TEST(database.execAndGet("PRAGMA user_version").getInt() == latest_schema_version());
  BOOST_TEST(
      database.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'objects_by_side_and_status'").getInt() ==
      1);
  BOOST_TEST(
      database.execAndGet("SELECT count(*) FROM sqlite_master WHERE name IN ('acls', 'organizations')").getInt() == 2);
}

BOOST_AUTO_TEST_CASE(a_path_that_is_not_a_file_is_refused) {
  for (const char* path : {"", ":memory:"}) {
    BOOST_TEST_CONTEXT(path) {
      auto store = open_sqlite_store(SqliteStoreOptions{path});
      BOOST_TEST((store.status().code() == StatusCode::kInvalidArgument));
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
  BOOST_TEST_MESSAGE(store.status().message());
  BOOST_TEST(store.status().message().find("newer") != std::string::npos);
  BOOST_TEST(store.status().message().find("999") != std::string::npos);
  // Refusing did not touch the file.
  SQLite::Database database((dir.path / "store.db").string());
  BOOST_TEST(database.execAndGet("PRAGMA user_version").getInt() == 999);
  BOOST_TEST(!database.tableExists("objects"));
}
