// PostgresStore: reads on a pool of connections, writes grouped into shared commits by GroupCommit's
// writer thread. The write operations mirror store/sqlite's SqliteWriteTransaction one for one.
#include "server/store/postgres/postgres_store.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <type_traits>

#include "server/store/postgres/acl_rows.hpp"
#include "server/store/postgres/blob_store.hpp"
#include "server/store/postgres/cluster_member.hpp"
#include "server/store/postgres/connection.hpp"
#include "server/store/postgres/delivery_rows.hpp"
#include "server/store/postgres/event_rows.hpp"
#include "server/store/postgres/group_commit.hpp"
#include "server/store/postgres/lease.hpp"
#include "server/store/postgres/object_rows.hpp"
#include "server/store/postgres/owner_rows.hpp"
#include "server/store/postgres/schema.hpp"

namespace edgesync {
namespace {

using EventListener = std::function<void(const std::string& org)>;

int64_t wall_clock_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t wall_clock_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The operations of one write, inside its savepoint of the batch's transaction. They are called by the
// caller's write function, which may be code of the host across the plugin boundary, where no exception
// may go (plugin/store_plugin.hpp): a database error is kept instead (guarded) and rethrown by the
// step once the write function has returned, so GroupCommit turns it into this write's error (or the
// batch's, for a lost connection) as it would the exception itself.
class PostgresWriteTransaction final : public WriteTransaction {
 public:
  PostgresWriteTransaction(pqxx::transaction_base& transaction, int64_t& last_instance_id,
                           pg::AfterCommitActions& after_commit, const EventListener& event_listener)
      : transaction_(transaction),
        last_instance_id_(last_instance_id),
        after_commit_(after_commit),
        event_listener_(event_listener) {}

  Result<StoredObject> get_object(const ResourceKey& key) override {
    return guarded([&] { return pg::select_object(transaction_, key); });
  }
  Status put_object(const StoredObject& object) override {
    return guarded([&] {
      pg::write_object(transaction_, object);
      return Status::ok();
    });
  }
  Status delete_object(const ResourceKey& key) override {
    return guarded([&] { return pg::erase_object(transaction_, key) == 0 ? Status::not_found() : Status::ok(); });
  }

  int64_t next_instance_id() override {
    return guarded([&] {
      // MMS's timebase: wall-clock nanoseconds, never backwards. The in-memory value is not lowered when
      // the write rolls back, so an id handed out once is never handed out again; the row only grows.
      // The row decides, not the in-memory value: other instances hand out ids from it too, and its
      // lock (held to the COMMIT) keeps two of them from taking the same one.
      last_instance_id_ = std::max(last_instance_id_ + 1, wall_clock_nanos());
      last_instance_id_ =
          pg::exec_cached(transaction_,
                          "INSERT INTO timebase (id, last_instance_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET "
                          "last_instance_id = GREATEST(timebase.last_instance_id + 1, excluded.last_instance_id) "
                          "RETURNING last_instance_id",
                          last_instance_id_)[0][0]
              .as<int64_t>();
      return last_instance_id_;
    });
  }

  Status add_webhook(const std::string& org, const std::string& object_type, const std::string& url) override {
    return guarded([&] {
      pg::exec_cached(transaction_,
                      "INSERT INTO webhooks (org, object_type, url) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", org,
                      object_type, url);
      return Status::ok();
    });
  }
  Status remove_webhook(const std::string& org, const std::string& object_type, const std::string& url) override {
    return guarded([&] {
      pg::exec_cached(transaction_, "DELETE FROM webhooks WHERE org = $1 AND object_type = $2 AND url = $3", org,
                      object_type, url);
      return Status::ok();
    });
  }

  Result<UploadState> get_upload(const ResourceKey& key) override {
    return guarded([&] { return pg::select_upload(transaction_, key); });
  }
  Status put_upload(const UploadState& upload) override {
    return guarded([&] {
      pg::write_upload(transaction_, upload);
      return Status::ok();
    });
  }
  Status delete_upload(const ResourceKey& key) override {
    return guarded([&] {
      pg::erase_upload(transaction_, key);
      return Status::ok();
    });
  }

