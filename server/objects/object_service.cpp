#include "server/objects/object_service.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <climits>
#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "server/objects/async_store.hpp"
#include "server/objects/object_events.hpp"
#include "server/objects/object_rules.hpp"
#include "server/objects/upload_ranges.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

constexpr size_t kBodyBufferBytes = 256 * 1024;
constexpr size_t kPartWriteBytes = 1024 * 1024;

int64_t to_millis(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::string_view mark_name(Mark mark) {
  switch (mark) {
    case Mark::kReceived: return "received";
    case Mark::kConsumed: return "consumed";
    case Mark::kDeleted: return "deleted";
  }
  return "";
}

// MMS stamps a destination policy with the time it was stored (nanoseconds).
std::string stamp_policy(const std::string& policy_json, SystemTime now) {
  auto policy = nlohmann::json::parse(policy_json, nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) return policy_json;  // refused earlier by the rules
  policy["timestamp"] = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  return json_text(policy);
}

// Drops the stored data of an object (the file goes after the commit).
void drop_data(StoredObject& object, WriteTransaction& transaction, DataFiles& data_files) {
  if (!object.data_file.empty()) {
    transaction.after_commit([&data_files, file = object.data_file] { (void)data_files.remove(file); });
  }
  object.data_file.clear();
  object.data_sha256.clear();
  object.metadata.data_id = 0;
  object.metadata.object_size = 0;
}

// An object its origin deleted stays as a row until every destination acknowledged; to the origin's
// applications it is gone.
bool hidden_from_reads(const StoredObject& object) {
  return object.originated_here && object.metadata.deleted;
}

}  // namespace

ObjectService::ObjectService(Store& store, DataFiles& data_files, asio::thread_pool& blocking_pool, Options options)
    : store_(store), data_files_(data_files), blocking_pool_(blocking_pool), options_(std::move(options)) {}

Result<StoredObject> ObjectService::get_object(const ResourceKey& key) const {
  auto object = store_.get_object(key);
  if (object && hidden_from_reads(*object)) return Status::not_found();
  return object;
}

Result<std::shared_ptr<const ObjectSnapshot>> ObjectService::get_object_snapshot(const ResourceKey& key) const {
  auto snapshot = store_.get_object_snapshot(key);
  if (snapshot && hidden_from_reads((*snapshot)->object)) return Status::not_found();
  return snapshot;
}

Status ObjectService::commit_change(WriteTransaction& transaction, ObjectChange change, StoredObject& object,
                                    bool remove_row, int64_t now_ms, const StoredObject* previous) {
  ObjectChangeContext context{transaction, change, object, remove_row, now_ms, previous};
  // Before the observer: the stream shows the object's change ahead of the destination statuses it causes.
  if (Status evented = record_object_event(transaction, change, object, now_ms); !evented) return evented;
  if (options_.observer) {
    if (Status status = options_.observer->on_change(context); !status) return status;
  }
  if (Status tracked = track_owners(transaction, change, object, context.remove_row, now_ms); !tracked) return tracked;
  if (!context.remove_row) return transaction.put_object(object);
  const ResourceKey key = object.key();
  drop_data(object, transaction, data_files_);
  if (auto upload = transaction.get_upload(key)) {
    transaction.after_commit([this, part = upload->part_file] { (void)data_files_.remove_part(part); });
  }
  if (Status removed = transaction.delete_upload(key); !removed) return removed;
  Status deleted = transaction.delete_object(key);
  return deleted.code() == StatusCode::kNotFound ? Status::ok() : deleted;
}

// ---------------------------------------------------------------------------------------------
// Create / update.

Status ObjectService::check_put(const ResourceKey& key, const ObjectMetadata& metadata, bool has_inline_data) const {
  return check_object_put({metadata, key, options_.node, has_inline_data, options_.now()});
}

