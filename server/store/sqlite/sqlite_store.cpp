// SqliteStore: reads on a pool of read-only connections, writes grouped into shared commits by
// GroupCommit's writer thread.
#include "server/store/sqlite/sqlite_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

#include "server/store/sqlite/acl_rows.hpp"
#include "server/store/sqlite/connection.hpp"
#include "server/store/sqlite/delivery_rows.hpp"
#include "server/store/sqlite/event_rows.hpp"
#include "server/store/sqlite/group_commit.hpp"
#include "server/store/sqlite/object_cache.hpp"
#include "server/store/sqlite/object_rows.hpp"
#include "server/store/sqlite/owner_rows.hpp"
#include "server/store/sqlite/schema.hpp"

namespace edgesync {
namespace {

const std::string kSelectObject = std::string("SELECT ") + sqlite_rows::kObjectColumns +
                                  " FROM objects WHERE org = ? AND object_type = ? AND object_id = ?";
const std::string kSelectUpload = std::string("SELECT ") + sqlite_rows::kUploadColumns +
                                  " FROM uploads WHERE org = ? AND object_type = ? AND object_id = ?";

int64_t wall_clock_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void bind_key(SQLite::Statement& statement, const ResourceKey& key) {
  statement.bind(1, key.org);
  statement.bind(2, key.object_type);
  statement.bind(3, key.object_id);
}

Result<StoredObject> select_object(Connection& connection, const ResourceKey& key) {
  auto statement = connection.statement(kSelectObject);
  bind_key(*statement, key);
  if (!statement->executeStep()) return Status::not_found();
  return sqlite_rows::read_object(*statement);
}

Result<UploadState> select_upload(Connection& connection, const ResourceKey& key) {
  auto statement = connection.statement(kSelectUpload);
  bind_key(*statement, key);
  if (!statement->executeStep()) return Status::not_found();
  return sqlite_rows::read_upload(*statement);
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

using EventListener = std::function<void(const std::string& org)>;

int64_t wall_clock_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The operations of one write, on the writer's connection inside the batch's transaction. SQLite
// errors propagate as exceptions; GroupCommit turns them into this write's kIoError.
class SqliteWriteTransaction final : public WriteTransaction {
 public:
  SqliteWriteTransaction(Connection& connection, int64_t& last_instance_id, AfterCommitActions& after_commit,
                         ObjectCache& cache, const EventListener& event_listener)
      : connection_(connection),
        last_instance_id_(last_instance_id),
        after_commit_(after_commit),
        cache_(cache),
        event_listener_(event_listener) {}

  Result<StoredObject> get_object(const ResourceKey& key) override { return select_object(connection_, key); }

  Status put_object(const StoredObject& object) override {
    sqlite_rows::write_object(connection_, object);
    invalidate_after_commit(object.key());
    return Status::ok();
  }

  Status delete_object(const ResourceKey& key) override {
    auto statement = connection_.statement("DELETE FROM objects WHERE org = ? AND object_type = ? AND object_id = ?");
    bind_key(*statement, key);
    if (statement->exec() == 0) return Status::not_found();
    invalidate_after_commit(key);
    return Status::ok();
  }

  int64_t next_instance_id() override {
    // MMS's timebase: wall-clock nanoseconds, but never backwards (a clock step or a restart). The
    // in-memory value is not lowered when the write rolls back, so an id handed out once is never
    // handed out again even if its write failed.
    last_instance_id_ = std::max(last_instance_id_ + 1, wall_clock_nanos());
    auto statement = connection_.statement("INSERT OR REPLACE INTO timebase (id, last_instance_id) VALUES (1, ?)");
    statement->bind(1, last_instance_id_);
    statement->exec();
    return last_instance_id_;
  }

  Status add_webhook(const std::string& org, const std::string& object_type, const std::string& url) override {
    auto statement = connection_.statement("INSERT OR IGNORE INTO webhooks (org, object_type, url) VALUES (?, ?, ?)");
    bind_webhook(*statement, org, object_type, url);
    statement->exec();
    return Status::ok();
  }

  Status remove_webhook(const std::string& org, const std::string& object_type, const std::string& url) override {
    auto statement = connection_.statement("DELETE FROM webhooks WHERE org = ? AND object_type = ? AND url = ?");
    bind_webhook(*statement, org, object_type, url);
    statement->exec();
    return Status::ok();
  }

  Result<UploadState> get_upload(const ResourceKey& key) override { return select_upload(connection_, key); }

  Status put_acl_entry(const AclEntry& entry) override { return sqlite_rows::write_acl_entry(connection_, entry); }
  Status delete_acl_entry(const AclEntry& entry) override { return sqlite_rows::remove_acl_entry(connection_, entry); }
  Status put_organization(const Organization& organization) override {
    return sqlite_rows::write_organization(connection_, organization);
  }
  Status delete_organization(const std::string& org, std::vector<std::string>& removed_files) override {
    Status status = sqlite_rows::remove_organization(connection_, org, removed_files);
    if (status) sqlite_rows::erase_org_events(connection_, org);
    // Every cached object of the org may be gone.
    after_commit_.push_back([&cache = cache_] { cache.clear(); });
    return status;
  }

  Status put_upload(const UploadState& upload) override {
    sqlite_rows::write_upload(connection_, upload);
    return Status::ok();
  }

  Status delete_upload(const ResourceKey& key) override {
    auto statement = connection_.statement("DELETE FROM uploads WHERE org = ? AND object_type = ? AND object_id = ?");
    bind_key(*statement, key);
    statement->exec();
    return Status::ok();
  }

  Result<Destination> get_destination(const NodeAddress& node) override {
    return sqlite_rows::select_destination(connection_, node);
  }
  Result<std::vector<Destination>> list_destinations(const std::string& org) override {
    return sqlite_rows::select_destinations(connection_, org);
  }
  Status put_destination(const Destination& destination) override {
    sqlite_rows::write_destination(connection_, destination);
    return Status::ok();
  }
  Status delete_destination(const NodeAddress& node) override {
    sqlite_rows::erase_destination(connection_, node);
    return Status::ok();
  }
  Result<Delivery> get_delivery(const ResourceKey& key, const NodeAddress& peer) override {
    return sqlite_rows::select_delivery(connection_, key, peer);
  }
  Result<std::vector<Delivery>> list_deliveries(const ResourceKey& key) override {
    return sqlite_rows::select_deliveries(connection_, key);
  }
  Status put_delivery(const Delivery& delivery) override {
    auto existing = sqlite_rows::select_delivery(connection_, delivery.key, delivery.peer);
    // A notification that becomes pending (or changes) goes to the back of its peer's queue; an
    // unchanged one keeps its place.
    int64_t sequence = 0;
    if (!delivery.pending.empty()) {
      sequence = existing && existing->pending == delivery.pending && existing->instance_id == delivery.instance_id
                     ? pending_sequence(delivery)
                     : next_instance_id();
    }
    sqlite_rows::write_delivery(connection_, delivery, sequence);
    // Every per-destination status passes through here, whoever changes it (planner, acknowledgements,
    // feedback, metasync repairs, an edge's outbox): recording the change here is what makes the event
    // stream miss none. A write that leaves the status as it was records nothing.
    const std::string previous = existing ? existing->status : std::string();
    if (previous != delivery.status) {
      Event event;
      event.org = delivery.key.org;
      event.time_ms = delivery.updated_at_ms > 0 ? delivery.updated_at_ms : wall_clock_millis();
      event.type = event_type::kDestinationStatusChanged;
      event.object_type = delivery.key.object_type;
      event.object_id = delivery.key.object_id;
      event.instance_id = delivery.instance_id;
      event.dest_type = delivery.peer.dest_type;
      event.dest_id = delivery.peer.dest_id;
      event.status = delivery.status;
      event.previous_status = previous;
      event.detail = delivery.status == delivery_status::kError ? delivery.message : std::string();
      return append_event(event);
    }
    return Status::ok();
  }
  Status delete_delivery(const ResourceKey& key, const NodeAddress& peer) override {
    sqlite_rows::erase_delivery(connection_, key, peer);
    return Status::ok();
  }
  Status delete_deliveries(const ResourceKey& key) override {
    sqlite_rows::erase_deliveries(connection_, key);
    return Status::ok();
  }

  Status set_owner_links(const ResourceKey& ownee, const std::vector<OwnerReference>& owners, int64_t now_ms) override {
    sqlite_rows::replace_owner_links(connection_, ownee, owners, now_ms);
    return Status::ok();
  }
  Result<std::vector<OwnerLink>> list_ownee_links(const ResourceKey& owner, size_t limit) override {
    return sqlite_rows::select_ownee_links(connection_, owner, limit);
  }
  Status mark_owner_link_validated(const ResourceKey& ownee, const ResourceKey& owner) override {
    sqlite_rows::set_owner_link_validated(connection_, ownee, owner);
    return Status::ok();
  }
  Status queue_owner_cascade(const ResourceKey& owner, int64_t now_ms) override {
    sqlite_rows::insert_owner_cascade(connection_, owner, now_ms);
    return Status::ok();
  }
  Status finish_owner_cascade(const ResourceKey& owner) override {
    sqlite_rows::erase_owner_cascade(connection_, owner);
    return Status::ok();
  }

  Status append_event(const Event& event) override {
    sqlite_rows::insert_event(connection_, event);
    // One wake per org and write: a fan-out to thousands of nodes records thousands of status events.
    if (event_listener_ && orgs_to_wake_.insert(event.org).second) {
      after_commit_.push_back([&listener = event_listener_, org = event.org] { listener(org); });
    }
    return Status::ok();
  }
  Result<size_t> prune_events(const EventRetention& retention, int64_t now_ms, size_t batch) override {
    return sqlite_rows::prune_events(connection_, retention, now_ms, batch);
  }

  void after_commit(std::function<void()> action) override { after_commit_.push_back(std::move(action)); }

 private:
  int64_t pending_sequence(const Delivery& delivery) {
    auto statement = connection_.statement(
        "SELECT pending_seq FROM deliveries WHERE org = ? AND object_type = ? AND object_id = ? AND peer_type = ? "
        "AND peer_id = ?");
    bind_key(*statement, delivery.key);
    statement->bind(4, delivery.peer.dest_type);
    statement->bind(5, delivery.peer.dest_id);
    return statement->executeStep() ? statement->getColumn(0).getInt64() : next_instance_id();
  }

  static void bind_webhook(SQLite::Statement& statement, const std::string& org, const std::string& object_type,
                           const std::string& url) {
    statement.bind(1, org);
    statement.bind(2, object_type);
    statement.bind(3, url);
  }

  Connection& connection_;
  int64_t& last_instance_id_;
  AfterCommitActions& after_commit_;
  ObjectCache& cache_;
  const EventListener& event_listener_;
  std::set<std::string> orgs_to_wake_;  // orgs this write's events will wake after the commit

  // After the COMMIT and before the write is acknowledged (object_cache.hpp) — and before the write's
  // other after-commit actions: those may hand the change to another thread (an observer waking the
  // uplink), which must not read the version this write replaced from the cache.
  void invalidate_after_commit(const ResourceKey& key) {
    after_commit_.insert(after_commit_.begin(), [&cache = cache_, key] { cache.invalidate(key); });
  }
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, uint32_t max_batch_writes, int64_t last_instance_id,
              std::vector<std::unique_ptr<Connection>> readers)
      : last_instance_id_(last_instance_id),
        idle_readers_(std::move(readers)),
        group_commit_(std::make_unique<GroupCommit>(std::move(writer), max_batch_writes)) {}

  ~SqliteStore() override { close(); }

  // ---- reads -------------------------------------------------------------------------------
  Result<StoredObject> get_object(const ResourceKey& key) override {
    auto snapshot = get_object_snapshot(key);
    if (!snapshot) return snapshot.status();
    return (*snapshot)->object;
  }

  Result<std::shared_ptr<const ObjectSnapshot>> get_object_snapshot(const ResourceKey& key) override {
    if (auto cached = object_cache_.find(key)) return cached;
    const uint64_t generation = object_cache_.generation();
    auto object = with_reader<StoredObject>([&](Connection& connection) { return select_object(connection, key); });
    if (!object) return object.status();
    auto snapshot = make_object_snapshot(std::move(*object));
    object_cache_.insert(snapshot, generation);
    return snapshot;
  }

  Result<UploadState> get_upload(const ResourceKey& key) override {
    return with_reader<UploadState>([&](Connection& connection) { return select_upload(connection, key); });
  }

  Result<std::vector<StoredObject>> list_objects(const ObjectFilter& filter) override {
    return with_reader<std::vector<StoredObject>>([&](Connection& connection) {
      // The primary key (org, object_type, object_id) serves the org and type prefix and the order.
      std::string sql = std::string("SELECT ") + sqlite_rows::kObjectColumns + " FROM objects WHERE org = ?";
      if (filter.object_type) sql += " AND object_type = ?";
      if (filter.originated_here) sql += " AND originated_here = ?";
      if (!filter.statuses.empty()) {
        sql += " AND status IN (";
        for (size_t i = 0; i < filter.statuses.size(); ++i) sql += i == 0 ? "?" : ", ?";
        sql += ")";
      }
      sql += " ORDER BY object_type, object_id";
      auto statement = connection.statement(sql);
      int index = 1;
      statement->bind(index++, filter.org);
      if (filter.object_type) statement->bind(index++, *filter.object_type);
      if (filter.originated_here) statement->bind(index++, *filter.originated_here ? 1 : 0);
      for (ObjectStatus status : filter.statuses) statement->bind(index++, std::string(to_string(status)));
      return collect_objects(*statement);
    });
  }

  Result<std::vector<std::string>> list_webhooks(const std::string& org, const std::string& object_type) override {
    return with_reader<std::vector<std::string>>([&](Connection& connection) -> Result<std::vector<std::string>> {
      auto statement = connection.statement("SELECT url FROM webhooks WHERE org = ? AND object_type = ? ORDER BY url");
      statement->bind(1, org);
      statement->bind(2, object_type);
      std::vector<std::string> urls;
      while (statement->executeStep()) urls.push_back(statement->getColumn(0).getString());
      return urls;
    });
  }

  Result<std::vector<StoredObject>> list_due_activations(SystemTime now) override {
    return list_due("activation_at_ms", now);
  }
  Result<std::vector<StoredObject>> list_expired(SystemTime now) override { return list_due("expires_at_ms", now); }

  Result<int64_t> count_objects() override {
    return with_reader<int64_t>([](Connection& connection) -> Result<int64_t> {
      auto statement = connection.statement("SELECT count(*) FROM objects");
      statement->executeStep();
      return statement->getColumn(0).getInt64();
    });
  }
  Result<DeliveryCounts> count_deliveries() override {
    return with_reader<DeliveryCounts>([](Connection& connection) -> Result<DeliveryCounts> {
      DeliveryCounts counts;
      auto by_status = connection.statement("SELECT status, count(*) FROM deliveries GROUP BY status ORDER BY status");
      while (by_status->executeStep())
        counts.by_status.emplace_back(by_status->getColumn(0).getString(), by_status->getColumn(1).getInt64());
      // The partial index deliveries_pending holds exactly these rows.
      auto pending = connection.statement("SELECT count(*) FROM deliveries WHERE pending != ''");
      pending->executeStep();
      counts.pending = pending->getColumn(0).getInt64();
      return counts;
    });
  }

  void write_metrics(metrics::Exposition& out) const override {
    const GroupCommit& commits = *group_commit_;
    out.family("edgesync_store_commit_queue_depth", "gauge", "Writes queued for the next group commit.");
    out.sample("edgesync_store_commit_queue_depth", {}, commits.queued());
    out.family("edgesync_store_commits_total", "counter", "Group commits (transactions) that succeeded.");
    out.sample("edgesync_store_commits_total", {}, commits.commit_count());
    out.family("edgesync_store_commit_batch_size", "histogram", "Writes that shared one group commit.");
    out.histogram("edgesync_store_commit_batch_size", {}, commits.batch_sizes());
    out.family("edgesync_store_commit_duration_seconds", "histogram",
               "Time of one COMMIT, the fsync of the WAL every write of its batch waits for.");
    out.histogram("edgesync_store_commit_duration_seconds", {}, commits.commit_micros());
  }

  Result<Destination> get_destination(const NodeAddress& node) override {
    return with_reader<Destination>(
        [&](Connection& connection) { return sqlite_rows::select_destination(connection, node); });
  }
  Result<std::vector<Destination>> list_destinations(const std::string& org) override {
    return with_reader<std::vector<Destination>>([&](Connection& connection) -> Result<std::vector<Destination>> {
      return sqlite_rows::select_destinations(connection, org);
    });
  }
  Result<Delivery> get_delivery(const ResourceKey& key, const NodeAddress& peer) override {
    return with_reader<Delivery>(
        [&](Connection& connection) { return sqlite_rows::select_delivery(connection, key, peer); });
  }
  Result<std::vector<Delivery>> list_deliveries(const ResourceKey& key) override {
    return with_reader<std::vector<Delivery>>([&](Connection& connection) -> Result<std::vector<Delivery>> {
      return sqlite_rows::select_deliveries(connection, key);
    });
  }
  Result<std::vector<Delivery>> list_deliveries_to(const NodeAddress& peer, bool pending_only) override {
    return with_reader<std::vector<Delivery>>([&](Connection& connection) -> Result<std::vector<Delivery>> {
      return sqlite_rows::select_deliveries_to(connection, peer, pending_only);
    });
  }

  Result<std::vector<AclEntry>> list_acl(AclKind kind, const std::string& org,
                                         const std::optional<std::string>& key) override {
    return with_reader<std::vector<AclEntry>>([&](Connection& connection) -> Result<std::vector<AclEntry>> {
      return sqlite_rows::select_acl(connection, kind, org, key);
    });
  }

  Result<std::vector<Organization>> list_organizations() override {
    return with_reader<std::vector<Organization>>([](Connection& connection) -> Result<std::vector<Organization>> {
      return sqlite_rows::select_organizations(connection);
    });
  }

  Result<std::vector<Event>> list_events(const std::string& org, int64_t after_seq, size_t limit) override {
    return with_reader<std::vector<Event>>([&](Connection& connection) -> Result<std::vector<Event>> {
      return sqlite_rows::select_events(connection, org, after_seq, limit);
    });
  }
  Result<EventWindow> event_window(const std::string& org) override {
    return with_reader<EventWindow>([&](Connection& connection) -> Result<EventWindow> {
      return sqlite_rows::select_event_window(connection, org);
    });
  }
  void set_event_listener(EventListener listener) override { event_listener_ = std::move(listener); }

  Result<std::vector<std::string>> referenced_files() override {
    return with_reader<std::vector<std::string>>([](Connection& connection) -> Result<std::vector<std::string>> {
      auto statement = connection.statement(
          "SELECT data_file FROM objects WHERE data_file != '' UNION ALL SELECT part_file FROM uploads");
      std::vector<std::string> files;
      while (statement->executeStep()) files.push_back(statement->getColumn(0).getString());
      return files;
    });
  }

  Result<std::vector<ResourceKey>> list_owner_cascades(size_t limit) override {
    return with_reader<std::vector<ResourceKey>>([&](Connection& connection) -> Result<std::vector<ResourceKey>> {
      return sqlite_rows::select_owner_cascades(connection, limit);
    });
  }
  Result<std::vector<OwnerLink>> list_unvalidated_owner_links(int64_t seen_before_ms, size_t limit) override {
    return with_reader<std::vector<OwnerLink>>([&](Connection& connection) -> Result<std::vector<OwnerLink>> {
      return sqlite_rows::select_unvalidated_owner_links(connection, seen_before_ms, limit);
    });
  }

  // ---- writes ------------------------------------------------------------------------------
  void submit_write(WriteFunction write, WriteCompletion on_durable) override {
    group_commit_->submit(
        [this, write = std::move(write)](Connection& connection, AfterCommitActions& after_commit) {
          // last_instance_id_ is touched only here, on the writer thread.
          SqliteWriteTransaction transaction(connection, last_instance_id_, after_commit, object_cache_,
                                             event_listener_);
          return write(transaction);
        },
        std::move(on_durable));
  }

  void close() override {
    // Writes first: their completions may still read.
    group_commit_->close();
    std::vector<std::unique_ptr<Connection>> closing;
    {
      std::lock_guard lock(reader_mutex_);
      readers_closed_ = true;
      closing.swap(idle_readers_);
    }
    reader_available_.notify_all();
  }

  uint64_t commit_count() const override { return group_commit_->commit_count(); }

 private:
  // Borrows an idle read connection for one call. Readers never wait for the writer (WAL); they wait
  // only for each other when every pooled connection is busy.
  template <class T, class Work>
  Result<T> with_reader(Work work) {
    std::unique_ptr<Connection> reader;
    {
      std::unique_lock lock(reader_mutex_);
      reader_available_.wait(lock, [&] { return !idle_readers_.empty() || readers_closed_; });
      if (readers_closed_) return Status::unavailable("the store is closed");
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
      if (!readers_closed_) {
        idle_readers_.push_back(std::move(reader));
      }
    }
    reader_available_.notify_one();
    return result;  // a reader returned after close() is closed here, outside the lock
  }

  Result<std::vector<StoredObject>> list_due(const char* column, SystemTime now) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    return with_reader<std::vector<StoredObject>>([&](Connection& connection) {
      // Served by the partial index on the column (NULL for objects without a pending timer).
      auto statement = connection.statement(std::string("SELECT ") + sqlite_rows::kObjectColumns +
                                            " FROM objects WHERE " + column + " <= ? ORDER BY " + column);
      statement->bind(1, now_ms);
      return collect_objects(*statement);
    });
  }

