// Store: the one storage interface of an edgesync node (objects, webhooks, the instance-id timebase,
// chunked uploads in progress, registered edge nodes and per-destination deliveries).
//
// Reads are short calls that may run on any thread. Writes are functions run by the store inside a
// shared transaction (group commit): every write submitted while a commit is in flight joins the next
// one, so many concurrent writers share one fsync. A write's completion runs only after its commit is
// durable; if the write function returns an error, only that write is rolled back (a savepoint each).
// Implementations are thread-safe. Every write may append events (events.hpp) that commit with it; the
// store records one by itself whenever a delivery row's status changes (put_delivery), the one path
// every per-destination status takes. Opened through a factory (sqlite/sqlite_store.hpp) returning a
// Result, never a half-open object.
//
// The functions given to a store (writes, completions, the event listener, after-commit actions) do not
// throw: a store may live in a plugin with a C++ runtime of its own, which no exception may cross
// (plugin/store_plugin.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/object_metadata.hpp"
#include "common/object_status.hpp"
#include "common/resource_key.hpp"
#include "common/status.hpp"
#include "common/time_format.hpp"
#include "server/metrics/exposition.hpp"
#include "server/store/acl.hpp"
#include "server/store/cluster.hpp"
#include "server/store/data_files.hpp"
#include "server/store/delivery.hpp"
#include "server/store/events.hpp"
#include "server/store/owner_links.hpp"

namespace edgesync {

// One object as a node keeps it.
struct StoredObject {
  ObjectMetadata metadata;  // org is metadata.destination_org_id
  ObjectStatus status = ObjectStatus::kNotReady;
  bool originated_here = true;      // this node created it (origin side)
  int32_t remaining_consumers = 1;  // counts down on `consumed`/`deleted` marks
  int32_t remaining_receivers = 1;  // counts down on `received` marks
  std::string data_file;            // name inside DataFiles; empty when no data is stored
  std::string data_sha256;          // lowercase hex SHA-256 of the stored data; empty when none
  int64_t updated_at_ms = 0;        // wall clock of the last change (ms since epoch)

