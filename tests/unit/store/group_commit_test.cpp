#define BOOST_TEST_MODULE group_commit_test
#include <SQLiteCpp/SQLiteCpp.h>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "server/store/sqlite/group_commit.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace edgesync;
using edgesync::test::ScratchDir;
using edgesync::test::WriterGate;

namespace {

// A database of its own for the writer: items, and a deferred foreign key whose violation only
// COMMIT detects (the way to make a COMMIT fail on demand).
struct TestDatabase {
  ScratchDir dir;
  std::string path = (dir.path / "group.db").string();

  std::unique_ptr<Connection> open_writer() const {
    auto database = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    database->exec("PRAGMA journal_mode = WAL");
    database->exec("PRAGMA foreign_keys = ON");
    database->exec(
        "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS parents (id TEXT PRIMARY KEY);"
        "CREATE TABLE IF NOT EXISTS children (id TEXT PRIMARY KEY, parent TEXT NOT NULL "
        "  REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);");
    return std::make_unique<Connection>(std::move(database));
  }

  // Reads after the writer is closed, through a connection of the test's own.
  std::map<std::string, int> items() const {
    SQLite::Database database(path, SQLite::OPEN_READONLY);
    SQLite::Statement statement(database, "SELECT id, value FROM items");
    std::map<std::string, int> result;
    while (statement.executeStep()) result[statement.getColumn(0).getString()] = statement.getColumn(1).getInt();
    return result;
  }
};

GroupCommitStep insert_item(const std::string& id, int value) {
  return [id, value](Connection& connection, AfterCommitActions&) {
    auto statement = connection.statement("INSERT INTO items (id, value) VALUES (?, ?)");
    statement->bind(1, id);
    statement->bind(2, value);
    statement->exec();
    return Status::ok();
  };
}

// Completions by name, and a way to wait until some have arrived (no sleeps).
class Completions {
 public:
  WriteCompletion record(const std::string& name) {
    return [this, name](Status status) {
      std::lock_guard lock(mutex_);
      codes_[name] = status.code();
      changed_.notify_all();
    };
  }
  void wait_for(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return codes_.size() >= count; });
  }
  StatusCode code(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto found = codes_.find(name);
    BOOST_REQUIRE_MESSAGE(found != codes_.end(), "no completion for " << name);
    return found->second;
  }
  size_t size() {
    std::lock_guard lock(mutex_);
    return codes_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, StatusCode> codes_;
};

// Holds the GroupCommit writer inside one write (see WriterGate).
void hold(WriterGate& gate, GroupCommit& writer) {
  writer.submit(
      [&gate](Connection&, AfterCommitActions&) {
        gate.block_inside_write();
        return Status::ok();
      },
      [](Status) {});
  gate.wait_until_inside();
}

}  // namespace

BOOST_AUTO_TEST_CASE(writes_queued_during_a_commit_share_the_next_one) {
  TestDatabase database;
  WriterGate gate;
  Completions completions;
  GroupCommit writer(database.open_writer(), 1024);
  hold(gate, writer);
  for (int i = 0; i < 100; ++i)
    writer.submit(insert_item("item" + std::to_string(i), i), completions.record(std::to_string(i)));
  gate.release();
  completions.wait_for(100);
  BOOST_TEST(writer.commit_count() == 2u);  // the gate's batch, then all 100 together
  BOOST_TEST(writer.largest_batch() == 100u);
  for (int i = 0; i < 100; ++i) BOOST_TEST((completions.code(std::to_string(i)) == StatusCode::kOk));
  writer.close();
  BOOST_TEST(database.items().size() == 100u);
}

BOOST_AUTO_TEST_CASE(a_batch_holds_at_most_max_batch_writes) {
  TestDatabase database;
  WriterGate gate;
  Completions completions;
  GroupCommit writer(database.open_writer(), 3);
  hold(gate, writer);
  for (int i = 0; i < 10; ++i) writer.submit(insert_item(std::to_string(i), i), completions.record(std::to_string(i)));
  gate.release();
  writer.close();
  BOOST_TEST(completions.size() == 10u);
  BOOST_TEST(writer.largest_batch() == 3u);
  BOOST_TEST(writer.commit_count() == 5u);  // gate, 3, 3, 3, 1
  BOOST_TEST(database.items().size() == 10u);
}

BOOST_AUTO_TEST_CASE(a_zero_batch_limit_still_makes_progress) {
  TestDatabase database;
  Completions completions;
  GroupCommit writer(database.open_writer(), 0);
  writer.submit(insert_item("a", 1), completions.record("a"));
  writer.close();
  BOOST_TEST((completions.code("a") == StatusCode::kOk));
}