  Status put_acl_entry(const AclEntry& entry) override {
    return guarded([&] {
      pg::write_acl_entry(transaction_, entry);
      return Status::ok();
    });
  }
  Status delete_acl_entry(const AclEntry& entry) override {
    return guarded([&] { return pg::remove_acl_entry(transaction_, entry); });
  }
  Status put_organization(const Organization& organization) override {
    return guarded([&] {
      pg::write_organization(transaction_, organization);
      return Status::ok();
    });
  }
  Status delete_organization(const std::string& org, std::vector<std::string>& removed_files) override {
    return guarded([&] {
      pg::remove_organization(transaction_, org, removed_files);
      pg::erase_org_events(transaction_, org);
      return Status::ok();
    });
  }

  Result<Destination> get_destination(const NodeAddress& node) override {
    return guarded([&] { return pg::select_destination(transaction_, node); });
  }
  Result<std::vector<Destination>> list_destinations(const std::string& org) override {
    return guarded([&]() -> Result<std::vector<Destination>> { return pg::select_destinations(transaction_, org); });
  }
  Status put_destination(const Destination& destination) override {
    return guarded([&] {
      pg::write_destination(transaction_, destination);
      return Status::ok();
    });
  }
  Status delete_destination(const NodeAddress& node) override {
    return guarded([&] {
      pg::erase_destination(transaction_, node);
      return Status::ok();
    });
  }
  Result<Delivery> get_delivery(const ResourceKey& key, const NodeAddress& peer) override {
    return guarded([&] { return pg::select_delivery(transaction_, key, peer); });
  }
  Result<std::vector<Delivery>> list_deliveries(const ResourceKey& key) override {
    return guarded([&]() -> Result<std::vector<Delivery>> { return pg::select_deliveries(transaction_, key); });
  }
  Status put_delivery(const Delivery& delivery) override {
    return guarded([&] {
      auto existing = pg::select_delivery(transaction_, delivery.key, delivery.peer);
      // A notification that becomes pending (or changes) goes to the back of its peer's queue; an
      // unchanged one keeps its place.
      int64_t sequence = 0;
      if (!delivery.pending.empty()) {
        std::optional<int64_t> kept;
        if (existing && existing->pending == delivery.pending && existing->instance_id == delivery.instance_id) {
          kept = pg::select_pending_sequence(transaction_, delivery);
        }
        sequence = kept ? *kept : next_instance_id();
      }
      pg::write_delivery(transaction_, delivery, sequence);
      // Every per-destination status passes through here: recording the change here is what makes the
      // event stream miss none. A write that leaves the status as it was records nothing.
      const std::string previous = existing ? existing->status : std::string();
      if (previous == delivery.status) return Status::ok();
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
    });
  }
  Status delete_delivery(const ResourceKey& key, const NodeAddress& peer) override {
    return guarded([&] {
      pg::erase_delivery(transaction_, key, peer);
      return Status::ok();
    });
  }
  Status delete_deliveries(const ResourceKey& key) override {
    return guarded([&] {
      pg::erase_deliveries(transaction_, key);
      return Status::ok();
    });
  }

  Status set_owner_links(const ResourceKey& ownee, const std::vector<OwnerReference>& owners, int64_t now_ms) override {
    return guarded([&] {
      pg::replace_owner_links(transaction_, ownee, owners, now_ms);
      return Status::ok();
    });
  }
  Result<std::vector<OwnerLink>> list_ownee_links(const ResourceKey& owner, size_t limit) override {
    return guarded(
        [&]() -> Result<std::vector<OwnerLink>> { return pg::select_ownee_links(transaction_, owner, limit); });
  }
  Status mark_owner_link_validated(const ResourceKey& ownee, const ResourceKey& owner) override {
    return guarded([&] {
      pg::set_owner_link_validated(transaction_, ownee, owner);
      return Status::ok();
    });
  }
  Status queue_owner_cascade(const ResourceKey& owner, int64_t now_ms) override {
    return guarded([&] {
      pg::insert_owner_cascade(transaction_, owner, now_ms);
      return Status::ok();
    });
  }
  Status finish_owner_cascade(const ResourceKey& owner) override {
    return guarded([&] {
      pg::erase_owner_cascade(transaction_, owner);
      return Status::ok();
    });
  }

