// ObjectService: the object operations of one node's application API, with MMS's semantics
// (reference/mms-reference.md §1.3–1.8): create/update, delete, data upload (whole or in
// Content-Range chunks) and download, status, received/consumed/deleted marks, activation,
// the list of updated objects, webhooks, auto-activation and expiration.
//
// It owns no state beyond its collaborators: the Store (metadata, durable through group commit),
// DataFiles (object data, fsynced before the metadata that points at it commits) and a blocking pool
// (fsync and hashing stay off io threads). Thread-safe; every method may be called concurrently.
// Errors come back as Status; the API layer maps them to HTTP.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/byte_range.hpp"
#include "common/object_metadata.hpp"
#include "common/resource_key.hpp"
#include "common/status.hpp"
#include "common/time_format.hpp"
#include "server/auth/identity.hpp"
#include "server/objects/node_identity.hpp"
#include "server/objects/object_observer.hpp"
#include "server/store/data_files.hpp"
#include "server/store/store.hpp"

namespace boost::asio {
class thread_pool;
}

namespace edgesync {

// Pulls the next piece of a request body; 0 at the end.
using BodyReader = std::function<boost::asio::awaitable<Result<size_t>>(std::span<char>)>;

enum class Mark { kReceived, kConsumed, kDeleted };

// Data written and fsynced into the data directory, not yet attached to an object.
struct StoredData {
  std::string file_name;
  uint64_t size = 0;
  std::string sha256;
};

// What receive_metadata decided about a copy of a peer's object.
enum class ReceiveOutcome {
  kStale,      // an older version than the copy held: ignored
  kUnchanged,  // the version held already (a resend): nothing changed
  kNeedsData,  // stored; the data must be fetched
  kComplete,   // stored and complete (no data, a link, or a metaOnly update keeping the data)
};

// An object's data opened for reading.
struct DataDownload {
  std::shared_ptr<DataFileReader> reader;
  uint64_t size = 0;
  std::string sha256;  // hex, of the whole data ("" when not recorded)
};

class ObjectService {
 public:
  struct Options {
    NodeIdentity node;
    uint64_t chunk_size = 5 * 1024 * 1024;
    std::function<SystemTime()> now = [] { return std::chrono::system_clock::now(); };
    ObjectObserver* observer = nullptr;  // the sync layer (optional: a lone node has none)
  };

  ObjectService(Store& store, DataFiles& data_files, boost::asio::thread_pool& blocking_pool, Options options);
  ObjectService(const ObjectService&) = delete;
  ObjectService& operator=(const ObjectService&) = delete;

  const NodeIdentity& node() const { return options_.node; }

  // An origin's object deleted by its application but still awaiting its destinations' confirmations is
  // gone as far as applications are concerned (kNotFound).
  Result<StoredObject> get_object(const ResourceKey& key) const;
  // The same, shared with the store's read cache and with its metadata text rendered (GET metadata).
  Result<std::shared_ptr<const ObjectSnapshot>> get_object_snapshot(const ResourceKey& key) const;

  // The rules put_object applies before anything else (object_rules.hpp), with this service's node and
  // clock: for callers that decide something about a PUT before storing it.
  Status check_put(const ResourceKey& key, const ObjectMetadata& metadata, bool has_inline_data) const;
  // PUT …/{type}/{id}: creates or replaces the object (a new instanceID each time).
  boost::asio::awaitable<Status> put_object(const ResourceKey& key, ObjectMetadata metadata,
                                            std::optional<std::string> inline_data, const Identity& caller);
  // DELETE …/{type}/{id} on the origin side.
  boost::asio::awaitable<Status> delete_object(const ResourceKey& key);

  // PUT …/data: the whole body, or one chunk when content_range is set. With from_peer, the data of a
  // copy sent by its origin node (the cloud receiving an edge's object), which completes the copy.
  boost::asio::awaitable<Status> put_data(const ResourceKey& key, std::optional<ContentRange> content_range,
                                          BodyReader read_body, bool from_peer = false);
  // GET …/data: kNotFound when the object is missing, has no data, or is not in a readable status.
  Result<DataDownload> open_data(const ResourceKey& key) const;
  // The same for an object row the caller has just read.
  Result<DataDownload> open_data_of(const StoredObject& object) const;

  boost::asio::awaitable<Status> mark(const ResourceKey& key, Mark mark);
  boost::asio::awaitable<Status> activate(const ResourceKey& key);