  ResourceKey key() const { return {metadata.destination_org_id, metadata.object_type, metadata.object_id}; }
  bool operator==(const StoredObject&) const = default;
};

// A chunked data upload in progress (PUT …/data with Content-Range).
struct UploadState {
  ResourceKey key;
  std::string part_file;  // name inside DataFiles' uploads area
  uint64_t total_size = 0;
  uint64_t received_bytes = 0;       // sum of distinct received ranges
  std::string received_ranges_json;  // [[first,last],…] merged, sorted
  int64_t updated_at_ms = 0;
  bool operator==(const UploadState&) const = default;
};

struct ObjectFilter {
  std::string org;
  std::optional<std::string> object_type;  // all types when absent
  std::vector<ObjectStatus> statuses;      // any status when empty
  std::optional<bool> originated_here;     // either side when absent
};

// The operations available inside a write. Valid only during the write function's call.
class WriteTransaction {
 public:
  virtual ~WriteTransaction() = default;
  virtual Result<StoredObject> get_object(const ResourceKey& key) = 0;  // kNotFound when absent
  virtual Status put_object(const StoredObject& object) = 0;            // insert or replace
  virtual Status delete_object(const ResourceKey& key) = 0;             // kNotFound when absent
  // Next instance id: strictly greater than any returned before, also across restarts; initialised
  // from wall-clock nanoseconds as MMS's persisted timebase.
  virtual int64_t next_instance_id() = 0;
  virtual Status add_webhook(const std::string& org, const std::string& object_type, const std::string& url) = 0;
  virtual Status remove_webhook(const std::string& org, const std::string& object_type, const std::string& url) = 0;
  virtual Result<UploadState> get_upload(const ResourceKey& key) = 0;  // kNotFound when none
  virtual Status put_upload(const UploadState& upload) = 0;
  virtual Status delete_upload(const ResourceKey& key) = 0;                  // OK when absent
  virtual Result<Destination> get_destination(const NodeAddress& node) = 0;  // kNotFound when unknown
  virtual Result<std::vector<Destination>> list_destinations(const std::string& org) = 0;
  virtual Status put_destination(const Destination& destination) = 0;
  // Removes the node and every delivery row addressed to it. OK when absent.
  virtual Status delete_destination(const NodeAddress& node) = 0;
  virtual Result<Delivery> get_delivery(const ResourceKey& key, const NodeAddress& peer) = 0;  // kNotFound
  virtual Result<std::vector<Delivery>> list_deliveries(const ResourceKey& key) = 0;
  virtual Status put_delivery(const Delivery& delivery) = 0;                            // insert or replace
  virtual Status delete_delivery(const ResourceKey& key, const NodeAddress& peer) = 0;  // OK when absent
  virtual Status delete_deliveries(const ResourceKey& key) = 0;                         // all peers
  // Owner references (owner_links.hpp). Makes the ownee's links exactly `owners` (none removes them
  // all); a link kept keeps its validation state and first-seen time, a new one starts unvalidated at now.
  virtual Status set_owner_links(const ResourceKey& ownee, const std::vector<OwnerReference>& owners,
                                 int64_t now_ms) = 0;
  // Up to `limit` links whose owner is `owner`, ordered by ownee.
  virtual Result<std::vector<OwnerLink>> list_ownee_links(const ResourceKey& owner, size_t limit) = 0;
  virtual Status mark_owner_link_validated(const ResourceKey& ownee, const ResourceKey& owner) = 0;
  // Queues the cascade of a deleted owner, when anything references it (a no-op otherwise).
  virtual Status queue_owner_cascade(const ResourceKey& owner, int64_t now_ms) = 0;
  virtual Status finish_owner_cascade(const ResourceKey& owner) = 0;  // OK when absent
  virtual Status put_acl_entry(const AclEntry& entry) = 0;     // insert or replace (by kind, org, key, type, user)
  virtual Status delete_acl_entry(const AclEntry& entry) = 0;  // kNotFound when absent; role is ignored
  virtual Status put_organization(const Organization& organization) = 0;  // insert or replace
  // Removes the org and everything of it: objects, uploads, webhooks, destinations, deliveries, ACLs.
  // `removed_files` receives the data and part files no row references any more (delete them after
  // the commit). OK when the org has nothing.
  virtual Status delete_organization(const std::string& org, std::vector<std::string>& removed_files) = 0;
  // Appends an event to the stream (its seq is assigned here); it commits or rolls back with the write.
  virtual Status append_event(const Event& event) = 0;
  // Removes up to `batch` of the oldest events `retention` no longer keeps; returns how many.
  virtual Result<size_t> prune_events(const EventRetention& retention, int64_t now_ms, size_t batch) = 0;
  // Runs after the commit that holds this write is durable (e.g. remove a replaced data file).
  // Not run when the write is rolled back.
  virtual void after_commit(std::function<void()> action) = 0;
  // Several instances on one database (cluster.hpp). Wakes the node's long-polls on the other
  // instances if this write commits (the caller wakes its own with an after-commit action); the
  // events appended are carried by themselves. Nothing to do for a single node.
  virtual void notify_node(const NodeAddress& node) { (void)node; }
  // Fencing: fails (kConflict) unless `holder` still holds the lease `name` at `epoch`, and keeps it
  // from changing hands until this write's commit. Always OK for a single node.
  virtual Status check_lease(const std::string& name, int64_t holder, int64_t epoch) {
    (void)name, (void)holder, (void)epoch;
    return Status::ok();
  }
};

using WriteFunction = std::function<Status(WriteTransaction&)>;
using WriteCompletion = std::function<void(Status)>;

// A row as reads share it: never changed once made, with the MMS metadata text rendered once (GET
// metadata, the hottest read, answers with it as it is, and a cached row serves many GETs).
struct ObjectSnapshot {
  StoredObject object;
  std::string metadata_text;  // metadata_to_text(object.metadata, /*pretty=*/true)
};

std::shared_ptr<const ObjectSnapshot> make_object_snapshot(StoredObject object);

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads.
  virtual Result<StoredObject> get_object(const ResourceKey& key) = 0;
  // The same row, shared instead of copied. This default renders the text from get_object(); a store
  // with a read cache keeps snapshots in it.
  virtual Result<std::shared_ptr<const ObjectSnapshot>> get_object_snapshot(const ResourceKey& key);
  virtual Result<UploadState> get_upload(const ResourceKey& key) = 0;  // kNotFound when none
  virtual Result<std::vector<StoredObject>> list_objects(const ObjectFilter& filter) = 0;
  virtual Result<std::vector<std::string>> list_webhooks(const std::string& org, const std::string& object_type) = 0;
  // Inactive objects whose activationTime is at or before now.
  virtual Result<std::vector<StoredObject>> list_due_activations(SystemTime now) = 0;
  // Objects whose expiration is at or before now.
  virtual Result<std::vector<StoredObject>> list_expired(SystemTime now) = 0;
  virtual Result<int64_t> count_objects() = 0;
  virtual Result<Destination> get_destination(const NodeAddress& node) = 0;
  // Every registered node of an org (of every org when org is empty), ordered by type and ID.
  virtual Result<std::vector<Destination>> list_destinations(const std::string& org) = 0;
  virtual Result<Delivery> get_delivery(const ResourceKey& key, const NodeAddress& peer) = 0;  // kNotFound
  virtual Result<std::vector<Delivery>> list_deliveries(const ResourceKey& key) = 0;           // ordered by peer
  // The rows addressed to one peer; only those with a pending notification when pending_only, in the
  // order they became pending.
  virtual Result<std::vector<Delivery>> list_deliveries_to(const NodeAddress& peer, bool pending_only) = 0;
  // Rows per status and rows with a notification pending (one aggregate query; for scrapes, not requests).
  virtual Result<DeliveryCounts> count_deliveries() = 0;
  // Every data_file and part_file name referenced by a row (for sweeping orphans at start-up).
  virtual Result<std::vector<std::string>> referenced_files() = 0;
  // Owner references: the owners whose cascade is queued (oldest first), and the unvalidated links
  // first seen at or before `seen_before_ms` (oldest first); `limit` rows at most.
  virtual Result<std::vector<ResourceKey>> list_owner_cascades(size_t limit) = 0;
  virtual Result<std::vector<OwnerLink>> list_unvalidated_owner_links(int64_t seen_before_ms, size_t limit) = 0;
  // Members of one ACL (key given) or of every ACL of the kind in the org (key absent), ordered by key,
  // user type, user name.
  virtual Result<std::vector<AclEntry>> list_acl(AclKind kind, const std::string& org,
                                                 const std::optional<std::string>& key) = 0;
  virtual Result<std::vector<Organization>> list_organizations() = 0;  // ordered by org
  // The org's events with seq > after_seq, oldest first, at most `limit`; and how far its stream reaches.
  virtual Result<std::vector<Event>> list_events(const std::string& org, int64_t after_seq, size_t limit) = 0;
  virtual Result<EventWindow> event_window(const std::string& org) = 0;
  // Called (on the commit thread, after the commit is durable) with the org of every committed event, so
  // long-polling readers wake without polling. Set once, before the first write; must be quick.
  virtual void set_event_listener(std::function<void(const std::string& org)> listener) = 0;