  Status append_event(const Event& event) override {
    return guarded([&] {
      pg::insert_event(transaction_, event);
      notices_.add_event_org(event.org);
      // One wake per org and write: a fan-out to thousands of nodes records thousands of status events.
      if (event_listener_ && orgs_to_wake_.insert(event.org).second) {
        after_commit_.push_back([&listener = event_listener_, org = event.org] { listener(org); });
      }
      return Status::ok();
    });
  }
  Result<size_t> prune_events(const EventRetention& retention, int64_t now_ms, size_t batch) override {
    return guarded([&]() -> Result<size_t> { return pg::prune_events(transaction_, retention, now_ms, batch); });
  }

  void after_commit(std::function<void()> action) override {
    return guarded([&] { after_commit_.push_back(std::move(action)); });
  }
  void notify_node(const NodeAddress& node) override {
    return guarded([&] { notices_.add_node(node); });
  }
  Status check_lease(const std::string& name, int64_t holder, int64_t epoch) override {
    return guarded([&] { return pg::check_lease(transaction_, name, holder, epoch); });
  }
  // What this write wakes on the other instances (taken into the batch's notice once it succeeded).
  const pg::NoticeBatch& notices() const { return notices_; }

  // The first database error of the write, as the exception it was; called after the write function.
  void rethrow_failure() const {
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  // Runs one operation. Its exception is kept and answered as a Status; every later operation of the
  // write answers the same without running, the savepoint being unusable after a failed statement.
  template <class Operation>
  auto guarded(Operation operation) noexcept -> decltype(operation()) {
    using Answer = decltype(operation());
    if (!failure_) {
      try {
        return operation();
      } catch (const std::exception& error) {
        failure_ = std::current_exception();
        failure_status_ = pg::database_error("database write failed", error);
      } catch (...) {
        failure_ = std::current_exception();
        failure_status_ = Status::internal("write failed with an unknown exception");
      }
    }
    if constexpr (std::is_void_v<Answer>) {
      return;
    } else if constexpr (std::is_same_v<Answer, int64_t>) {
      return 0;  // the write fails with failure_ whatever it does with this id
    } else {
      return failure_status_;
    }
  }

  pqxx::transaction_base& transaction_;
  int64_t& last_instance_id_;
  pg::AfterCommitActions& after_commit_;
  const EventListener& event_listener_;
  std::set<std::string> orgs_to_wake_;  // orgs this write's events will wake after the commit
  pg::NoticeBatch notices_;
  std::exception_ptr failure_;
  Status failure_status_;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string url, std::unique_ptr<pg::Connection> writer, uint32_t max_batch_writes,
                int64_t last_instance_id, std::vector<std::unique_ptr<pg::Connection>> readers,
                std::unique_ptr<pg::ClusterMember> cluster)
      : url_(std::move(url)),
        last_instance_id_(last_instance_id),
        cluster_(std::move(cluster)),
        idle_readers_(std::move(readers)),
        group_commit_(std::make_unique<pg::GroupCommit>(std::move(writer), max_batch_writes)) {
    group_commit_->set_before_commit(
        [&cluster = *cluster_](pqxx::transaction_base& transaction) { cluster.send_batch_notices(transaction); });
  }

  ~PostgresStore() override { close(); }

  // ---- reads -------------------------------------------------------------------------------
  Result<StoredObject> get_object(const ResourceKey& key) override {
    return with_reader<StoredObject>([&](pqxx::transaction_base& t) { return pg::select_object(t, key); });
  }
  // Store's default, made noexcept here: nothing leaves the plugin by an exception.
  Result<std::shared_ptr<const ObjectSnapshot>> get_object_snapshot(const ResourceKey& key) noexcept override {
    return Store::get_object_snapshot(key);
  }
  Result<UploadState> get_upload(const ResourceKey& key) override {
    return with_reader<UploadState>([&](pqxx::transaction_base& t) { return pg::select_upload(t, key); });
  }