BOOST_AUTO_TEST_CASE(a_step_sees_the_earlier_writes_of_its_batch) {
  TestDatabase database;
  WriterGate gate;
  Completions completions;
  GroupCommit writer(database.open_writer(), 1024);
  hold(gate, writer);
  writer.submit(insert_item("a", 41), completions.record("insert"));
  int seen = -1;
  writer.submit(
      [&](Connection& connection, AfterCommitActions&) {
        auto statement = connection.statement("SELECT value FROM items WHERE id = 'a'");
        if (statement->executeStep()) seen = statement->getColumn(0).getInt();
        connection.database().exec("UPDATE items SET value = value + 1 WHERE id = 'a'");
        return Status::ok();
      },
      completions.record("update"));
  gate.release();
  writer.close();
  BOOST_TEST(writer.largest_batch() == 2u);
  BOOST_TEST(seen == 41);
  BOOST_TEST(database.items().at("a") == 42);
}

BOOST_AUTO_TEST_CASE(each_failing_step_rolls_back_alone_and_skips_its_after_commit) {
  TestDatabase database;
  WriterGate gate;
  Completions completions;
  std::mutex actions_mutex;
  std::vector<std::string> actions;
  GroupCommit writer(database.open_writer(), 1024);
  hold(gate, writer);
  // Every step inserts its row and asks for an action, then ends its own way.
  auto step = [&](const std::string& id, std::function<Status()> ending) {
    return [&, id, ending](Connection& connection, AfterCommitActions& after_commit) {
      insert_item(id, 1)(connection, after_commit);
      after_commit.push_back([&, id] {
        std::lock_guard lock(actions_mutex);
        actions.push_back(id);
      });
      return ending();
    };
  };
  writer.submit(step("ok1", [] { return Status::ok(); }), completions.record("ok1"));
  writer.submit(step("refused", [] { return Status::conflict("no"); }), completions.record("refused"));
  writer.submit(step("std", []() -> Status { throw std::runtime_error("boom"); }), completions.record("std"));
  writer.submit(step("odd", []() -> Status { throw 42; }), completions.record("odd"));
  writer.submit(
      [](Connection& connection, AfterCommitActions&) {
        connection.database().exec("INSERT INTO items (id, value) VALUES ('sql', 1)");
        connection.database().exec("INSERT INTO no_such_table VALUES (1)");  // SQLite::Exception
        return Status::ok();
      },
      completions.record("sql"));
  writer.submit(insert_item("ok1", 2), completions.record("duplicate"));  // constraint violation
  writer.submit(step("ok2", [] { return Status::ok(); }), completions.record("ok2"));
  gate.release();
  writer.close();
  BOOST_TEST(writer.largest_batch() == 7u);  // all in one transaction
  BOOST_TEST((completions.code("ok1") == StatusCode::kOk));
  BOOST_TEST((completions.code("ok2") == StatusCode::kOk));
  BOOST_TEST((completions.code("refused") == StatusCode::kConflict));
  BOOST_TEST((completions.code("std") == StatusCode::kInternal));
  BOOST_TEST((completions.code("odd") == StatusCode::kInternal));
  BOOST_TEST((completions.code("sql") == StatusCode::kIoError));
  BOOST_TEST((completions.code("duplicate") == StatusCode::kIoError));
  BOOST_TEST((actions == std::vector<std::string>{"ok1", "ok2"}));
  BOOST_TEST((database.items() == std::map<std::string, int>{{"ok1", 1}, {"ok2", 1}}));
}

BOOST_AUTO_TEST_CASE(a_failed_commit_fails_every_write_of_the_batch) {
  TestDatabase database;
  WriterGate gate;
  Completions completions;
  Completions later;
  std::atomic<int> actions{0};
  GroupCommit writer(database.open_writer(), 1024);
  hold(gate, writer);
  writer.submit(
      [&](Connection& connection, AfterCommitActions& after_commit) {
        insert_item("innocent", 1)(connection, after_commit);
        after_commit.push_back([&] { ++actions; });
        return Status::ok();
      },
      completions.record("innocent"));
  writer.submit(
      [&](Connection& connection, AfterCommitActions& after_commit) {
        // Deferred: the savepoint is released without complaint, the COMMIT fails.
        connection.database().exec("INSERT INTO children (id, parent) VALUES ('c', 'missing')");
        after_commit.push_back([&] { ++actions; });
        return Status::ok();
      },
      completions.record("orphan"));
  gate.release();
  completions.wait_for(2);
  BOOST_TEST((completions.code("innocent") == StatusCode::kIoError));
  BOOST_TEST((completions.code("orphan") == StatusCode::kIoError));
  BOOST_TEST(actions == 0);
  BOOST_TEST(writer.commit_count() == 1u);  // the gate's only

  // The connection is clean again: the next batch commits.
  writer.submit(insert_item("later", 3), later.record("later"));
  writer.close();
  BOOST_TEST((later.code("later") == StatusCode::kOk));
  BOOST_TEST((database.items() == std::map<std::string, int>{{"later", 3}}));
}

