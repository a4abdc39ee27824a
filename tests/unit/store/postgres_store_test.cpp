// PostgreSQL's own part of the store tests: what cannot happen to a file — a bad connection URL, a
// server that is not there, a server that goes away mid-run and comes back — and its schema versions.
// The Store contract both backends share is tested in store_test.cpp (store_test_postgres). Every store
// here comes from the plugin, opened as the binary opens it; so does the check that the plugin's log
// lines reach the binary's logger.
#define BOOST_TEST_MODULE postgres_store_test
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/test/unit_test.hpp>
#include <future>
#include <mutex>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "server/store/plugin/store_plugin_loader.hpp"
#include "server/store/postgres/postgres_store.hpp"
#include "server/store/postgres/schema.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::make_object;
using edgesync::test::PostgresCluster;

namespace {

std::unique_ptr<PostgresCluster> start_cluster() {
  auto cluster = PostgresCluster::create();
  BOOST_REQUIRE_MESSAGE(cluster.is_ok(), "cannot start a PostgreSQL test cluster: " << cluster.status().message());
  return std::move(*cluster);
}

PostgresCluster& shared_cluster() {
  static std::unique_ptr<PostgresCluster> cluster = start_cluster();
  return *cluster;
}

// A fresh database in the shared cluster, dropped at the end.
struct ScratchDatabase {
  PostgresCluster& cluster;
  std::string name;
  explicit ScratchDatabase(PostgresCluster& in) : cluster(in) {
    auto created = cluster.create_database();
    BOOST_REQUIRE_MESSAGE(created.is_ok(), created.status().message());
    name = *created;
  }
  ~ScratchDatabase() { (void)cluster.drop_database(name); }
  std::string url() const { return cluster.url(name); }
};

Result<std::unique_ptr<Store>> open_from_plugin(const PostgresStoreOptions& options) {
  return open_plugin_store(StorePluginRequest{"postgres", EDGESYNC_POSTGRES_PLUGIN, options.url,
                                              options.max_batch_writes, options.read_connections});
}

Status put(Store& store, const StoredObject& object) {
  return store.write([&](WriteTransaction& transaction) { return transaction.put_object(object); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_url_libpq_cannot_parse_is_invalid_and_names_the_field) {
  for (const char* url : {"", "postgresql://[::1", "host='unterminated", "not a connection string"}) {
    BOOST_TEST_CONTEXT(url) {
      auto store = open_from_plugin(PostgresStoreOptions{url});
      BOOST_REQUIRE(!store.is_ok());
      BOOST_TEST((store.status().code() == StatusCode::kInvalidArgument), store.status().message());
      BOOST_TEST(store.status().field() == "store.postgres.url");
    }
  }
}

BOOST_AUTO_TEST_CASE(a_server_that_is_not_there_is_unavailable_and_named_without_its_password) {
  // The shared cluster's port with a database that does not exist, and a port nobody listens on.
  const std::string no_database =
      "postgresql://postgres:secret@127.0.0.1:" + std::to_string(shared_cluster().port()) + "/no_such_database";
  auto missing = open_from_plugin(PostgresStoreOptions{no_database});
  BOOST_REQUIRE(!missing.is_ok());
  BOOST_TEST((missing.status().code() == StatusCode::kUnavailable), missing.status().message());
  BOOST_TEST(missing.status().message().find("no_such_database") != std::string::npos, missing.status().message());
  BOOST_TEST(missing.status().message().find("secret") == std::string::npos, missing.status().message());

  auto stopped = start_cluster();
  const std::string url = stopped->url();
  BOOST_REQUIRE(stopped->stop().is_ok());
  auto refused = open_from_plugin(PostgresStoreOptions{url});
  BOOST_REQUIRE(!refused.is_ok());
  BOOST_TEST((refused.status().code() == StatusCode::kUnavailable), refused.status().message());
  BOOST_TEST(refused.status().message().find("127.0.0.1:" + std::to_string(stopped->port())) != std::string::npos,
             refused.status().message());
}

BOOST_AUTO_TEST_CASE(the_schema_is_created_once_and_reopening_keeps_the_rows) {
  ScratchDatabase database(shared_cluster());
  {
    auto store = open_from_plugin(PostgresStoreOptions{database.url()});
    BOOST_REQUIRE_MESSAGE(store.is_ok(), store.status().message());
    BOOST_TEST(put(**store, make_object("org", "t", "kept")).is_ok());
  }
  auto store = open_from_plugin(PostgresStoreOptions{database.url()});
  BOOST_REQUIRE_MESSAGE(store.is_ok(), store.status().message());
  BOOST_TEST((*store)->get_object({"org", "t", "kept"}).is_ok());
  pqxx::connection connection(database.url());
  pqxx::read_transaction transaction(connection);
  BOOST_TEST(transaction.exec("SELECT version FROM schema_version")[0][0].as<int>() == pg::latest_schema_version());
  BOOST_TEST(transaction.exec("SELECT count(*) FROM schema_version")[0][0].as<int>() == 1);
  for (const char* table : {"objects", "webhooks", "timebase", "uploads", "destinations", "deliveries", "owner_refs",
                            "owner_cascades", "acls", "organizations", "events", "events_pruned"}) {
    BOOST_TEST_CONTEXT(table) {
      BOOST_TEST(transaction.exec_params("SELECT to_regclass($1) IS NOT NULL", std::string(table))[0][0].as<bool>());
    }
  }
}

BOOST_AUTO_TEST_CASE(stores_opening_one_empty_database_at_once_migrate_it_once) {
  ScratchDatabase database(shared_cluster());
  constexpr int kOpeners = 4;
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> openers;
  for (int i = 0; i < kOpeners; ++i) {
    openers.emplace_back([&, i] {
      auto store = open_from_plugin(PostgresStoreOptions{database.url()});
      results[i] = store.is_ok() ? Status::ok() : store.status();
    });
  }
  for (auto& opener : openers) opener.join();
  for (const auto& result : results) BOOST_TEST(result.is_ok(), result.message());
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused_clearly) {
  ScratchDatabase database(shared_cluster());
  {
    pqxx::connection connection(database.url());
    pqxx::work transaction(connection);
    transaction.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (999)");
    transaction.commit();
  }
  auto store = open_from_plugin(PostgresStoreOptions{database.url()});
  BOOST_REQUIRE(!store.is_ok());
  BOOST_TEST((store.status().code() == StatusCode::kIoError));
  BOOST_TEST(store.status().message().find("newer") != std::string::npos, store.status().message());
  BOOST_TEST(store.status().message().find("999") != std::string::npos, store.status().message());
}

// The server stops under an open store (a restart, a failover): reads and writes answer kUnavailable
// instead of hanging or crashing, and once the server is back the same store works again without
// being reopened, every acknowledged write still there.
BOOST_AUTO_TEST_CASE(a_server_gone_mid_run_is_a_clean_error_and_the_store_recovers_when_it_is_back) {
  auto cluster = start_cluster();
  auto database = cluster->create_database();
  BOOST_REQUIRE_MESSAGE(database.is_ok(), database.status().message());
  auto opened = open_from_plugin(PostgresStoreOptions{cluster->url(*database), 1024, 2});
  BOOST_REQUIRE_MESSAGE(opened.is_ok(), opened.status().message());
  Store& store = **opened;
  BOOST_REQUIRE(put(store, make_object("org", "t", "before")).is_ok());
  BOOST_REQUIRE(store.get_object({"org", "t", "before"}).is_ok());  // the readers are connected

  BOOST_REQUIRE(cluster->stop().is_ok());
  const Status write = put(store, make_object("org", "t", "while-down"));
  BOOST_TEST((write.code() == StatusCode::kUnavailable), write.message());
  BOOST_TEST_MESSAGE("write while down: " << write.message());
  const auto read = store.get_object({"org", "t", "before"});
  BOOST_TEST((read.status().code() == StatusCode::kUnavailable), read.status().message());
  BOOST_TEST((store.count_objects().status().code() == StatusCode::kUnavailable));
  // Still down: still a clean answer, not a crash on a half-reset connection.
  BOOST_TEST((put(store, make_object("org", "t", "again")).code() == StatusCode::kUnavailable));

  BOOST_REQUIRE_MESSAGE(cluster->start().is_ok(), cluster->log_tail());
  BOOST_TEST(put(store, make_object("org", "t", "after")).is_ok());
  BOOST_TEST(store.get_object({"org", "t", "before"}).is_ok());
  BOOST_TEST(store.get_object({"org", "t", "after"}).is_ok());
  BOOST_TEST((store.get_object({"org", "t", "while-down"}).status().code() == StatusCode::kNotFound));
  BOOST_TEST(*store.count_objects() == 2);
  store.close();
}

// A write acknowledged before a restart of the server is there after it, read by a new store.
BOOST_AUTO_TEST_CASE(acknowledged_writes_survive_a_server_restart) {
  auto cluster = start_cluster();
  auto database = cluster->create_database();
  BOOST_REQUIRE(database.is_ok());
  {
    auto store = open_from_plugin(PostgresStoreOptions{cluster->url(*database)});
    BOOST_REQUIRE(store.is_ok());
    for (int i = 0; i < 20; ++i) BOOST_REQUIRE(put(**store, make_object("org", "t", std::to_string(i))).is_ok());
  }
  BOOST_REQUIRE(cluster->stop().is_ok());
  BOOST_REQUIRE(cluster->start().is_ok());
  auto store = open_from_plugin(PostgresStoreOptions{cluster->url(*database)});
  BOOST_REQUIRE_MESSAGE(store.is_ok(), store.status().message());
  BOOST_TEST(*(*store)->count_objects() == 20);
}

// The server ends the store's sessions (an administrator, a pooler, a failover): the next read and the
// next write find their connection dead, reconnect and succeed, none of them failing.
BOOST_AUTO_TEST_CASE(connections_the_server_dropped_are_replaced_on_their_next_use) {
  ScratchDatabase database(shared_cluster());
  auto opened = open_from_plugin(PostgresStoreOptions{database.url(), 1024, 1});
  BOOST_REQUIRE_MESSAGE(opened.is_ok(), opened.status().message());
  Store& store = **opened;
  BOOST_REQUIRE(put(store, make_object("org", "t", "a")).is_ok());
  BOOST_REQUIRE(store.get_object({"org", "t", "a"}).is_ok());
  {
    pqxx::connection admin(shared_cluster().url());
    pqxx::nontransaction transaction(admin);
    auto ended = transaction.exec_params(
        "WITH victims AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> "
        "pg_backend_pid()) SELECT count(*) FROM victims WHERE pg_terminate_backend(pid, 30000)",
        database.name);
    // The writer and the one reader (an autovacuum worker may have been there too); each is gone
    // when pg_terminate_backend(pid, timeout) returns.
    BOOST_TEST(ended[0][0].as<int>() >= 2);
  }
  const Status write = put(store, make_object("org", "t", "b"));
  BOOST_TEST(write.is_ok(), write.message());
  const auto read = store.get_object({"org", "t", "a"});
  BOOST_TEST(read.is_ok(), read.status().message());
  BOOST_TEST(*store.count_objects() == 2);
}

// A COMMIT the server refuses (here a deferred constraint trigger, which runs only then) fails every
// write of the batch, none of their after-commit actions run, nothing of them is kept, and the next
// write commits as usual.
BOOST_AUTO_TEST_CASE(a_failed_commit_fails_every_write_of_the_batch_and_runs_no_action) {
  ScratchDatabase database(shared_cluster());
  auto opened = open_from_plugin(PostgresStoreOptions{database.url()});
  BOOST_REQUIRE_MESSAGE(opened.is_ok(), opened.status().message());
  Store& store = **opened;
  {
    pqxx::connection admin(database.url());
    pqxx::work transaction(admin);
    transaction.exec(
        "CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.object_id = 'doomed' "
        "THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$;"
        "CREATE CONSTRAINT TRIGGER refuse_doomed AFTER INSERT ON objects DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION refuse_doomed()");
    transaction.commit();
  }
  std::mutex mutex;
  std::vector<std::string> actions;
  std::vector<std::future<Status>> results;
  edgesync::test::WriterGate gate;
  gate.hold(store);  // the three writes below share the next batch
  for (const std::string id : {"one", "doomed", "two"}) {
    auto done = std::make_shared<std::promise<Status>>();
    results.push_back(done->get_future());
    store.submit_write(
        [&, id](WriteTransaction& t) {
          t.after_commit([&, id] {
            std::lock_guard lock(mutex);
            actions.push_back(id);
          });
          return t.put_object(make_object("org", "t", id));
        },
        [done](Status status) { done->set_value(std::move(status)); });
  }
  gate.release();
  for (auto& result : results) {
    const Status status = result.get();
    BOOST_TEST((status.code() == StatusCode::kIoError), status.message());
    BOOST_TEST(status.message().find("refused at commit") != std::string::npos, status.message());
  }
  {
    std::lock_guard lock(mutex);
    BOOST_TEST(actions.empty());
  }
  BOOST_TEST(*store.count_objects() == 0);
  BOOST_TEST(put(store, make_object("org", "t", "three")).is_ok());
  BOOST_TEST(*store.count_objects() == 1);
}

BOOST_AUTO_TEST_CASE(the_plugins_log_lines_go_to_the_hosts_logger_at_its_level) {
  ScratchDatabase database(shared_cluster());
  std::ostringstream lines;
  const auto previous = spdlog::default_logger();
  auto capture = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
  capture->set_pattern("%l %v");
  spdlog::set_default_logger(capture);
  const auto open_at = [&](spdlog::level::level_enum level) {
    lines.str("");
    spdlog::set_level(level);
    auto store = open_from_plugin(PostgresStoreOptions{database.url()});
    BOOST_REQUIRE_MESSAGE(store.is_ok(), store.status().message());
    (*store)->close();
    return lines.str();
  };
  const std::string at_debug = open_at(spdlog::level::debug);
  const std::string at_info = open_at(spdlog::level::info);
  spdlog::set_default_logger(previous);
  // The plugin's own line (postgres_store.cpp), formatted by the host's logger.
  const std::string expected = "debug store: PostgreSQL at 127.0.0.1:" + std::to_string(shared_cluster().port());
  BOOST_TEST(at_debug.find(expected) != std::string::npos, at_debug);
  BOOST_TEST(at_info.find("PostgreSQL at") == std::string::npos, at_info);
}
