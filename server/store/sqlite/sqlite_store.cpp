// SqliteStore: reads on a pool of connections, writes grouped into shared commits by one writer thread.
#include "server/store/sqlite/sqlite_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "server/store/sqlite/object_rows.hpp"
#include "server/store/sqlite/schema.hpp"

namespace edgesync {
namespace {

int64_t wall_clock_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void bind_key(SQLite::Statement& statement, const ResourceKey& key) {
  statement.bind(1, key.org);
  statement.bind(2, key.object_type);
  statement.bind(3, key.object_id);
}

Result<StoredObject> select_object(SQLite::Database& database, const ResourceKey& key) {
  SQLite::Statement statement(database, std::string("SELECT ") + sqlite_rows::kObjectColumns +
                                            " FROM objects WHERE org = ? AND object_type = ? AND object_id = ?");
  bind_key(statement, key);
  if (!statement.executeStep()) return Status::not_found();
  return sqlite_rows::read_object(statement);
}

Result<std::vector<StoredObject>> collect_objects(SQLite::Statement& statement) {
  std::vector<StoredObject> objects;
  while (statement.executeStep()) {
    auto object = sqlite_rows::read_object(statement);
    if (!object) return object.status();
    objects.push_back(std::move(*object));
  }
  return objects;
}

// The operations of one write, on the writer's connection inside the batch's transaction.
class SqliteWriteTransaction final : public WriteTransaction {
 public:
  SqliteWriteTransaction(SQLite::Database& database, int64_t& last_instance_id,
                         std::vector<std::function<void()>>& after_commit)
      : database_(database), last_instance_id_(last_instance_id), after_commit_(after_commit) {}

  Result<StoredObject> get_object(const ResourceKey& key) override { return select_object(database_, key); }

  Status put_object(const StoredObject& object) override {
    sqlite_rows::write_object(database_, object);
    return Status::ok();
  }

  Status delete_object(const ResourceKey& key) override {
    SQLite::Statement statement(database_, "DELETE FROM objects WHERE org = ? AND object_type = ? AND object_id = ?");
    bind_key(statement, key);
    return statement.exec() > 0 ? Status::ok() : Status::not_found();
  }

  int64_t next_instance_id() override {
    // MMS's timebase: wall-clock nanoseconds, but never backwards (a clock step or a restart).
    last_instance_id_ = std::max(last_instance_id_ + 1, wall_clock_nanos());
    SQLite::Statement statement(database_, "INSERT OR REPLACE INTO timebase (id, last_instance_id) VALUES (1, ?)");
    statement.bind(1, last_instance_id_);
    statement.exec();
    return last_instance_id_;
  }

  Status add_webhook(const std::string& org, const std::string& object_type, const std::string& url) override {
    SQLite::Statement statement(database_, "INSERT OR IGNORE INTO webhooks (org, object_type, url) VALUES (?, ?, ?)");
    statement.bind(1, org);
    statement.bind(2, object_type);
    statement.bind(3, url);
    statement.exec();
    return Status::ok();
  }

  Status remove_webhook(const std::string& org, const std::string& object_type, const std::string& url) override {
    SQLite::Statement statement(database_, "DELETE FROM webhooks WHERE org = ? AND object_type = ? AND url = ?");
    statement.bind(1, org);
    statement.bind(2, object_type);
    statement.bind(3, url);
    statement.exec();
    return Status::ok();
  }

  Result<UploadState> get_upload(const ResourceKey& key) override {
    SQLite::Statement statement(database_, std::string("SELECT ") + sqlite_rows::kUploadColumns +
                                               " FROM uploads WHERE org = ? AND object_type = ? AND object_id = ?");
    bind_key(statement, key);
    if (!statement.executeStep()) return Status::not_found();
    return sqlite_rows::read_upload(statement);
  }

  Status put_upload(const UploadState& upload) override {
    sqlite_rows::write_upload(database_, upload);
    return Status::ok();
  }

  Status delete_upload(const ResourceKey& key) override {
    SQLite::Statement statement(database_, "DELETE FROM uploads WHERE org = ? AND object_type = ? AND object_id = ?");
    bind_key(statement, key);
    statement.exec();
    return Status::ok();
  }

  void after_commit(std::function<void()> action) override { after_commit_.push_back(std::move(action)); }

 private:
  SQLite::Database& database_;
  int64_t& last_instance_id_;
  std::vector<std::function<void()>>& after_commit_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(SqliteStoreOptions options, std::unique_ptr<SQLite::Database> writer, int64_t last_instance_id,
              std::vector<std::unique_ptr<SQLite::Database>> readers)
      : options_(std::move(options)),
        writer_(std::move(writer)),
        last_instance_id_(last_instance_id),
        idle_readers_(std::move(readers)) {
    writer_thread_ = std::thread([this] { write_loop(); });
  }

