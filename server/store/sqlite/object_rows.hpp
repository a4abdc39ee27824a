// Mapping between StoredObject/UploadState and their rows. Internal to store/sqlite.
#pragma once

#include <SQLiteCpp/Statement.h>

#include "server/store/store.hpp"

namespace edgesync::sqlite_rows {

// Column list that read_object expects, in order.
inline constexpr const char* kObjectColumns =
    "metadata_json, status, originated_here, remaining_consumers, remaining_receivers, data_file, data_sha256, "
    "updated_at_ms";
inline constexpr const char* kUploadColumns =
    "org, object_type, object_id, part_file, total_size, received_bytes, received_ranges_json, updated_at_ms";

Result<StoredObject> read_object(SQLite::Statement& statement);
UploadState read_upload(SQLite::Statement& statement);

// INSERT OR REPLACE of the whole row.
void write_object(SQLite::Database& database, const StoredObject& object);
void write_upload(SQLite::Database& database, const UploadState& upload);

}  // namespace edgesync::sqlite_rows
