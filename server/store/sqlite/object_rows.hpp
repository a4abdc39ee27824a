// Mapping between StoredObject/UploadState and their rows. Internal to store/sqlite; the functions run
// on whichever thread holds the connection.
#pragma once

#include <SQLiteCpp/Statement.h>

#include "server/store/sqlite/connection.hpp"
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

// INSERT OR REPLACE of the whole row. Throw SQLite::Exception on a database error.
void write_object(Connection& connection, const StoredObject& object);
void write_upload(Connection& connection, const UploadState& upload);

}  // namespace edgesync::sqlite_rows