  Result<std::vector<StoredObject>> list_objects(const ObjectFilter& filter) override {
    return with_reader<std::vector<StoredObject>>([&](pqxx::transaction_base& t) {
      // Values are quoted into the SQL (the filter's shapes are few, its values come from validated
      // requests); quote() escapes them.
      std::string sql =
          std::string("SELECT ") + pg::kObjectColumns + " FROM objects WHERE org = " + t.quote(filter.org);
      if (filter.object_type) sql += " AND object_type = " + t.quote(*filter.object_type);
      if (filter.originated_here)
        sql += std::string(" AND originated_here = ") + (*filter.originated_here ? "TRUE" : "FALSE");
      if (!filter.statuses.empty()) {
        sql += " AND status IN (";
        for (size_t i = 0; i < filter.statuses.size(); ++i) {
          if (i > 0) sql += ", ";
          sql += t.quote(std::string(to_string(filter.statuses[i])));
        }
        sql += ")";
      }
      sql += " ORDER BY object_type, object_id";
      return pg::read_objects(t.exec(sql));
    });
  }

  Result<std::vector<std::string>> list_webhooks(const std::string& org, const std::string& object_type) override {
    return with_reader<std::vector<std::string>>([&](pqxx::transaction_base& t) -> Result<std::vector<std::string>> {
      std::vector<std::string> urls;
      for (const auto& row : pg::exec_cached(
               t, "SELECT url FROM webhooks WHERE org = $1 AND object_type = $2 ORDER BY url", org, object_type))
        urls.push_back(row[0].as<std::string>());
      return urls;
    });
  }

  Result<std::vector<StoredObject>> list_due_activations(SystemTime now) override {
    return list_due("activation_at_ms", now);
  }
  Result<std::vector<StoredObject>> list_expired(SystemTime now) override { return list_due("expires_at_ms", now); }

  Result<int64_t> count_objects() override {
    return with_reader<int64_t>([](pqxx::transaction_base& t) -> Result<int64_t> {
      return t.exec("SELECT count(*) FROM objects")[0][0].as<int64_t>();
    });
  }
  Result<DeliveryCounts> count_deliveries() override {
    return with_reader<DeliveryCounts>(
        [](pqxx::transaction_base& t) -> Result<DeliveryCounts> { return pg::count_deliveries(t); });
  }

  void write_metrics(metrics::Exposition& out) const noexcept override {
    const pg::GroupCommit& commits = *group_commit_;
    out.family("edgesync_store_commit_queue_depth", "gauge", "Writes queued for the next group commit.");
    out.sample("edgesync_store_commit_queue_depth", {}, commits.queued());
    out.family("edgesync_store_commits_total", "counter", "Group commits (transactions) that succeeded.");
    out.sample("edgesync_store_commits_total", {}, commits.commit_count());
    out.family("edgesync_store_commit_batch_size", "histogram", "Writes that shared one group commit.");
    out.histogram("edgesync_store_commit_batch_size", {}, commits.batch_sizes());
    out.family("edgesync_store_commit_duration_seconds", "histogram",
               "Time of one COMMIT, the WAL flush every write of its batch waits for.");
    out.histogram("edgesync_store_commit_duration_seconds", {}, commits.commit_micros());
  }

  Result<Destination> get_destination(const NodeAddress& node) override {
    return with_reader<Destination>([&](pqxx::transaction_base& t) { return pg::select_destination(t, node); });
  }
  Result<std::vector<Destination>> list_destinations(const std::string& org) override {
    return with_reader<std::vector<Destination>>(
        [&](pqxx::transaction_base& t) -> Result<std::vector<Destination>> { return pg::select_destinations(t, org); });
  }
  Result<Delivery> get_delivery(const ResourceKey& key, const NodeAddress& peer) override {
    return with_reader<Delivery>([&](pqxx::transaction_base& t) { return pg::select_delivery(t, key, peer); });
  }
  Result<std::vector<Delivery>> list_deliveries(const ResourceKey& key) override {
    return with_reader<std::vector<Delivery>>(
        [&](pqxx::transaction_base& t) -> Result<std::vector<Delivery>> { return pg::select_deliveries(t, key); });
  }
  Result<std::vector<Delivery>> list_deliveries_to(const NodeAddress& peer, bool pending_only) override {
    return with_reader<std::vector<Delivery>>([&](pqxx::transaction_base& t) -> Result<std::vector<Delivery>> {
      return pg::select_deliveries_to(t, peer, pending_only);
    });
  }

