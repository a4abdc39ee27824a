#include "server/store/postgres/schema.hpp"

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace edgesync::pg {
namespace {

// Any constant: the key of the advisory lock that serialises migrations across processes.
constexpr int64_t kMigrationLockKey = 0x65646765'73796e63;  // "edgesync"

// Each step moves the schema from version (index) to version (index + 1). Never edit a shipped step:
// add a new one. The tables follow store/sqlite's schema (its version 7) column for column, so both
// backends keep the same rows. Text is collated "C" (bytewise), as SQLite compares it: listings come in
// the same order on both backends whatever the database's locale.
const std::vector<const char*> kMigrations = {
    // 1: everything of SQLite schema 7.
    R"sql(
      CREATE TABLE objects (
        org TEXT COLLATE "C" NOT NULL,
        object_type TEXT COLLATE "C" NOT NULL,
        object_id TEXT COLLATE "C" NOT NULL,
        metadata_json TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        originated_here BOOLEAN NOT NULL,
        remaining_consumers INTEGER NOT NULL,
        remaining_receivers INTEGER NOT NULL,
        data_file TEXT COLLATE "C" NOT NULL DEFAULT '',
        data_sha256 TEXT COLLATE "C" NOT NULL DEFAULT '',
        activation_at_ms BIGINT,
        expires_at_ms BIGINT,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (org, object_type, object_id)
      );
      CREATE INDEX objects_by_activation ON objects (activation_at_ms) WHERE activation_at_ms IS NOT NULL;
      CREATE INDEX objects_by_expiration ON objects (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
      CREATE INDEX objects_by_side_and_status ON objects (org, object_type, originated_here, status);
      CREATE TABLE webhooks (
        org TEXT COLLATE "C" NOT NULL,
        object_type TEXT COLLATE "C" NOT NULL,
        url TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (org, object_type, url)
      );
      CREATE TABLE timebase (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_instance_id BIGINT NOT NULL
      );
      CREATE TABLE uploads (
        org TEXT COLLATE "C" NOT NULL,
        object_type TEXT COLLATE "C" NOT NULL,
        object_id TEXT COLLATE "C" NOT NULL,
        part_file TEXT COLLATE "C" NOT NULL,
        total_size BIGINT NOT NULL,
        received_bytes BIGINT NOT NULL,
        received_ranges_json TEXT COLLATE "C" NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (org, object_type, object_id)
      );
      CREATE TABLE destinations (
        org TEXT COLLATE "C" NOT NULL,
        dest_type TEXT COLLATE "C" NOT NULL,
        dest_id TEXT COLLATE "C" NOT NULL,
        persistent_storage BOOLEAN NOT NULL,
        communication TEXT COLLATE "C" NOT NULL,
        code_version TEXT COLLATE "C" NOT NULL,
        registered_at_ms BIGINT NOT NULL,
        last_ping_ms BIGINT NOT NULL,
        lost BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (org, dest_type, dest_id)
      );
      CREATE TABLE deliveries (
        org TEXT COLLATE "C" NOT NULL,
        object_type TEXT COLLATE "C" NOT NULL,
        object_id TEXT COLLATE "C" NOT NULL,
        peer_type TEXT COLLATE "C" NOT NULL,
        peer_id TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        message TEXT COLLATE "C" NOT NULL,
        pending TEXT COLLATE "C" NOT NULL,
        pending_seq BIGINT NOT NULL,
        instance_id BIGINT NOT NULL,
        data_id BIGINT NOT NULL,
        sent_bytes BIGINT NOT NULL,
        metadata_json TEXT COLLATE "C" NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT COLLATE "C" NOT NULL DEFAULT '',
        next_attempt_at_ms BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (org, object_type, object_id, peer_type, peer_id)
      );
      -- A node's poll reads only its pending rows, oldest first.
      CREATE INDEX deliveries_pending ON deliveries (org, peer_type, peer_id, pending_seq) WHERE pending != '';
      CREATE INDEX deliveries_by_peer ON deliveries (org, peer_type, peer_id);
      CREATE TABLE owner_refs (
        org TEXT COLLATE "C" NOT NULL,
        object_type TEXT COLLATE "C" NOT NULL,
        object_id TEXT COLLATE "C" NOT NULL,
        owner_type TEXT COLLATE "C" NOT NULL,
        owner_id TEXT COLLATE "C" NOT NULL,
        unset_on_delete BOOLEAN NOT NULL,
        validated BOOLEAN NOT NULL,
        first_seen_ms BIGINT NOT NULL,
        PRIMARY KEY (org, object_type, object_id, owner_type, owner_id)
      );
      CREATE INDEX owner_refs_by_owner ON owner_refs (org, owner_type, owner_id);
      CREATE INDEX owner_refs_unvalidated ON owner_refs (first_seen_ms) WHERE NOT validated;
      CREATE TABLE owner_cascades (
        org TEXT COLLATE "C" NOT NULL,
        owner_type TEXT COLLATE "C" NOT NULL,
        owner_id TEXT COLLATE "C" NOT NULL,
        queued_at_ms BIGINT NOT NULL,
        PRIMARY KEY (org, owner_type, owner_id)
      );
      CREATE TABLE acls (
        kind TEXT COLLATE "C" NOT NULL,
        org TEXT COLLATE "C" NOT NULL,
        acl_key TEXT COLLATE "C" NOT NULL,
        user_type TEXT COLLATE "C" NOT NULL,
        username TEXT COLLATE "C" NOT NULL,
        role TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (kind, org, acl_key, user_type, username)
      );
      CREATE TABLE organizations (
        org TEXT COLLATE "C" PRIMARY KEY NOT NULL,
        address TEXT COLLATE "C" NOT NULL,
        updated_at_ms BIGINT NOT NULL
      );
      -- The event stream. Sequences come from one counter row, not a SEQUENCE: the row lock an append
      -- takes is held to its COMMIT, so sequences become visible in commit order (a reader never sees
      -- seq 7 committed before seq 6 and skips 6), and a rolled-back append leaves no gap.
      CREATE TABLE events (
        seq BIGINT PRIMARY KEY,
        org TEXT COLLATE "C" NOT NULL,
        time_ms BIGINT NOT NULL,
        type TEXT COLLATE "C" NOT NULL,
        object_type TEXT COLLATE "C" NOT NULL,
        object_id TEXT COLLATE "C" NOT NULL,
        instance_id BIGINT NOT NULL,
        dest_type TEXT COLLATE "C" NOT NULL,
        dest_id TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        previous_status TEXT COLLATE "C" NOT NULL,
        detail TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX events_by_org ON events (org, seq);
      CREATE TABLE event_sequence (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_seq BIGINT NOT NULL
      );
      INSERT INTO event_sequence (id, last_seq) VALUES (1, 0);
      CREATE TABLE events_pruned (
        org TEXT COLLATE "C" PRIMARY KEY NOT NULL,
        pruned_through BIGINT NOT NULL
      );
    )sql",
    // 2: object data as blobs (postgres/blob_store.hpp). A blob is attached while a row names it
    // (objects.data_file, uploads.part_file): the triggers keep the flag in step with those rows in
    // their own transactions, so the garbage collection needs no scan of the objects.
    R"sql(
      CREATE TABLE data_blobs (
        blob_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL UNIQUE,
        size BIGINT NOT NULL,
        sha256 TEXT COLLATE "C" NOT NULL DEFAULT '',
        state TEXT COLLATE "C" NOT NULL,  -- writing, part, complete, removed
        attached BOOLEAN NOT NULL DEFAULT FALSE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        touched_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX data_blobs_unattached ON data_blobs (touched_at) WHERE NOT attached;
      CREATE TABLE data_chunks (
        blob_id BIGINT NOT NULL REFERENCES data_blobs (blob_id) ON DELETE CASCADE,
        chunk_no INTEGER NOT NULL,
        bytes BYTEA NOT NULL,
        PRIMARY KEY (blob_id, chunk_no)
      );
      -- Uncompressed: object data is mostly compressed already, and substring() of an uncompressed
      -- value reads only the slices it needs (ranged downloads).
      ALTER TABLE data_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
      -- TG_ARGV[0]: the column naming a blob. Fired only when that column changes.
      CREATE FUNCTION edgesync_track_blob_references() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          UPDATE data_blobs SET attached = FALSE, touched_at = now() WHERE name = to_jsonb(OLD) ->> TG_ARGV[0];
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          UPDATE data_blobs SET attached = TRUE WHERE name = to_jsonb(NEW) ->> TG_ARGV[0];
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER objects_blob_inserted AFTER INSERT ON objects FOR EACH ROW WHEN (NEW.data_file <> '')
        EXECUTE FUNCTION edgesync_track_blob_references('data_file');
      CREATE TRIGGER objects_blob_updated AFTER UPDATE OF data_file ON objects FOR EACH ROW
        WHEN (OLD.data_file IS DISTINCT FROM NEW.data_file) EXECUTE FUNCTION edgesync_track_blob_references('data_file');
      CREATE TRIGGER objects_blob_deleted AFTER DELETE ON objects FOR EACH ROW WHEN (OLD.data_file <> '')
        EXECUTE FUNCTION edgesync_track_blob_references('data_file');
      CREATE TRIGGER uploads_blob_inserted AFTER INSERT ON uploads FOR EACH ROW
        EXECUTE FUNCTION edgesync_track_blob_references('part_file');
      CREATE TRIGGER uploads_blob_updated AFTER UPDATE OF part_file ON uploads FOR EACH ROW
        WHEN (OLD.part_file IS DISTINCT FROM NEW.part_file) EXECUTE FUNCTION edgesync_track_blob_references('part_file');
      CREATE TRIGGER uploads_blob_deleted AFTER DELETE ON uploads FOR EACH ROW
        EXECUTE FUNCTION edgesync_track_blob_references('part_file');
    )sql",
    // 3: several instances on one database (store/cluster.hpp): their ids, and the leases of the
    // background duties (expiry by the database's clock; epoch the fencing token).
    R"sql(
      CREATE SEQUENCE instance_ids;
      CREATE TABLE leases (
        name TEXT COLLATE "C" PRIMARY KEY NOT NULL,
        holder BIGINT NOT NULL,
        epoch BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      );
    )sql",
};

}  // namespace

int latest_schema_version() {
  return static_cast<int>(kMigrations.size());
}

Status migrate_schema(pqxx::connection& connection) {
  while (true) {
    pqxx::work transaction(connection, "migrate");
    // Held to the end of the transaction: a second process opening the same database at the same
    // moment waits, then sees the step already applied.
    transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    transaction.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    auto rows = transaction.exec("SELECT version FROM schema_version");
    if (rows.empty()) {
      transaction.exec("INSERT INTO schema_version (version) VALUES (0)");
    }
    const int version = rows.empty() ? 0 : rows[0][0].as<int>();
    if (version > latest_schema_version()) {
      return Status::io_error("the database has schema version " + std::to_string(version) +
                              ", newer than this edgesync knows (" + std::to_string(latest_schema_version()) +
                              "); upgrade edgesync or use another database");
    }
    if (version < 0) return Status::io_error("the database has a negative schema version");
    if (version == latest_schema_version()) {
      transaction.commit();
      return Status::ok();
    }
    transaction.exec(kMigrations[static_cast<size_t>(version)]);
    transaction.exec_params("UPDATE schema_version SET version = $1", version + 1);
    transaction.commit();
  }
}

}  // namespace edgesync::pg