asio::awaitable<Status> ObjectService::put_object(const ResourceKey& key, ObjectMetadata metadata,
                                                  std::optional<std::string> inline_data, const Identity& caller) {
  const NodeIdentity& node = options_.node;
  if (Status status = check_put(key, metadata, inline_data.has_value()); !status) co_return status;

  if (metadata.no_data) {  // a notification object: nothing to transfer, ever
    inline_data.reset();
    metadata.link.clear();
    metadata.source_data_uri.clear();
    metadata.public_key.clear();
    metadata.signature.clear();
  }

  // Data first, durable, under a fresh name: the metadata that points at it commits afterwards.
  std::optional<NewData> new_data;
  if (inline_data) {
    auto stored = co_await store_bytes(key, std::move(*inline_data));
    if (!stored) co_return stored.status();
    new_data = std::move(*stored);
  } else if (!metadata.source_data_uri.empty() && !metadata.meta_only) {
    auto imported = co_await import_source_file(key, *file_uri_path(metadata.source_data_uri));
    if (!imported) co_return imported.status();
    new_data = std::move(*imported);
  }

  const SystemTime now = options_.now();
  const int64_t now_ms = to_millis(now);
  Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto existing = transaction.get_object(key);
    if (!existing && existing.status().code() != StatusCode::kNotFound) return existing.status();
    // A deleted object still awaiting its destinations' confirmations is replaced like an absent one.
    const bool replacing_deleted = existing && existing->originated_here && existing->metadata.deleted;
    if (replacing_deleted) existing = Status::not_found();
    if (existing && !existing->originated_here)
      return Status::invalid("Can't update an object this node received; only its origin can", "objectID");
    if (existing && existing->originated_here && !is_origin_status(existing->status))
      return Status::invalid(
          std::string("Can't update an object in status ") + std::string(to_string(existing->status)), "objectID");
    if (existing && metadata.meta_only &&
        existing->metadata.destination_policy_json.has_value() != metadata.destination_policy_json.has_value())
      return Status::invalid("A metaOnly update can't add or remove the destination policy", "destinationPolicy");
    if (existing && metadata.meta_only && existing->status == ObjectStatus::kConsumedByDestination)
      return Status::invalid("Can't make a metaOnly update of an object already consumed", "metaOnly");

    StoredObject object;
    object.metadata = metadata;
    ObjectMetadata& meta = object.metadata;
    meta.destination_org_id = key.org;
    if (meta.origin_type.empty() && meta.origin_id.empty()) {
      meta.origin_type = node.dest_type;
      meta.origin_id = node.dest_id;
    }
    if (node.is_cloud()) meta.owner_id = caller.owner_id();
    if (meta.destination_policy_json) meta.destination_policy_json = stamp_policy(*meta.destination_policy_json, now);
    if (meta.consumers == 0) meta.consumers = 1;
    if (meta.consumers == -1) meta.consumers = INT32_MAX;
    meta.chunk_size = static_cast<int64_t>(options_.chunk_size);
    meta.deleted = false;
    meta.instance_id = transaction.next_instance_id();
    meta.data_id = 0;
    meta.object_size = 0;
    object.originated_here = true;
    object.remaining_consumers = meta.consumers;
    object.remaining_receivers = meta.consumers;
    object.updated_at_ms = now_ms;

    const bool had_data = existing && existing->originated_here && !existing->data_file.empty();
    if (new_data) {
      object.data_file = new_data->file_name;
      object.data_sha256 = new_data->sha256;
      meta.object_size = static_cast<int64_t>(new_data->size);
      meta.data_id = meta.instance_id;
      if (had_data) transaction.after_commit([this, file = existing->data_file] { (void)data_files_.remove(file); });
      object.status = ObjectStatus::kReady;
    } else if (meta.meta_only && had_data) {
      // Keep the data and everything that describes it; MMS stores the request's size here (a bug).
      object.data_file = existing->data_file;
      object.data_sha256 = existing->data_sha256;
      meta.object_size = existing->metadata.object_size;
      meta.data_id = existing->metadata.data_id;
      meta.hash_algorithm = existing->metadata.hash_algorithm;
      meta.public_key = existing->metadata.public_key;
      meta.signature = existing->metadata.signature;
      object.status = existing->status;
    } else {
      if (existing && existing->originated_here) drop_data(*existing, transaction, data_files_);
      object.status = (meta.no_data || !meta.link.empty()) ? ObjectStatus::kReady : ObjectStatus::kNotReady;
    }
    if (Status put = commit_change(transaction, ObjectChange::kSaved, object, false, now_ms); !put) return put;
    // A new version starts its upload afresh: the old chunks belong to the old version.
    if (auto upload = transaction.get_upload(key)) {
      transaction.after_commit([this, part = upload->part_file] { (void)data_files_.remove_part(part); });
    }
    return transaction.delete_upload(key);
  });

  if (!status && new_data) (void)data_files_.remove(new_data->file_name);
  co_return status;
}