  Result<std::vector<AclEntry>> list_acl(AclKind kind, const std::string& org,
                                         const std::optional<std::string>& key) override {
    return with_reader<std::vector<AclEntry>>(
        [&](pqxx::transaction_base& t) -> Result<std::vector<AclEntry>> { return pg::select_acl(t, kind, org, key); });
  }
  Result<std::vector<Organization>> list_organizations() override {
    return with_reader<std::vector<Organization>>(
        [](pqxx::transaction_base& t) -> Result<std::vector<Organization>> { return pg::select_organizations(t); });
  }

  Result<std::vector<Event>> list_events(const std::string& org, int64_t after_seq, size_t limit) override {
    return with_reader<std::vector<Event>>([&](pqxx::transaction_base& t) -> Result<std::vector<Event>> {
      return pg::select_events(t, org, after_seq, limit);
    });
  }
  Result<EventWindow> event_window(const std::string& org) override {
    return with_reader<EventWindow>(
        [&](pqxx::transaction_base& t) -> Result<EventWindow> { return pg::select_event_window(t, org); });
  }
  void set_event_listener(EventListener listener) noexcept override { event_listener_ = std::move(listener); }

  // ---- several instances (cluster_member.hpp) ----------------------------------------------
  int64_t cluster_instance_id() const noexcept override { return cluster_->instance_id(); }
  bool is_shared() const noexcept override { return true; }
  void set_cluster_listener(ClusterNoticeListener listener) noexcept override {
    cluster_->set_listener(std::move(listener));
  }
  Result<LeaseState> acquire_lease(const std::string& name, int64_t holder,
                                   std::chrono::milliseconds ttl) noexcept override {
    return cluster_->acquire_lease(name, holder, ttl);
  }
  Status release_lease(const std::string& name, int64_t holder) noexcept override {
    return cluster_->release_lease(name, holder);
  }

  Result<std::vector<std::string>> referenced_files() override {
    return with_reader<std::vector<std::string>>([](pqxx::transaction_base& t) -> Result<std::vector<std::string>> {
      std::vector<std::string> files;
      for (const auto& row :
           t.exec("SELECT data_file FROM objects WHERE data_file != '' UNION ALL SELECT part_file FROM uploads"))
        files.push_back(row[0].as<std::string>());
      return files;
    });
  }

  Result<std::vector<ResourceKey>> list_owner_cascades(size_t limit) override {
    return with_reader<std::vector<ResourceKey>>([&](pqxx::transaction_base& t) -> Result<std::vector<ResourceKey>> {
      return pg::select_owner_cascades(t, limit);
    });
  }
  Result<std::vector<OwnerLink>> list_unvalidated_owner_links(int64_t seen_before_ms, size_t limit) override {
    return with_reader<std::vector<OwnerLink>>([&](pqxx::transaction_base& t) -> Result<std::vector<OwnerLink>> {
      return pg::select_unvalidated_owner_links(t, seen_before_ms, limit);
    });
  }

  // ---- writes ------------------------------------------------------------------------------
  void submit_write(WriteFunction write, WriteCompletion on_durable) noexcept override {
    group_commit_->submit(
        [this, write = std::move(write)](pqxx::transaction_base& transaction, pg::AfterCommitActions& after_commit) {
          // last_instance_id_ is touched only here, on the writer thread.
          PostgresWriteTransaction operations(transaction, last_instance_id_, after_commit, event_listener_);
          Status status = write(operations);
          operations.rethrow_failure();
          if (status) cluster_->batch_notices().merge(operations.notices());
          return status;
        },
        std::move(on_durable));
  }

  void close() noexcept override {
    // Writes first: their completions may still read.
    group_commit_->close();
    cluster_->close();
    std::vector<std::unique_ptr<pg::Connection>> closing;
    {
      std::lock_guard lock(reader_mutex_);
      readers_closed_ = true;
      closing.swap(idle_readers_);
    }
    reader_available_.notify_all();
  }

  // Object data in this database (blob_store.hpp), on connections of its own.
  Result<std::unique_ptr<DataFiles>> open_data_files(std::chrono::seconds unattached_grace) noexcept override {
    try {
      return pg::open_blob_store(pg::BlobStoreOptions{url_, 4, unattached_grace});
    } catch (const std::exception& error) {
      return Status::internal(std::string("cannot open the data store: ") + error.what());
    }
  }

