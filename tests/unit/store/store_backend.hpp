// The backend the shared store tests run against, chosen when the test is compiled: SQLite by default,
// PostgreSQL (from its plugin) with EDGESYNC_STORE_TEST_POSTGRES. The same test source builds into
// store_test_sqlite and store_test_postgres (tests/unit/store/CMakeLists.txt), so both backends pass
// one suite.
//
// ScratchStore is where one test's store lives: a fresh directory (SQLite) or a fresh database in the
// executable's throwaway cluster (PostgreSQL, started once on first use). Opening it twice reopens the
// same store, as a restart would; it is removed when the test ends.
#pragma once

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "server/store/store.hpp"
#include "tests/unit/store/store_test_support.hpp"

#ifdef EDGESYNC_STORE_TEST_POSTGRES
#include <pqxx/pqxx>

#include "server/store/plugin/store_plugin_loader.hpp"
#include "tests/support/postgres_cluster.hpp"
#else
#include <SQLiteCpp/SQLiteCpp.h>

#include "server/store/sqlite/sqlite_store.hpp"
#endif

namespace edgesync::test {

#ifdef EDGESYNC_STORE_TEST_POSTGRES

// One cluster for the whole executable (each test gets a database of its own in it). When PostgreSQL
// is installed and the cluster does not start, every test fails saying why: a silent skip would hide a
// broken backend.
inline PostgresCluster& shared_cluster() {
  static auto cluster = PostgresCluster::create();
  BOOST_REQUIRE_MESSAGE(cluster.is_ok(), "cannot start a PostgreSQL test cluster: " << cluster.status().message());
  return **cluster;
}

class ScratchStore {
 public:
  ScratchStore() {
    auto name = shared_cluster().create_database();
    BOOST_REQUIRE_MESSAGE(name.is_ok(), name.status().message());
    database_ = *name;
  }
  ~ScratchStore() { (void)shared_cluster().drop_database(database_); }
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;

  // From the plugin the binary would load (EDGESYNC_POSTGRES_PLUGIN: the build's), the way it loads it.
  Result<std::unique_ptr<Store>> open(uint32_t max_batch = 1024, uint32_t read_connections = 4) const {
    return open_plugin_store(
        StorePluginRequest{"postgres", EDGESYNC_POSTGRES_PLUGIN, url(), max_batch, read_connections});
  }
  std::string url() const { return shared_cluster().url(database_); }
  // Moves the persisted instance-id timebase (as a clock step backwards would leave it).
  void set_timebase(int64_t last_instance_id) const {
    pqxx::connection connection(url());
    pqxx::work transaction(connection);
    transaction.exec_params("UPDATE timebase SET last_instance_id = $1", last_instance_id);
    transaction.commit();
  }
  static const char* backend() { return "postgres"; }

 private:
  std::string database_;
};

#else

class ScratchStore {
 public:
  Result<std::unique_ptr<Store>> open(uint32_t max_batch = 1024, uint32_t read_connections = 4) const {
    return open_sqlite_store(SqliteStoreOptions{path(), max_batch, read_connections});
  }
  std::string path() const { return (dir_.path / "store.db").string(); }
  void set_timebase(int64_t last_instance_id) const {
    SQLite::Database database(path(), SQLite::OPEN_READWRITE);
    SQLite::Statement statement(database, "UPDATE timebase SET last_instance_id = ?");
    statement.bind(1, last_instance_id);
    statement.exec();
  }
  static const char* backend() { return "sqlite"; }

 private:
  ScratchDir dir_;
};

#endif

inline std::unique_ptr<Store> open_store(const ScratchStore& scratch, uint32_t max_batch = 1024) {
  auto store = scratch.open(max_batch);
  BOOST_REQUIRE_MESSAGE(store.is_ok(), scratch.backend() << ": " << store.status().message());
  return std::move(*store);
}

}  // namespace edgesync::test