asio::awaitable<Result<ObjectService::NewData>> ObjectService::finish_data(DataFileWriter& writer) {
  std::optional<NewData> result;
  Status status = co_await run_blocking(blocking_pool_, [&]() -> Status {
    auto finished = writer.finish();  // fsync + rename: not on an io thread
    if (!finished) return finished.status();
    result = NewData{finished->file_name, finished->size, finished->sha256};
    return Status::ok();
  });
  if (!status) co_return status;
  co_return std::move(*result);
}

asio::awaitable<Result<ObjectService::NewData>> ObjectService::store_bytes(const ResourceKey& key, std::string bytes) {
  auto writer = data_files_.create(key);
  if (!writer) co_return writer.status();
  if (Status appended = (*writer)->append(bytes); !appended) co_return appended;
  co_return co_await finish_data(**writer);
}

namespace {

// Copies a local file (an edge application's sourceDataUri) into a data file.
Status append_file(DataFileWriter& writer, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::invalid("sourceDataUri: cannot read " + path, "sourceDataUri");
  std::vector<char> buffer(kBodyBufferBytes);
  Status status;
  while (status) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = Status::invalid("sourceDataUri: cannot read " + path, "sourceDataUri");
    if (n <= 0) break;
    status = writer.append({buffer.data(), static_cast<size_t>(n)});
  }
  ::close(fd);
  return status;
}

}  // namespace

asio::awaitable<Result<ObjectService::NewData>> ObjectService::import_source_file(const ResourceKey& key,
                                                                                  const std::string& path) {
  auto writer = data_files_.create(key);
  if (!writer) co_return writer.status();
  Status copied = co_await run_blocking(blocking_pool_, [&] { return append_file(**writer, path); });
  if (!copied) co_return copied;
  co_return co_await finish_data(**writer);
}

// ---------------------------------------------------------------------------------------------
// Delete.

asio::awaitable<Status> ObjectService::delete_object(const ResourceKey& key) {
  const bool cloud = options_.node.is_cloud();
  const int64_t now_ms = to_millis(options_.now());
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto existing = transaction.get_object(key);
    if (existing && existing->originated_here && existing->metadata.deleted) existing = Status::not_found();
    if (!existing) {
      if (existing.status().code() != StatusCode::kNotFound) return existing.status();
      return cloud ? Status::not_found() : Status::invalid("Failed to delete the object. Error: Object not found");
    }
    if (!existing->originated_here && !cloud)
      return Status::invalid("Failed to delete the object. Error: an edge node can't delete an object it received");
    return delete_row(transaction, *existing, now_ms);
  });
}

Status ObjectService::delete_row(WriteTransaction& transaction, StoredObject& object, int64_t now_ms) {
  // The data goes now; the row goes too unless the observer keeps it (marked deleted) until the
  // destinations that hold a copy confirm.
  drop_data(object, transaction, data_files_);
  object.updated_at_ms = now_ms;
  return commit_change(transaction, ObjectChange::kDeleted, object, true, now_ms);
}

// ---------------------------------------------------------------------------------------------
// Data.

namespace {

// from_peer: the origin node sends the data of the copy held here (which must be waiting for it).
Status check_data_target(const Result<StoredObject>& object, bool from_peer) {
  if (!object) return object.status().code() == StatusCode::kNotFound ? Status::not_found() : object.status();
  if (from_peer) {
    if (object->originated_here) return Status::conflict("This node is the object's origin");
    if (object->status != ObjectStatus::kPartiallyReceived)
      return Status::conflict(std::string("The copy is not waiting for data (status ") +
                              std::string(to_string(object->status)) + ")");
    return Status::ok();
  }
  if (!object->originated_here)
    return Status::invalid("Can't upload data of an object this node received; only its origin can");
  if (object->metadata.no_data) return Status::invalid("Can't upload data of a noData object", "noData");
  if (!is_origin_status(object->status))
    return Status::invalid(std::string("Can't upload data of an object in status ") +
                           std::string(to_string(object->status)));
  return Status::ok();
}

}  // namespace