  // Writes. `on_durable` runs on the store's commit thread after the commit (or with the write's error
  // or the commit's error); it must be quick and must not call submit_write synchronously-waiting.
  virtual void submit_write(WriteFunction write, WriteCompletion on_durable) = 0;
  // Blocking convenience for start-up, maintenance and tests.
  Status write(WriteFunction write);

  // Where object data is kept: the store's own DataFiles (PostgreSQL: blobs in the database, so that
  // every instance serves every object), or nullptr for files under data_dir (the default). Data that
  // no row names is kept for unattached_grace, measured by the database's clock, before remove_orphans
  // deletes it: an upload in flight on another instance, a download of data just replaced.
  virtual Result<std::unique_ptr<DataFiles>> open_data_files(std::chrono::seconds unattached_grace) {
    (void)unattached_grace;
    return std::unique_ptr<DataFiles>();
  }

  // Adds the store's own metrics (commit queue, batch sizes, commit latency) to a scrape; none by default.
  virtual void write_metrics(metrics::Exposition& out) const { (void)out; }
  // How many commits the writer made so far (fewer than writes under load): for tests and statistics.
  virtual uint64_t commit_count() const = 0;

  // Several instances on one database (cluster.hpp); the defaults describe a lone node.
  // This instance's id, unique among every instance that ever opened the database (1 alone).
  virtual int64_t cluster_instance_id() const { return 1; }
  // Can other instances change the rows (a shared database)?
  virtual bool is_shared() const { return false; }
  // Receives the wake-ups of other instances' commits. Set once, before the first write.
  virtual void set_cluster_listener(ClusterNoticeListener listener) { (void)listener; }
  // Takes or renews the lease `name` for `holder` until `ttl` from now by the database's clock, if it
  // is free, expired or already the holder's; answers who holds it either way. A lone node always holds.
  virtual Result<LeaseState> acquire_lease(const std::string& name, int64_t holder, std::chrono::milliseconds ttl) {
    (void)name;
    return LeaseState{true, holder, 1, ttl.count()};
  }
  // Gives the lease up at once if `holder` has it (a clean shutdown hands the duties over without
  // waiting for the expiry).
  virtual Status release_lease(const std::string& name, int64_t holder) {
    (void)name, (void)holder;
    return Status::ok();
  }

  // Stops accepting writes, finishes queued ones, closes the database cleanly. Idempotent.
  virtual void close() = 0;
};

}  // namespace edgesync
