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
    // 3: the cloud–edge protocol: registered edge nodes and one delivery row per (object, peer node).
    R"sql(
      CREATE TABLE destinations (
        org TEXT NOT NULL,
        dest_type TEXT NOT NULL,
        dest_id TEXT NOT NULL,
        persistent_storage INTEGER NOT NULL,
        communication TEXT NOT NULL,
        code_version TEXT NOT NULL,
        registered_at_ms INTEGER NOT NULL,
        last_ping_ms INTEGER NOT NULL,
        PRIMARY KEY (org, dest_type, dest_id)
      ) WITHOUT ROWID;
      CREATE TABLE deliveries (
        org TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        peer_type TEXT NOT NULL,
        peer_id TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL,
        pending TEXT NOT NULL,
        pending_seq INTEGER NOT NULL,
        instance_id INTEGER NOT NULL,
        data_id INTEGER NOT NULL,
        sent_bytes INTEGER NOT NULL,
        metadata_json TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (org, object_type, object_id, peer_type, peer_id)
      ) WITHOUT ROWID;
      -- A node's poll reads only its pending rows, oldest first.
      CREATE INDEX deliveries_pending ON deliveries (org, peer_type, peer_id, pending_seq) WHERE pending != '';
      CREATE INDEX deliveries_by_peer ON deliveries (org, peer_type, peer_id);
    )sql",
    // 4: owner references (one row per ownee → owner link, with its validation state) and the owners
    // whose deletion still has to reach their ownees (a cascade survives a restart).
    R"sql(
      CREATE TABLE owner_refs (
        org TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        owner_type TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        unset_on_delete INTEGER NOT NULL,
        validated INTEGER NOT NULL,
        first_seen_ms INTEGER NOT NULL,
        PRIMARY KEY (org, object_type, object_id, owner_type, owner_id)
      ) WITHOUT ROWID;
      -- An owner's ownees, for the cascade.
      CREATE INDEX owner_refs_by_owner ON owner_refs (org, owner_type, owner_id);
      -- The references still waiting for their owner, oldest first, for the validator.
      CREATE INDEX owner_refs_unvalidated ON owner_refs (first_seen_ms) WHERE validated = 0;
      CREATE TABLE owner_cascades (
        org TEXT NOT NULL,
        owner_type TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        queued_at_ms INTEGER NOT NULL,
        PRIMARY KEY (org, owner_type, owner_id)
      ) WITHOUT ROWID;
    )sql",
    // 5: delivery reconciliation: attempts, the last error and the time of the next attempt per row.
    R"sql(
      ALTER TABLE deliveries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE deliveries ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
      ALTER TABLE deliveries ADD COLUMN next_attempt_at_ms INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 6: the security API: per-org object-type and destination-type ACLs, and organizations.
    R"sql(
      CREATE TABLE acls (
        kind TEXT NOT NULL,
        org TEXT NOT NULL,
        acl_key TEXT NOT NULL,
        user_type TEXT NOT NULL,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (kind, org, acl_key, user_type, username)
      ) WITHOUT ROWID;
      CREATE TABLE organizations (
        org TEXT PRIMARY KEY NOT NULL,
        address TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
    )sql",
    // 7: the event stream. AUTOINCREMENT: a sequence is never handed out twice, even once the newest
    // events were pruned (a plain rowid could reuse them after a restart). events_pruned keeps, per org,
    // the newest sequence pruning removed, so a reader resuming from before it learns it missed events
    // (410). destinations.lost: a node reported lost is reported again only after it came back.
    R"sql(
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        org TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        type TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        instance_id INTEGER NOT NULL,
        dest_type TEXT NOT NULL,
        dest_id TEXT NOT NULL,
        status TEXT NOT NULL,
        previous_status TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      -- An org's stream in order (pruning walks the primary key).
      CREATE INDEX events_by_org ON events (org, seq);
      CREATE TABLE events_pruned (
        org TEXT PRIMARY KEY NOT NULL,
        pruned_through INTEGER NOT NULL
      ) WITHOUT ROWID;
      ALTER TABLE destinations ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;
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