asio::awaitable<Status> ObjectService::put_data(const ResourceKey& key, std::optional<ContentRange> content_range,
                                                BodyReader read_body, bool from_peer) {
  if (Status status = check_data_target(store_.get_object(key), from_peer); !status) co_return status;
  if (content_range) co_return co_await put_data_chunk(key, *content_range, read_body, from_peer);

  auto data = co_await write_whole_body(key, read_body);
  if (!data) co_return data.status();
  co_return co_await attach_data(key, std::move(*data), 0, from_peer);
}

asio::awaitable<Result<StoredData>> ObjectService::store_data(const ResourceKey& key, BodyReader& read_body) {
  co_return co_await write_whole_body(key, read_body);
}

asio::awaitable<Result<ObjectService::NewData>> ObjectService::write_whole_body(const ResourceKey& key,
                                                                                BodyReader& read_body) {
  auto writer = data_files_.create(key);
  if (!writer) co_return writer.status();
  std::vector<char> buffer(kBodyBufferBytes);
  while (true) {
    auto received = co_await read_body(buffer);
    if (!received) co_return received.status();  // the writer's destructor removes the temp file
    if (*received == 0) break;
    // Appends land in the page cache; the one fsync is in finish(), off the io thread.
    if (Status appended = (*writer)->append({buffer.data(), *received}); !appended) co_return appended;
  }
  co_return co_await finish_data(**writer);
}

asio::awaitable<Status> ObjectService::attach_data(const ResourceKey& key, NewData data, uint64_t upload_chunk_size,
                                                   bool from_peer) {
  const int64_t now_ms = to_millis(options_.now());
  Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (Status target = check_data_target(object, from_peer); !target) return target;
    if (!object->data_file.empty()) {
      transaction.after_commit([this, file = object->data_file] { (void)data_files_.remove(file); });
    }
    ObjectMetadata& meta = object->metadata;
    object->data_file = data.file_name;
    object->data_sha256 = data.sha256;
    object->updated_at_ms = now_ms;
    if (from_peer) {
      // The copy keeps the origin's version numbers; only the bytes are new.
      if (static_cast<int64_t>(data.size) != meta.object_size)
        return Status::invalid("The data is " + std::to_string(data.size) + " bytes; the metadata says " +
                               std::to_string(meta.object_size));
      object->status = ObjectStatus::kCompletelyReceived;
      return commit_change(transaction, ObjectChange::kReceivedData, *object, false, now_ms);
    }
    object->status = ObjectStatus::kReady;
    meta.object_size = static_cast<int64_t>(data.size);
    meta.instance_id = transaction.next_instance_id();
    meta.data_id = meta.instance_id;
    meta.source_data_uri.clear();
    if (upload_chunk_size > 0) meta.upload_chunk_size = static_cast<int64_t>(upload_chunk_size);
    return commit_change(transaction, ObjectChange::kDataAttached, *object, false, now_ms);
  });
  if (!status) (void)data_files_.remove(data.file_name);
  co_return status;
}

asio::awaitable<Result<std::string>> ObjectService::find_or_start_upload(const ResourceKey& key, uint64_t total) {
  auto existing = store_.get_upload(key);
  if (!existing && existing.status().code() != StatusCode::kNotFound) co_return existing.status();
  if (existing && existing->total_size == total) co_return existing->part_file;

  // Creating and sizing the file (with its fsyncs) happens here, not inside a store write, where it
  // would hold up every write queued behind it.
  std::string created_part;
  Status created = co_await run_blocking(blocking_pool_, [&]() -> Status {
    auto part = data_files_.create_part(key, total);
    if (!part) return part.status();
    created_part = *part;
    return Status::ok();
  });
  if (!created) co_return created;

  std::string chosen_part = created_part;
  Status recorded = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto upload = transaction.get_upload(key);
    if (!upload && upload.status().code() != StatusCode::kNotFound) return upload.status();
    if (upload && upload->total_size == total) {  // another chunk started it meanwhile: join it
      chosen_part = upload->part_file;
      return Status::ok();
    }
    if (upload) {  // a different total: the client started over
      transaction.after_commit([this, old = upload->part_file] { (void)data_files_.remove_part(old); });
    }
    return transaction.put_upload(UploadState{key, created_part, total, 0, "[]", to_millis(options_.now())});
  });
  if (!recorded || chosen_part != created_part) (void)data_files_.remove_part(created_part);
  if (!recorded) co_return recorded;
  co_return chosen_part;
}