  // ---- the receiving side: copies of objects that another node created ----
  // Stores the peer's metadata (a new version) as the copy's; see ReceiveOutcome.
  boost::asio::awaitable<Result<ReceiveOutcome>> receive_metadata(ObjectMetadata metadata);
  // Attaches fetched, verified data to the copy's version `instance_id` and completes it. kConflict when
  // the copy moved on to another version meanwhile (the data is then discarded).
  boost::asio::awaitable<Status> receive_data(const ResourceKey& key, int64_t instance_id, StoredData data);
  // Completes a copy whose version needs no data transfer after all.
  boost::asio::awaitable<Status> complete_copy(const ResourceKey& key, int64_t instance_id);
  // The origin deleted the object: the copy is marked deleted (data dropped) until its applications
  // confirm. OK when there is no copy.
  boost::asio::awaitable<Status> receive_delete(const ResourceKey& key);
  // The peer consumed this node's own object: its metadata stays for reporting, status consumedByDest,
  // the data goes. OK when the object is gone.
  boost::asio::awaitable<Status> consumed_by_destination(const ResourceKey& key);
  // Removes whatever the node holds under key (row, data, upload), telling the observer nothing.
  boost::asio::awaitable<Status> remove_copy(const ResourceKey& key);
  // Writes bytes into a new data file (fsynced off the io thread).
  boost::asio::awaitable<Result<StoredData>> store_data(const ResourceKey& key, BodyReader& read_body);

  // GET …/{type}: objects received here that the application has not handled yet.
  Result<std::vector<StoredObject>> list_updated(const std::string& org, const std::string& object_type,
                                                 bool include_received) const;

  // DELETE /api/v1/organizations/{org}: the org and everything of it (objects and their data,
  // uploads, webhooks, registered edge nodes, deliveries, ACLs), in one durable write.
  boost::asio::awaitable<Status> delete_organization(const std::string& org);
  boost::asio::awaitable<Status> register_webhook(const std::string& org, const std::string& object_type,
                                                  const std::string& url);
  boost::asio::awaitable<Status> delete_webhook(const std::string& org, const std::string& object_type,
                                                const std::string& url);

  // Background duties: activate objects whose activationTime passed; remove expired objects (cloud).
  // Return how many objects they changed.
  boost::asio::awaitable<Result<size_t>> activate_due_objects();
  boost::asio::awaitable<Result<size_t>> remove_expired_objects();

  // Owner references (object_owners.cpp). Works through the queued cascades of deleted owners, one
  // transaction per `batch_size` ownees, at most `max_batches` transactions; returns the ownees handled.
  // Each ownee loses its reference to the deleted owner; one left with none (and not unsetOnDelete) is
  // deleted as by its application, which queues its own cascade in turn.
  boost::asio::awaitable<Result<size_t>> run_owner_cascades(size_t batch_size, size_t max_batches);
  // Checks the references still unvalidated `timeout` after they were first seen: kept (validated) when
  // the owner exists, dropped otherwise (an ownee left with none is deleted). Returns how many dropped.
  boost::asio::awaitable<Result<size_t>> expire_owner_references(std::chrono::milliseconds timeout, size_t batch_size);

 private:
  using NewData = StoredData;
  // Asks the observer, then writes or removes the row (removing drops data and upload too).
  Status commit_change(WriteTransaction& transaction, ObjectChange change, StoredObject& object, bool remove_row,
                       int64_t now_ms, const StoredObject* previous = nullptr);
  // An origin's delete (application, expiration, owner cascade) inside a write.
  Status delete_row(WriteTransaction& transaction, StoredObject& object, int64_t now_ms);
  // Keeps the owner_refs rows in step with the object's ownerReferences, and queues the cascade of an
  // object deleted here (object_owners.cpp).
  Status track_owners(WriteTransaction& transaction, ObjectChange change, const StoredObject& object, bool removed,
                      int64_t now_ms);
  // The ownee of `link` loses its reference to the link's owner (deleted or never seen).
  Status release_ownee(WriteTransaction& transaction, const OwnerLink& link, bool unset_only, int64_t now_ms);
  boost::asio::awaitable<Result<NewData>> finish_data(DataFileWriter& writer);
  boost::asio::awaitable<Result<NewData>> write_whole_body(const ResourceKey& key, BodyReader& read_body);
  boost::asio::awaitable<Result<NewData>> import_source_file(const ResourceKey& key, const std::string& path);
  boost::asio::awaitable<Result<NewData>> store_bytes(const ResourceKey& key, std::string bytes);
  // The part file of the upload in progress for `total` bytes, created when there is none.
  boost::asio::awaitable<Result<std::string>> find_or_start_upload(const ResourceKey& key, uint64_t total);
  boost::asio::awaitable<Status> put_data_chunk(const ResourceKey& key, const ContentRange& range,
                                                BodyReader& read_body, bool from_peer);
  boost::asio::awaitable<Status> attach_data(const ResourceKey& key, NewData data, uint64_t upload_chunk_size,
                                             bool from_peer);
  boost::asio::awaitable<Status> remove_objects(std::vector<ResourceKey> keys);

  Store& store_;
  DataFiles& data_files_;
  boost::asio::thread_pool& blocking_pool_;
  Options options_;
};

}  // namespace edgesync