  int64_t last_instance_id_;      // the writer thread's alone
  EventListener event_listener_;  // set before the first write, then only read (by the writer thread)
  // Recently read object rows: a few MiB at most (a row is a few hundred bytes to a few KiB).
  ObjectCache object_cache_{1024};

  std::mutex reader_mutex_;
  std::condition_variable reader_available_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  bool readers_closed_ = false;

  // Last: its writer thread runs steps that use the members above, so it must stop before they go.
  std::unique_ptr<GroupCommit> group_commit_;
};

std::unique_ptr<Connection> open_connection(const std::string& path, int flags) {
  auto database = std::make_unique<SQLite::Database>(path, flags);
  // Another process (a backup tool, the sqlite3 shell) may hold the lock briefly; wait rather than fail.
  database->exec("PRAGMA busy_timeout = 10000");
  database->exec("PRAGMA foreign_keys = ON");
  return std::make_unique<Connection>(std::move(database));
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteStoreOptions& options) {
  // Every connection must reach the same file: an in-memory or temporary database would give each
  // reader a database of its own.
  if (options.database_path.empty() || options.database_path == ":memory:" ||
      options.database_path.starts_with("file:")) {
    return Status::invalid("the store needs the path of a database file, not \"" + options.database_path + "\"");
  }
  try {
    auto writer = open_connection(options.database_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Database& database = writer->database();
    const std::string mode = database.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") return Status::io_error("cannot switch " + options.database_path + " to WAL mode");
    // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss.
    database.exec("PRAGMA synchronous = FULL");
    if (Status status = migrate_schema(database); !status) {
      return Status(status.code(), options.database_path + ": " + status.message());
    }
    const int64_t last_instance_id =
        database.execAndGet("SELECT coalesce((SELECT last_instance_id FROM timebase WHERE id = 1), 0)").getInt64();

    std::vector<std::unique_ptr<Connection>> readers;
    for (uint32_t i = 0; i < std::max(1u, options.read_connections); ++i) {
      readers.push_back(open_connection(options.database_path, SQLite::OPEN_READONLY));
    }
    return std::unique_ptr<Store>(
        new SqliteStore(std::move(writer), options.max_batch_writes, last_instance_id, std::move(readers)));
  } catch (const SQLite::Exception& error) {
    return Status::io_error("cannot open " + options.database_path + ": " + error.what());
  }
}

}  // namespace edgesync