asio::awaitable<Status> ObjectService::put_data_chunk(const ResourceKey& key, const ContentRange& range,
                                                      BodyReader& read_body, bool from_peer) {
  // 1. Find or start the upload: its part file is sized to the total announced by the client.
  auto part = co_await find_or_start_upload(key, range.total);
  if (!part) co_return part.status();
  const std::string part_file = std::move(*part);

  // 2. The chunk's bytes, durable at their offset before the range is recorded. Gathered into writes
  // of up to a megabyte: each write is a sync (an fdatasync, or a COMMIT of PostgreSQL's 1 MiB rows,
  // which a smaller piece would rewrite whole).
  std::vector<char> buffer(kPartWriteBytes);
  uint64_t offset = range.range.first;
  for (bool body_ended = false; !body_ended;) {
    size_t received = 0;
    while (received < buffer.size()) {
      auto more = co_await read_body(std::span<char>(buffer).subspan(received));
      if (!more) co_return more.status();
      if (*more == 0) {
        body_ended = true;
        break;
      }
      received += *more;
    }
    if (received == 0) break;
    if (offset + received > range.range.last + 1) {
      // An MMS edge pads its last chunk to a full chunk: from a peer the excess is junk to skip.
      if (!from_peer) co_return Status::invalid("The body is longer than its Content-Range", "Content-Range");
      received = static_cast<size_t>(range.range.last + 1 - offset);
      if (received == 0) continue;
    }
    Status written = co_await run_blocking(blocking_pool_, [&]() -> Status {
      return data_files_.write_part(part_file, offset, {buffer.data(), received});
    });
    if (!written) co_return written;
    offset += received;
  }
  if (offset != range.range.last + 1)
    co_return Status::invalid("The body is shorter than its Content-Range", "Content-Range");

  // 3. Record the range; the chunk that completes the object finalises it.
  bool complete = false;
  Status recorded = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto upload = transaction.get_upload(key);
    if (!upload)
      return upload.status().code() == StatusCode::kNotFound
                 ? Status::conflict("The upload was restarted by another request")
                 : upload.status();
    if (upload->part_file != part_file) return Status::conflict("The upload was restarted by another request");
    auto merged = add_received_range(upload->received_ranges_json, range.range);
    if (!merged) return merged.status();
    upload->received_ranges_json = merged->ranges_json;
    upload->received_bytes = merged->received_bytes;
    upload->updated_at_ms = to_millis(options_.now());
    complete = upload->received_bytes == upload->total_size;
    return transaction.put_upload(*upload);
  });
  if (!recorded || !complete) co_return recorded;

  std::optional<NewData> data;
  Status finished = co_await run_blocking(blocking_pool_, [&]() -> Status {
    auto done = data_files_.finish_part(part_file, key);
    if (!done) return done.status();
    data = NewData{done->file_name, done->size, done->sha256};
    return Status::ok();
  });
  if (!finished) co_return finished;
  Status attached = co_await attach_data(key, std::move(*data), range.range.length(), from_peer);
  if (!attached) co_return attached;
  co_return co_await durable_write(store_,
                                   [&](WriteTransaction& transaction) { return transaction.delete_upload(key); });
}

Result<DataDownload> ObjectService::open_data(const ResourceKey& key) const {
  auto object = store_.get_object(key);
  if (!object) return object.status().code() == StatusCode::kNotFound ? Status::not_found() : object.status();
  return open_data_of(*object);
}

Result<DataDownload> ObjectService::open_data_of(const StoredObject& object) const {
  if (!is_data_readable(object.status) || object.data_file.empty()) return Status::not_found();
  auto reader = data_files_.open_reader(object.data_file);
  if (!reader) {
    // The row may have moved on to a newer file between the read and the open.
    return reader.status().code() == StatusCode::kNotFound ? Status::not_found() : reader.status();
  }
  const uint64_t size = (*reader)->size();
  return DataDownload{std::shared_ptr<DataFileReader>(std::move(*reader)), size, object.data_sha256};
}

// ---------------------------------------------------------------------------------------------
// Marks and activation.

