#include "server/store/postgres/object_rows.hpp"

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "common/metadata_codec.hpp"
#include "server/store/postgres/connection.hpp"

namespace edgesync::pg {
namespace {

std::optional<std::string> millis_text(std::optional<SystemTime> time) {
  if (!time) return std::nullopt;
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(time->time_since_epoch()).count());
}

}  // namespace

Result<StoredObject> read_object(const pqxx::row& row) {
  auto metadata = parse_metadata(row[0].as<std::string>());
  if (!metadata) return Status::internal("corrupt metadata in the store: " + metadata.status().message());
  auto status = parse_object_status(row[1].as<std::string>());
  if (!status) return Status::internal("corrupt status in the store: " + row[1].as<std::string>());
  StoredObject object;
  object.metadata = std::move(*metadata);
  object.status = *status;
  object.originated_here = row[2].as<bool>();
  object.remaining_consumers = row[3].as<int32_t>();
  object.remaining_receivers = row[4].as<int32_t>();
  object.data_file = row[5].as<std::string>();
  object.data_sha256 = row[6].as<std::string>();
  object.updated_at_ms = row[7].as<int64_t>();
  return object;
}

Result<std::vector<StoredObject>> read_objects(const pqxx::result& rows) {
  std::vector<StoredObject> objects;
  objects.reserve(rows.size());
  for (const auto& row : rows) {
    auto object = read_object(row);
    if (!object) return object.status();
    objects.push_back(std::move(*object));
  }
  return objects;
}

Result<StoredObject> select_object(pqxx::transaction_base& transaction, const ResourceKey& key) {
  auto rows = pg::exec_cached(
      transaction,
      std::string("SELECT ") + kObjectColumns + " FROM objects WHERE org = $1 AND object_type = $2 AND object_id = $3",
      key.org, key.object_type, key.object_id);
  if (rows.empty()) return Status::not_found();
  return read_object(rows[0]);
}

Result<UploadState> select_upload(pqxx::transaction_base& transaction, const ResourceKey& key) {
  auto rows = pg::exec_cached(
      transaction,
      "SELECT part_file, total_size, received_bytes, received_ranges_json, updated_at_ms FROM uploads WHERE org = $1 "
      "AND object_type = $2 AND object_id = $3",
      key.org, key.object_type, key.object_id);
  if (rows.empty()) return Status::not_found();
  UploadState upload;
  upload.key = key;
  upload.part_file = rows[0][0].as<std::string>();
  upload.total_size = static_cast<uint64_t>(rows[0][1].as<int64_t>());
  upload.received_bytes = static_cast<uint64_t>(rows[0][2].as<int64_t>());
  upload.received_ranges_json = rows[0][3].as<std::string>();
  upload.updated_at_ms = rows[0][4].as<int64_t>();
  return upload;
}

void write_object(pqxx::transaction_base& transaction, const StoredObject& object) {
  const ObjectMetadata& meta = object.metadata;
  // Only what the timers act on is indexed: an inactive object's activation, any expiration.
  const auto activation = millis_text(meta.inactive ? parse_rfc3339(meta.activation_time) : std::nullopt);
  const auto expiration = millis_text(parse_rfc3339(meta.expiration));
  pg::exec_cached(
      transaction,
      "INSERT INTO objects (org, object_type, object_id, metadata_json, status, originated_here, "
      "remaining_consumers, remaining_receivers, data_file, data_sha256, activation_at_ms, expires_at_ms, "
      "updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::BIGINT, $12::BIGINT, $13) "
      "ON CONFLICT (org, object_type, object_id) DO UPDATE SET metadata_json = excluded.metadata_json, "
      "status = excluded.status, originated_here = excluded.originated_here, "
      "remaining_consumers = excluded.remaining_consumers, remaining_receivers = excluded.remaining_receivers, "
      "data_file = excluded.data_file, data_sha256 = excluded.data_sha256, "
      "activation_at_ms = excluded.activation_at_ms, expires_at_ms = excluded.expires_at_ms, "
      "updated_at_ms = excluded.updated_at_ms",
      meta.destination_org_id, meta.object_type, meta.object_id, metadata_to_text(meta, false),
      std::string(to_string(object.status)), object.originated_here, object.remaining_consumers,
      object.remaining_receivers, object.data_file, object.data_sha256, nullable(activation), nullable(expiration),
      object.updated_at_ms);
}

void write_upload(pqxx::transaction_base& transaction, const UploadState& upload) {
  pg::exec_cached(transaction,
                  "INSERT INTO uploads (org, object_type, object_id, part_file, total_size, received_bytes, "
                  "received_ranges_json, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                  "ON CONFLICT (org, object_type, object_id) DO UPDATE SET part_file = excluded.part_file, "
                  "total_size = excluded.total_size, received_bytes = excluded.received_bytes, "
                  "received_ranges_json = excluded.received_ranges_json, updated_at_ms = excluded.updated_at_ms",
                  upload.key.org, upload.key.object_type, upload.key.object_id, upload.part_file,
                  static_cast<int64_t>(upload.total_size), static_cast<int64_t>(upload.received_bytes),
                  upload.received_ranges_json, upload.updated_at_ms);
}

size_t erase_object(pqxx::transaction_base& transaction, const ResourceKey& key) {
  return pg::exec_cached(transaction, "DELETE FROM objects WHERE org = $1 AND object_type = $2 AND object_id = $3",
                         key.org, key.object_type, key.object_id)
      .affected_rows();
}

void erase_upload(pqxx::transaction_base& transaction, const ResourceKey& key) {
  pg::exec_cached(transaction, "DELETE FROM uploads WHERE org = $1 AND object_type = $2 AND object_id = $3", key.org,
                  key.object_type, key.object_id);
}

}  // namespace edgesync::pg
