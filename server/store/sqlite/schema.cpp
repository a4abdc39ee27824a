#include "server/store/sqlite/schema.hpp"

#include <SQLiteCpp/Transaction.h>
#include <vector>

namespace edgesync {
namespace {

// Each step moves the schema from version (index) to version (index + 1). Never edit a shipped step:
// add a new one.
const std::vector<const char*> kMigrations = {
    // 1: objects, webhooks, the instance-id timebase, chunked uploads.
    R"sql(
      CREATE TABLE objects (
        org TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        metadata_json TEXT NOT NULL,
        status TEXT NOT NULL,
        originated_here INTEGER NOT NULL,
        remaining_consumers INTEGER NOT NULL,
        remaining_receivers INTEGER NOT NULL,
        data_file TEXT NOT NULL DEFAULT '',
        data_sha256 TEXT NOT NULL DEFAULT '',
        activation_at_ms INTEGER,
        expires_at_ms INTEGER,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (org, object_type, object_id)
      ) WITHOUT ROWID;
      CREATE INDEX objects_by_activation ON objects (activation_at_ms) WHERE activation_at_ms IS NOT NULL;
      CREATE INDEX objects_by_expiration ON objects (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
      CREATE TABLE webhooks (
        org TEXT NOT NULL,
        object_type TEXT NOT NULL,
        url TEXT NOT NULL,
        PRIMARY KEY (org, object_type, url)
      ) WITHOUT ROWID;
      CREATE TABLE timebase (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_instance_id INTEGER NOT NULL
      );
      CREATE TABLE uploads (
        org TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        part_file TEXT NOT NULL,
        total_size INTEGER NOT NULL,
        received_bytes INTEGER NOT NULL,
        received_ranges_json TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (org, object_type, object_id)
      ) WITHOUT ROWID;
    )sql",
    // 2: listing a type's updates (received objects in a few statuses) without reading every object of
    // the type, most of which are long consumed.
    R"sql(
      CREATE INDEX objects_by_side_and_status ON objects (org, object_type, originated_here, status);
    )sql",
};

}  // namespace

int latest_schema_version() {
  return static_cast<int>(kMigrations.size());
}

Status migrate_schema(SQLite::Database& database) {
  try {
    while (true) {
      // IMMEDIATE, and the version read inside: a second process opening the same file at the same
      // moment waits, then sees the step already applied instead of applying it twice.
      SQLite::Transaction transaction(database, SQLite::TransactionBehavior::IMMEDIATE);
      const int version = database.execAndGet("PRAGMA user_version").getInt();
      if (version > latest_schema_version()) {
        return Status::io_error("the database has schema version " + std::to_string(version) +
                                ", newer than this edgesync knows (" + std::to_string(latest_schema_version()) +
                                "); upgrade edgesync or use another data directory");
      }
      if (version < 0) return Status::io_error("the database has a negative schema version");
      if (version == latest_schema_version()) return Status::ok();
      database.exec(kMigrations[static_cast<size_t>(version)]);
      database.exec("PRAGMA user_version = " + std::to_string(version + 1));
      transaction.commit();
    }
  } catch (const SQLite::Exception& error) {
    return Status::io_error(std::string("schema migration failed: ") + error.what());
  }
}

}  // namespace edgesync