  ~SqliteStore() override { close(); }

  // ---- reads -------------------------------------------------------------------------------
  Result<StoredObject> get_object(const ResourceKey& key) override {
    return with_reader<StoredObject>([&](SQLite::Database& database) { return select_object(database, key); });
  }

  Result<std::vector<StoredObject>> list_objects(const ObjectFilter& filter) override {
    return with_reader<std::vector<StoredObject>>([&](SQLite::Database& database) {
      std::string sql = std::string("SELECT ") + sqlite_rows::kObjectColumns + " FROM objects WHERE org = ?";
      if (filter.object_type) sql += " AND object_type = ?";
      if (filter.originated_here) sql += " AND originated_here = ?";
      if (!filter.statuses.empty()) {
        sql += " AND status IN (";
        for (size_t i = 0; i < filter.statuses.size(); ++i) sql += i == 0 ? "?" : ", ?";
        sql += ")";
      }
      sql += " ORDER BY object_type, object_id";
      SQLite::Statement statement(database, sql);
      int index = 1;
      statement.bind(index++, filter.org);
      if (filter.object_type) statement.bind(index++, *filter.object_type);
      if (filter.originated_here) statement.bind(index++, *filter.originated_here ? 1 : 0);
      for (ObjectStatus status : filter.statuses) statement.bind(index++, std::string(to_string(status)));
      return collect_objects(statement);
    });
  }

  Result<std::vector<std::string>> list_webhooks(const std::string& org, const std::string& object_type) override {
    return with_reader<std::vector<std::string>>([&](SQLite::Database& database) -> Result<std::vector<std::string>> {
      SQLite::Statement statement(database, "SELECT url FROM webhooks WHERE org = ? AND object_type = ? ORDER BY url");
      statement.bind(1, org);
      statement.bind(2, object_type);
      std::vector<std::string> urls;
      while (statement.executeStep()) urls.push_back(statement.getColumn(0).getString());
      return urls;
    });
  }

  Result<std::vector<StoredObject>> list_due_activations(SystemTime now) override {
    return list_due("activation_at_ms", now);
  }
  Result<std::vector<StoredObject>> list_expired(SystemTime now) override { return list_due("expires_at_ms", now); }

  Result<int64_t> count_objects() override {
    return with_reader<int64_t>([](SQLite::Database& database) -> Result<int64_t> {
      return database.execAndGet("SELECT count(*) FROM objects").getInt64();
    });
  }

  Result<std::vector<std::string>> referenced_files() override {
    return with_reader<std::vector<std::string>>([](SQLite::Database& database) -> Result<std::vector<std::string>> {
      SQLite::Statement statement(database,
                                  "SELECT data_file FROM objects WHERE data_file != '' UNION ALL "
                                  "SELECT part_file FROM uploads");
      std::vector<std::string> files;
      while (statement.executeStep()) files.push_back(statement.getColumn(0).getString());
      return files;
    });
  }

  // ---- writes ------------------------------------------------------------------------------
  void submit_write(WriteFunction write, WriteCompletion on_durable) override {
    {
      std::lock_guard lock(queue_mutex_);
      if (!closing_) {
        queue_.push_back({std::move(write), std::move(on_durable)});
        queue_ready_.notify_one();
        return;
      }
    }
    on_durable(Status::unavailable("the store is closed"));
  }

  void close() override {
    {
      std::lock_guard lock(queue_mutex_);
      if (closing_) return;
      closing_ = true;
      queue_ready_.notify_all();
    }
    if (writer_thread_.joinable()) writer_thread_.join();
    try {
      writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const SQLite::Exception& error) {
      spdlog::warn("checkpoint at close failed: {}", error.what());
    }
    std::lock_guard lock(reader_mutex_);
    idle_readers_.clear();
    writer_.reset();
  }

  uint64_t commit_count() const { return commits_.load(); }

 private:
  struct PendingWrite {
    WriteFunction write;
    WriteCompletion on_durable;
  };

  template <class T, class Work>
  Result<T> with_reader(Work work) {
    std::unique_ptr<SQLite::Database> reader;
    {
      std::unique_lock lock(reader_mutex_);
      reader_available_.wait(lock, [&] { return !idle_readers_.empty() || writer_ == nullptr; });
      if (idle_readers_.empty()) return Status::unavailable("the store is closed");
      reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
    Result<T> result = Status::internal("unset");
    try {
      result = work(*reader);
    } catch (const SQLite::Exception& error) {
      result = Status::io_error(std::string("database read failed: ") + error.what());
    }
    {
      std::lock_guard lock(reader_mutex_);
      idle_readers_.push_back(std::move(reader));
    }
    reader_available_.notify_one();
    return result;
  }

  Result<std::vector<StoredObject>> list_due(const char* column, SystemTime now) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    return with_reader<std::vector<StoredObject>>([&](SQLite::Database& database) {
      SQLite::Statement statement(database, std::string("SELECT ") + sqlite_rows::kObjectColumns +
                                                " FROM objects WHERE " + column + " <= ? ORDER BY " + column);
      statement.bind(1, now_ms);
      return collect_objects(statement);
    });
  }