asio::awaitable<Status> ObjectService::mark(const ResourceKey& key, Mark mark) {
  const std::string name(mark_name(mark));
  const int64_t now_ms = to_millis(options_.now());
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object) {
      if (object.status().code() != StatusCode::kNotFound) return object.status();
      return Status::invalid("Failed to find object to mark as " + name);
    }
    const ObjectStatus status = object->status;
    const bool receivable = status == ObjectStatus::kCompletelyReceived || status == ObjectStatus::kReceived;
    const bool allowed = object->originated_here  ? false
                         : mark == Mark::kDeleted ? status == ObjectStatus::kDeleted
                                                  : receivable;
    if (!allowed) {
      // MMS ends this message with a blank line; clients print it as is.
      return Status::invalid("Invalid attempt to mark object in status " + std::string(to_string(status)) + " as " +
                             name + "\n");
    }
    object->updated_at_ms = now_ms;
    switch (mark) {
      case Mark::kReceived:
        if (object->remaining_receivers > 0) --object->remaining_receivers;
        if (object->remaining_receivers == 0) object->status = ObjectStatus::kReceived;
        return commit_change(transaction, ObjectChange::kMarkedReceived, *object, false, now_ms);
      case Mark::kConsumed:
        if (object->remaining_consumers > 0) --object->remaining_consumers;
        if (object->remaining_consumers == 0) object->status = ObjectStatus::kConsumed;
        return commit_change(transaction, ObjectChange::kMarkedConsumed, *object, false, now_ms);
      case Mark::kDeleted:
        if (object->remaining_consumers > 0) --object->remaining_consumers;
        // Every consumer saw the deletion: the copy goes.
        return commit_change(transaction, ObjectChange::kMarkedDeleted, *object, object->remaining_consumers == 0,
                             now_ms);
    }
    return Status::internal("unknown mark");
  });
}

asio::awaitable<Status> ObjectService::activate(const ResourceKey& key) {
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object) {
      if (object.status().code() != StatusCode::kNotFound) return object.status();
      return Status::invalid("Failed to activate the object. Error: Object not found");
    }
    if (!object->originated_here)
      return Status::invalid("Failed to activate the object. Error: only the object's origin can activate it");
    if (!object->metadata.inactive) return Status::ok();
    object->metadata.inactive = false;
    const int64_t now_ms = to_millis(options_.now());
    object->updated_at_ms = now_ms;
    return commit_change(transaction, ObjectChange::kActivated, *object, false, now_ms);
  });
}

asio::awaitable<Result<size_t>> ObjectService::activate_due_objects() {
  auto due = store_.list_due_activations(options_.now());
  if (!due) co_return due.status();
  size_t activated = 0;
  for (const auto& object : *due) {
    Status status = co_await activate(object.key());
    if (status) {
      ++activated;
    } else {
      spdlog::warn("auto-activation of {} failed: {}", object.key().to_string(), status.message());
    }
  }
  co_return activated;
}

asio::awaitable<Result<size_t>> ObjectService::remove_expired_objects() {
  if (!options_.node.is_cloud()) co_return size_t{0};
  auto expired = store_.list_expired(options_.now());
  if (!expired) co_return expired.status();
  std::vector<ResourceKey> keys;
  for (const auto& object : *expired) keys.push_back(object.key());
  const size_t count = keys.size();
  if (Status status = co_await remove_objects(std::move(keys)); !status) co_return status;
  co_return count;
}

asio::awaitable<Status> ObjectService::remove_objects(std::vector<ResourceKey> keys) {
  const SystemTime now = options_.now();
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    for (const auto& key : keys) {
      auto object = transaction.get_object(key);
      if (!object) continue;  // already gone
      // Re-check inside the transaction: an update may have moved the expiration.
      auto expiration = parse_rfc3339(object->metadata.expiration);
      if (!expiration || *expiration > now || object->metadata.deleted) continue;
      // Expiring is deleting: destinations holding a copy are told, as for an application's DELETE.
      if (Status removed = delete_row(transaction, *object, to_millis(now)); !removed) return removed;
    }
    return Status::ok();
  });
}

// ---------------------------------------------------------------------------------------------
// The receiving side.