  uint64_t commit_count() const noexcept override { return group_commit_->commit_count(); }

 private:
  // Borrows an idle read connection for one read-only transaction. A connection the server dropped
  // (a restart) is found out by using it: the read is retried once on a fresh connection, reads being
  // safe to repeat. Every read goes through here: noexcept, as nothing may leave the plugin by an
  // exception (plugin/store_plugin.hpp); the ones the work throws become its Status.
  template <class T, class Work>
  Result<T> with_reader(Work work) noexcept {
    std::unique_ptr<pg::Connection> reader;
    {
      std::unique_lock lock(reader_mutex_);
      reader_available_.wait(lock, [&] { return !idle_readers_.empty() || readers_closed_; });
      if (readers_closed_) return Status::unavailable("the store is closed");
      reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
    Result<T> result = Status::internal("unset");
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool was_connected = reader->connected();
      try {
        pqxx::read_transaction transaction(reader->get());
        result = work(transaction);
        transaction.commit();
        break;
      } catch (const std::exception& error) {
        result = pg::database_error("database read failed", error);
        if (!pg::connection_lost(error)) break;
        reader->reset();
        if (!was_connected) break;  // a fresh connection failed: the server is unreachable
      } catch (...) {
        result = Status::internal("database read failed with an unknown exception");
        break;
      }
    }
    {
      std::lock_guard lock(reader_mutex_);
      if (!readers_closed_) idle_readers_.push_back(std::move(reader));
    }
    reader_available_.notify_one();
    return result;
  }

  Result<std::vector<StoredObject>> list_due(const char* column, SystemTime now) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    return with_reader<std::vector<StoredObject>>([&](pqxx::transaction_base& t) {
      // Served by the partial index on the column (NULL for objects without a pending timer).
      return pg::read_objects(pg::exec_cached(
          t,
          std::string("SELECT ") + pg::kObjectColumns + " FROM objects WHERE " + column + " <= $1 ORDER BY " + column,
          now_ms));
    });
  }

  const std::string url_;
  int64_t last_instance_id_;      // the writer thread's alone
  EventListener event_listener_;  // set before the first write, then only read (by the writer thread)
  std::unique_ptr<pg::ClusterMember> cluster_;

  std::mutex reader_mutex_;
  std::condition_variable reader_available_;
  std::vector<std::unique_ptr<pg::Connection>> idle_readers_;
  bool readers_closed_ = false;

  // Last: its writer thread runs steps that use the members above, so it must stop before they go.
  std::unique_ptr<pg::GroupCommit> group_commit_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const PostgresStoreOptions& options) {
  if (Status valid = pg::check_connection_url(options.url); !valid) return valid;
  const std::string target = pg::describe_target(options.url);
  auto writer = std::make_unique<pg::Connection>(options.url);
  int64_t last_instance_id = 0;
  std::unique_ptr<pg::ClusterMember> cluster;
  try {
    pqxx::connection& connection = writer->get();
    if (Status migrated = pg::migrate_schema(connection); !migrated) {
      return Status(migrated.code(), "PostgreSQL at " + target + ": " + migrated.message());
    }
    {
      pqxx::read_transaction transaction(connection);
      last_instance_id =
          transaction.exec("SELECT coalesce((SELECT last_instance_id FROM timebase WHERE id = 1), 0)")[0][0]
              .as<int64_t>();
    }
    cluster = std::make_unique<pg::ClusterMember>(connection, options.url);
  } catch (const pqxx::broken_connection& error) {
    return pg::database_error("cannot connect to PostgreSQL at " + target, error);
  } catch (const std::exception& error) {
    return pg::database_error("cannot open the store in PostgreSQL at " + target, error);
  }
  // Readers connect on first use: the writer just proved the server reachable.
  std::vector<std::unique_ptr<pg::Connection>> readers;
  for (uint32_t i = 0; i < std::max(1u, options.read_connections); ++i) {
    readers.push_back(std::make_unique<pg::Connection>(options.url));
  }
  spdlog::debug("store: PostgreSQL at {}", target);
  return std::unique_ptr<Store>(new PostgresStore(options.url, std::move(writer), options.max_batch_writes,
                                                  last_instance_id, std::move(readers), std::move(cluster)));
}

}  // namespace edgesync
