#include "server/store/sqlite/object_rows.hpp"

#include "common/metadata_codec.hpp"

namespace edgesync::sqlite_rows {
namespace {

int64_t to_millis(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

Result<StoredObject> read_object(SQLite::Statement& statement) {
  auto metadata = parse_metadata(statement.getColumn(0).getString());
  if (!metadata) return Status::internal("corrupt metadata in the store: " + metadata.status().message());
  auto status = parse_object_status(statement.getColumn(1).getString());
  if (!status) return Status::internal("corrupt status in the store: " + statement.getColumn(1).getString());
  StoredObject object;
  object.metadata = std::move(*metadata);
  object.status = *status;
  object.originated_here = statement.getColumn(2).getInt() != 0;
  object.remaining_consumers = statement.getColumn(3).getInt();
  object.remaining_receivers = statement.getColumn(4).getInt();
  object.data_file = statement.getColumn(5).getString();
  object.data_sha256 = statement.getColumn(6).getString();
  object.updated_at_ms = statement.getColumn(7).getInt64();
  return object;
}

UploadState read_upload(SQLite::Statement& statement) {
  UploadState upload;
  upload.key = {statement.getColumn(0).getString(), statement.getColumn(1).getString(),
                statement.getColumn(2).getString()};
  upload.part_file = statement.getColumn(3).getString();
  upload.total_size = static_cast<uint64_t>(statement.getColumn(4).getInt64());
  upload.received_bytes = static_cast<uint64_t>(statement.getColumn(5).getInt64());
  upload.received_ranges_json = statement.getColumn(6).getString();
  upload.updated_at_ms = statement.getColumn(7).getInt64();
  return upload;
}

void write_object(Connection& connection, const StoredObject& object) {
  auto statement = connection.statement(
      "INSERT OR REPLACE INTO objects (org, object_type, object_id, metadata_json, status, "
      "originated_here, remaining_consumers, remaining_receivers, data_file, data_sha256, "
      "activation_at_ms, expires_at_ms, updated_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const ObjectMetadata& meta = object.metadata;
  statement->bind(1, meta.destination_org_id);
  statement->bind(2, meta.object_type);
  statement->bind(3, meta.object_id);
  statement->bind(4, metadata_to_text(meta, false));
  statement->bind(5, std::string(to_string(object.status)));
  statement->bind(6, object.originated_here ? 1 : 0);
  statement->bind(7, object.remaining_consumers);
  statement->bind(8, object.remaining_receivers);
  statement->bind(9, object.data_file);
  statement->bind(10, object.data_sha256);
  // Only what the timers act on is indexed: an inactive object's activation, any expiration.
  auto activation = meta.inactive ? parse_rfc3339(meta.activation_time) : std::nullopt;
  if (activation)
    statement->bind(11, to_millis(*activation));
  else
    statement->bind(11);
  auto expiration = parse_rfc3339(meta.expiration);
  if (expiration)
    statement->bind(12, to_millis(*expiration));
  else
    statement->bind(12);
  statement->bind(13, object.updated_at_ms);
  statement->exec();
}

void write_upload(Connection& connection, const UploadState& upload) {
  auto statement = connection.statement(
      "INSERT OR REPLACE INTO uploads (org, object_type, object_id, part_file, total_size, "
      "received_bytes, received_ranges_json, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  statement->bind(1, upload.key.org);
  statement->bind(2, upload.key.object_type);
  statement->bind(3, upload.key.object_id);
  statement->bind(4, upload.part_file);
  statement->bind(5, static_cast<int64_t>(upload.total_size));
  statement->bind(6, static_cast<int64_t>(upload.received_bytes));
  statement->bind(7, upload.received_ranges_json);
  statement->bind(8, upload.updated_at_ms);
  statement->exec();
}

}  // namespace edgesync::sqlite_rows