asio::awaitable<Result<ReceiveOutcome>> ObjectService::receive_metadata(ObjectMetadata metadata) {
  const ResourceKey key{metadata.destination_org_id, metadata.object_type, metadata.object_id};
  const int64_t now_ms = to_millis(options_.now());
  // A version already held (a resend, a repeated poll item) is answered from a read, without a write.
  if (auto held = store_.get_object(key); held && !held->originated_here && !held->metadata.deleted) {
    if (held->metadata.instance_id > metadata.instance_id) co_return ReceiveOutcome::kStale;
    if (held->metadata.instance_id == metadata.instance_id && held->status != ObjectStatus::kPartiallyReceived)
      co_return ReceiveOutcome::kUnchanged;
  }
  ReceiveOutcome outcome = ReceiveOutcome::kNeedsData;
  Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto existing = transaction.get_object(key);
    if (!existing && existing.status().code() != StatusCode::kNotFound) return existing.status();
    if (existing && existing->originated_here)
      return Status::conflict("An object with this key was created on this node");
    if (existing && existing->metadata.instance_id > metadata.instance_id) {
      outcome = ReceiveOutcome::kStale;
      return Status::ok();
    }
    if (existing && existing->metadata.instance_id == metadata.instance_id && !existing->metadata.deleted) {
      outcome = existing->status == ObjectStatus::kPartiallyReceived ? ReceiveOutcome::kNeedsData
                                                                     : ReceiveOutcome::kUnchanged;
      return Status::ok();
    }
    StoredObject copy;
    copy.metadata = std::move(metadata);
    ObjectMetadata& meta = copy.metadata;
    meta.deleted = false;
    if (meta.consumers <= 0) meta.consumers = meta.consumers == 0 ? 1 : INT32_MAX;
    copy.originated_here = false;
    copy.remaining_consumers = meta.consumers;
    copy.remaining_receivers = meta.consumers;
    copy.updated_at_ms = now_ms;
    const bool keeps_data =
        existing && meta.meta_only && !existing->data_file.empty() && existing->metadata.data_id == meta.data_id;
    if (keeps_data) {
      copy.data_file = existing->data_file;
      copy.data_sha256 = existing->data_sha256;
      meta.object_size = existing->metadata.object_size;
    } else if (existing) {
      StoredObject replaced = *existing;
      drop_data(replaced, transaction, data_files_);
    }
    const bool nothing_to_fetch = meta.no_data || !meta.link.empty() || meta.object_size == 0 || keeps_data;
    const StoredObject* previous = existing ? &*existing : nullptr;
    if (nothing_to_fetch) {
      outcome = ReceiveOutcome::kComplete;
      copy.status = ObjectStatus::kCompletelyReceived;
      return commit_change(transaction, ObjectChange::kReceivedData, copy, false, now_ms, previous);
    }
    outcome = ReceiveOutcome::kNeedsData;
    copy.status = ObjectStatus::kPartiallyReceived;
    // A transfer in progress belongs to the version this one replaces.
    if (auto upload = transaction.get_upload(key)) {
      transaction.after_commit([this, part = upload->part_file] { (void)data_files_.remove_part(part); });
      if (Status dropped = transaction.delete_upload(key); !dropped) return dropped;
    }
    // Until the new data arrives, the hash of the data it replaces when nothing else changed: if the
    // new data hashes the same, receive_data reports a version that changes nothing.
    if (existing && !existing->metadata.deleted && existing->status != ObjectStatus::kPartiallyReceived &&
        same_user_metadata(existing->metadata, copy.metadata))
      copy.data_sha256 = existing->data_sha256;
    return commit_change(transaction, ObjectChange::kReceivedMetadata, copy, false, now_ms);
  });
  if (!status) co_return status;
  co_return outcome;
}

asio::awaitable<Status> ObjectService::receive_data(const ResourceKey& key, int64_t instance_id, StoredData data) {
  const int64_t now_ms = to_millis(options_.now());
  Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object) return object.status();
    if (object->originated_here || object->metadata.instance_id != instance_id ||
        object->status != ObjectStatus::kPartiallyReceived)
      return Status::conflict("The copy moved on to another version");
    if (static_cast<int64_t>(data.size) != object->metadata.object_size)
      return Status::invalid("The data is " + std::to_string(data.size) + " bytes; the metadata says " +
                             std::to_string(object->metadata.object_size));
    const StoredObject previous = *object;  // its data_sha256: the hash of the version it replaced
    object->data_file = data.file_name;
    object->data_sha256 = data.sha256;
    object->status = ObjectStatus::kCompletelyReceived;
    object->updated_at_ms = now_ms;
    return commit_change(transaction, ObjectChange::kReceivedData, *object, false, now_ms, &previous);
  });
  if (!status) (void)data_files_.remove(data.file_name);
  co_return status;
}