  void write_loop() {
    std::vector<PendingWrite> batch;
    while (true) {
      {
        std::unique_lock lock(queue_mutex_);
        queue_ready_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;  // closing and drained
        const size_t count = std::min<size_t>(queue_.size(), options_.max_batch_writes);
        batch.clear();
        for (size_t i = 0; i < count; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      commit_batch(batch);
    }
  }

  // One transaction for the whole batch, a savepoint per write so that a failing write rolls back
  // alone; one COMMIT (one fsync in WAL mode) for all of them.
  void commit_batch(std::vector<PendingWrite>& batch) {
    std::vector<Status> results(batch.size());
    std::vector<std::vector<std::function<void()>>> after_commit(batch.size());
    const int64_t instance_before = last_instance_id_;
    try {
      writer_->exec("BEGIN IMMEDIATE");
    } catch (const SQLite::Exception& error) {
      for (auto& pending : batch) pending.on_durable(Status::io_error(std::string("database busy: ") + error.what()));
      return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      SqliteWriteTransaction transaction(*writer_, last_instance_id_, after_commit[i]);
      try {
        writer_->exec("SAVEPOINT write");
        results[i] = batch[i].write(transaction);
      } catch (const SQLite::Exception& error) {
        results[i] = Status::io_error(std::string("database write failed: ") + error.what());
      } catch (const std::exception& error) {
        results[i] = Status::internal(error.what());
      }
      try {
        if (!results[i]) {
          writer_->exec("ROLLBACK TO write");
          after_commit[i].clear();
        }
        writer_->exec("RELEASE write");
      } catch (const SQLite::Exception& error) {
        results[i] = Status::io_error(std::string("database write failed: ") + error.what());
      }
    }
    try {
      writer_->exec("COMMIT");
      ++commits_;
    } catch (const SQLite::Exception& error) {
      try {
        writer_->exec("ROLLBACK");
      } catch (const SQLite::Exception&) {
      }
      last_instance_id_ = std::max(last_instance_id_, instance_before);
      const Status failed = Status::io_error(std::string("commit failed: ") + error.what());
      for (auto& result : results) result = failed;
      for (auto& actions : after_commit) actions.clear();
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      for (auto& action : after_commit[i]) action();
      batch[i].on_durable(std::move(results[i]));
    }
  }

  SqliteStoreOptions options_;
  std::unique_ptr<SQLite::Database> writer_;  // used only by the writer thread (and close after it)
  int64_t last_instance_id_;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<PendingWrite> queue_;
  bool closing_ = false;
  std::thread writer_thread_;
  std::atomic<uint64_t> commits_{0};

  std::mutex reader_mutex_;
  std::condition_variable reader_available_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_readers_;
};

void configure(SQLite::Database& database) {
  database.exec("PRAGMA busy_timeout = 10000");
  database.exec("PRAGMA foreign_keys = ON");
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteStoreOptions& options) {
  try {
    auto writer = std::make_unique<SQLite::Database>(
        options.database_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
    configure(*writer);
    const std::string mode = writer->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") return Status::io_error("cannot switch " + options.database_path + " to WAL mode");
    // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
    writer->exec("PRAGMA synchronous = FULL");
    if (Status status = migrate_schema(*writer); !status) return status;
    const int64_t last_instance_id =
        writer->execAndGet("SELECT coalesce((SELECT last_instance_id FROM timebase WHERE id = 1), 0)").getInt64();

    std::vector<std::unique_ptr<SQLite::Database>> readers;
    for (uint32_t i = 0; i < std::max(1u, options.read_connections); ++i) {
      auto reader =
          std::make_unique<SQLite::Database>(options.database_path, SQLite::OPEN_READONLY | SQLite::OPEN_FULLMUTEX);
      configure(*reader);
      readers.push_back(std::move(reader));
    }
    return std::unique_ptr<Store>(new SqliteStore(options, std::move(writer), last_instance_id, std::move(readers)));
  } catch (const SQLite::Exception& error) {
    return Status::io_error("cannot open " + options.database_path + ": " + error.what());
  }
}

uint64_t sqlite_store_commit_count(const Store& store) {
  const auto* sqlite = dynamic_cast<const SqliteStore*>(&store);
  return sqlite ? sqlite->commit_count() : 0;
}

}  // namespace edgesync
