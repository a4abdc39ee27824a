// Mapping between StoredObject/UploadState and their rows. Internal to store/postgres; the functions
// run inside the caller's transaction and throw pqxx exceptions on database errors.
#pragma once

#include <pqxx/pqxx>
#include <vector>

#include "server/store/store.hpp"

namespace edgesync::pg {

// Column list that read_object expects, in order.
inline constexpr const char* kObjectColumns =
    "metadata_json, status, originated_here, remaining_consumers, remaining_receivers, data_file, data_sha256, "
    "updated_at_ms";

Result<StoredObject> read_object(const pqxx::row& row);
Result<std::vector<StoredObject>> read_objects(const pqxx::result& rows);

Result<StoredObject> select_object(pqxx::transaction_base& transaction, const ResourceKey& key);  // kNotFound
Result<UploadState> select_upload(pqxx::transaction_base& transaction, const ResourceKey& key);   // kNotFound

// Insert or replace the whole row.
void write_object(pqxx::transaction_base& transaction, const StoredObject& object);
void write_upload(pqxx::transaction_base& transaction, const UploadState& upload);
// Rows removed (0 or 1).
size_t erase_object(pqxx::transaction_base& transaction, const ResourceKey& key);
void erase_upload(pqxx::transaction_base& transaction, const ResourceKey& key);

}  // namespace edgesync::pg