asio::awaitable<Status> ObjectService::complete_copy(const ResourceKey& key, int64_t instance_id) {
  const int64_t now_ms = to_millis(options_.now());
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object) return object.status();
    if (object->originated_here || object->metadata.instance_id != instance_id) return Status::ok();
    if (object->status != ObjectStatus::kPartiallyReceived) return Status::ok();
    object->status = ObjectStatus::kCompletelyReceived;
    object->updated_at_ms = now_ms;
    return commit_change(transaction, ObjectChange::kReceivedData, *object, false, now_ms);
  });
}

asio::awaitable<Status> ObjectService::receive_delete(const ResourceKey& key) {
  const int64_t now_ms = to_millis(options_.now());
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object) return object.status().code() == StatusCode::kNotFound ? Status::ok() : object.status();
    if (object->originated_here) return Status::conflict("This node is the object's origin");
    if (object->metadata.deleted) return Status::ok();
    drop_data(*object, transaction, data_files_);
    object->metadata.deleted = true;
    object->status = ObjectStatus::kDeleted;
    object->remaining_consumers = object->metadata.consumers;
    object->updated_at_ms = now_ms;
    return commit_change(transaction, ObjectChange::kPeerDeleted, *object, false, now_ms);
  });
}

asio::awaitable<Status> ObjectService::consumed_by_destination(const ResourceKey& key) {
  const int64_t now_ms = to_millis(options_.now());
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object) return object.status().code() == StatusCode::kNotFound ? Status::ok() : object.status();
    if (!object->originated_here) return Status::conflict("Not this node's object");
    drop_data(*object, transaction, data_files_);
    object->status = ObjectStatus::kConsumedByDestination;
    object->updated_at_ms = now_ms;
    return transaction.put_object(*object);
  });
}

asio::awaitable<Status> ObjectService::remove_copy(const ResourceKey& key) {
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object) return object.status().code() == StatusCode::kNotFound ? Status::ok() : object.status();
    drop_data(*object, transaction, data_files_);
    if (auto upload = transaction.get_upload(key)) {
      transaction.after_commit([this, part = upload->part_file] { (void)data_files_.remove_part(part); });
    }
    if (Status removed = transaction.delete_upload(key); !removed) return removed;
    return transaction.delete_object(key);
  });
}

// ---------------------------------------------------------------------------------------------
// Listing and webhooks.

Result<std::vector<StoredObject>> ObjectService::list_updated(const std::string& org, const std::string& object_type,
                                                              bool include_received) const {
  ObjectFilter filter;
  filter.org = org;
  filter.object_type = object_type;
  filter.originated_here = false;
  filter.statuses = {ObjectStatus::kCompletelyReceived, ObjectStatus::kDeleted};
  if (include_received) filter.statuses.push_back(ObjectStatus::kReceived);
  return store_.list_objects(filter);
}

asio::awaitable<Status> ObjectService::delete_organization(const std::string& org) {
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    std::vector<std::string> files;
    Status status = transaction.delete_organization(org, files);
    if (!status) return status;
    // The list mixes data files and upload parts; removing a name from the wrong area is a no-op.
    transaction.after_commit([this, files = std::move(files)] {
      for (const auto& file : files) {
        (void)data_files_.remove(file);
        (void)data_files_.remove_part(file);
      }
    });
    return Status::ok();
  });
}

asio::awaitable<Status> ObjectService::register_webhook(const std::string& org, const std::string& object_type,
                                                        const std::string& url) {
  co_return co_await durable_write(
      store_, [&](WriteTransaction& transaction) { return transaction.add_webhook(org, object_type, url); });
}

asio::awaitable<Status> ObjectService::delete_webhook(const std::string& org, const std::string& object_type,
                                                      const std::string& url) {
  co_return co_await durable_write(
      store_, [&](WriteTransaction& transaction) { return transaction.remove_webhook(org, object_type, url); });
}

}  // namespace edgesync