BOOST_AUTO_TEST_CASE(a_transaction_lost_mid_batch_fails_every_write_and_runs_no_more_steps) {
  // SQLite ends the transaction itself on SQLITE_FULL or an I/O error; a step that runs ROLLBACK
  // has the same effect. Later steps must not run in autocommit mode, outside the batch.
  TestDatabase database;
  WriterGate gate;
  Completions completions;
  std::atomic<bool> later_step_ran{false};
  GroupCommit writer(database.open_writer(), 1024);
  hold(gate, writer);
  writer.submit(insert_item("before", 1), completions.record("before"));
  writer.submit(
      [](Connection& connection, AfterCommitActions&) {
        connection.database().exec("ROLLBACK");
        return Status::ok();
      },
      completions.record("rollback"));
  writer.submit(
      [&](Connection& connection, AfterCommitActions& after_commit) {
        later_step_ran = true;
        return insert_item("after", 1)(connection, after_commit);
      },
      completions.record("after"));
  gate.release();
  writer.close();
  for (const char* name : {"before", "rollback", "after"}) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST((completions.code(name) == StatusCode::kIoError));
    }
  }
  BOOST_TEST(!later_step_ran);
  BOOST_TEST(database.items().empty());
}

BOOST_AUTO_TEST_CASE(close_finishes_queued_writes_then_refuses_new_ones) {
  TestDatabase database;
  WriterGate gate;
  Completions completions;
  GroupCommit writer(database.open_writer(), 1024);
  hold(gate, writer);
  for (int i = 0; i < 5; ++i) writer.submit(insert_item(std::to_string(i), i), completions.record(std::to_string(i)));
  std::thread closer([&] { writer.close(); });  // blocks until the queue is drained
  // Once close() has begun, a submit completes at once, on this thread, with kUnavailable.
  // Probes accepted before that run later, after this loop, so they share nothing with it.
  auto refused = std::make_shared<std::atomic<bool>>(false);
  while (!*refused) {
    writer.submit([](Connection&, AfterCommitActions&) { return Status::ok(); },
                  [refused](Status status) {
                    if (status.code() == StatusCode::kUnavailable) *refused = true;
                  });
    std::this_thread::yield();
  }
  gate.release();
  closer.join();
  for (int i = 0; i < 5; ++i) BOOST_TEST((completions.code(std::to_string(i)) == StatusCode::kOk));
  BOOST_TEST(database.items().size() == 5u);
  writer.close();  // idempotent
  Completions late;
  writer.submit(insert_item("late", 1), late.record("late"));
  BOOST_TEST((late.code("late") == StatusCode::kUnavailable));
}

BOOST_AUTO_TEST_CASE(a_throwing_completion_or_action_does_not_stop_the_writer) {
  TestDatabase database;
  Completions completions;
  GroupCommit writer(database.open_writer(), 1024);
  writer.submit(
      [](Connection& connection, AfterCommitActions& after_commit) {
        after_commit.push_back([] { throw std::runtime_error("action"); });
        return insert_item("first", 1)(connection, after_commit);
      },
      [](Status) { throw std::runtime_error("completion"); });
  writer.submit(insert_item("second", 2), completions.record("second"));
  completions.wait_for(1);
  BOOST_TEST((completions.code("second") == StatusCode::kOk));
  writer.close();
  BOOST_TEST(database.items().size() == 2u);
}

BOOST_AUTO_TEST_CASE(many_concurrent_writers_share_commits) {
  TestDatabase database;
  constexpr int kThreads = 16, kWritesEach = 50;
  GroupCommit writer(database.open_writer(), 1024);
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesEach; ++i) {
        std::promise<Status> done;
        writer.submit(insert_item(std::to_string(t) + "-" + std::to_string(i), i),
                      [&](Status status) { done.set_value(status); });
        if (done.get_future().get().is_ok()) ++acknowledged;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const uint64_t commits = writer.commit_count();
  writer.close();
  BOOST_TEST(acknowledged == kThreads * kWritesEach);
  BOOST_TEST_MESSAGE("writes: " << acknowledged << ", commits: " << commits);
  BOOST_TEST(commits < uint64_t(acknowledged));
  BOOST_TEST(database.items().size() == size_t(kThreads * kWritesEach));
}
