// Config: everything edgesync reads at start-up, from a YAML file (deploy/conf/*.yaml documents every
// key) and command-line overrides. Loading fails with a message naming the bad key; nothing here is
// read again after start-up, so a Config is immutable and safe to share once loaded.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.hpp"

namespace edgesync {

enum class NodeMode { kCloud, kEdge };
enum class AuthKind { kDummy, kPreset };

// HTTPS on the TCP listener: both files or neither (plain HTTP). TLS 1.2 and later only.
struct TlsConfig {
  std::string cert_file;  // http.tls.cert_file: PEM certificate chain, the server's certificate first
  std::string key_file;   // http.tls.key_file: PEM private key of that certificate

  bool enabled() const { return !cert_file.empty(); }
  bool operator==(const TlsConfig&) const = default;
};

struct HttpConfig {
  int threads = 0;                         // http.threads: 0 = one per core
  uint32_t max_header_bytes = 16 * 1024;   // http.max_header_bytes
  uint64_t max_metadata_bytes = 1 << 20;   // http.max_metadata_bytes: non-data request bodies
  uint32_t read_timeout_seconds = 30;      // http.read_timeout_seconds: one request, header to body end
  uint32_t idle_timeout_seconds = 60;      // http.idle_timeout_seconds: keep-alive between requests
  uint32_t max_concurrent_transfers = 64;  // http.max_concurrent_transfers: data GET/PUT (429 past it)
  uint32_t shutdown_grace_seconds = 10;    // http.shutdown_grace_seconds: in-flight requests finish
  TlsConfig tls;                           // http.tls.*
  std::string unix_socket;                 // http.unix_socket: path of a Unix socket served too ("" = none)
  uint32_t unix_socket_mode = 0660;        // http.unix_socket_mode: its file mode, an octal string ("0660")

  bool operator==(const HttpConfig&) const = default;
};

enum class StoreBackend { kSqlite, kPostgres };

struct StoreConfig {
  uint64_t chunk_size = 5 * 1024 * 1024;         // store.chunk_size: MMS MaxDataChunkSize
  uint32_t max_batch_writes = 1024;              // store.max_batch_writes: writes per group commit
  StoreBackend backend = StoreBackend::kSqlite;  // store.backend: sqlite (data_dir/edgesync.db) | postgres
  std::string postgres_url;  // store.postgres.url: libpq connection string; required with backend postgres
  // store.postgres.plugin: the backend's module (edgesync-store-postgres.so); empty: looked for next to
  // the binary and in the install's libdir (server/store/plugin/store_plugin_loader.hpp)
  std::string postgres_plugin;
  // store.postgres.lease_seconds: how long an instance keeps the background duties' lease without
  // renewing it (renewed every third of it); a dead holder is replaced after at most this long.
  uint32_t lease_seconds = 15;

  bool operator==(const StoreConfig&) const = default;
};

struct ObjectsConfig {
  uint32_t activation_interval_seconds = 30;   // objects.activation_interval_seconds
  uint32_t maintenance_interval_seconds = 30;  // objects.maintenance_interval_seconds (cloud expiration)

  bool operator==(const ObjectsConfig&) const = default;
};

struct OwnersConfig {
  uint32_t validation_timeout_seconds = 60;  // owners.validation_timeout: an owner not seen by then is dropped
  uint32_t check_interval_ms = 1000;         // owners.check_interval_ms: cascades and validation run this often
  uint32_t batch_size = 100;                 // owners.batch_size: ownees per cascade transaction

  bool operator==(const OwnersConfig&) const = default;
};

struct ReconcileConfig {
  uint32_t retry_initial_ms = 1000;  // reconcile.retry_initial_ms: first wait before a notification is handed out again
  uint32_t retry_max_ms = 300000;    // reconcile.retry_max_ms: the cap of the exponential backoff

  bool operator==(const ReconcileConfig&) const = default;
};

struct UplinkConfig {
  uint32_t long_poll_seconds = 30;   // uplink.long_poll_seconds: how long the cloud may hold a poll (0 = no long-poll)
  uint32_t poll_interval_ms = 1000;  // uplink.poll_interval_ms: against a cloud without long-poll (MMS)
  uint32_t max_backoff_ms = 30000;   // uplink.max_backoff_ms: reconnect backoff cap (exponential, jittered)
  uint32_t request_timeout_seconds = 30;  // uplink.request_timeout_seconds: a request making no progress fails
  std::string secret_file;                // uplink.secret_file: file holding this edge's secret towards the cloud
  std::string ca_file;                    // uplink.ca_file: PEM CAs trusted for an https cloud_url ("" = system's)

  bool operator==(const UplinkConfig&) const = default;
};

struct EventsConfig {
  uint32_t retention_seconds = 7 * 24 * 3600;  // events.retention_seconds: older events are pruned (0 = any age)
  uint32_t max_events = 1000000;               // events.max_events: at most this many kept, all orgs (0 = any)
  uint32_t prune_interval_ms = 10000;          // events.prune_interval_ms: pruning runs this often
  uint32_t node_lost_seconds = 300;  // events.node_lost_seconds: cloud: an edge silent this long is lost (0 = never)

  bool operator==(const EventsConfig&) const = default;
};

struct Config {
  NodeMode mode = NodeMode::kCloud;          // mode: cloud | edge
  std::string listen = "127.0.0.1:8080";     // listen: HOST:PORT (port 0 picks a free port)
  std::string data_dir = "./edgesync-data";  // data_dir
  std::string org;                           // org: edge's org (required on an edge)
  std::string dest_type;                     // dest_type: edge identity (required on an edge)
  std::string dest_id;                       // dest_id: edge identity (required on an edge)
  std::string cloud_url;                     // cloud_url: edge → cloud base URL
  AuthKind auth = AuthKind::kPreset;         // auth.type: preset | dummy
  std::string auth_file;                     // auth.file
  std::string log_level = "info";            // log.level: trace debug info warn error critical off
  std::string log_format = "text";           // log.format: text | json
  HttpConfig http;
  StoreConfig store;
  ObjectsConfig objects;
  OwnersConfig owners;
  ReconcileConfig reconcile;
  UplinkConfig uplink;
  EventsConfig events;
  uint32_t meta_sync_status_interval_seconds = 60;  // meta.sync.status.interval: edge status sync (metamanager)

  bool operator==(const Config&) const = default;
};

std::string_view to_string(NodeMode mode);

// A file mode written in octal, "0660" or "660" (permission bits only, at most 0777). Used for
// http.unix_socket_mode and its command-line override; the error says what was expected.
Result<uint32_t> parse_file_mode(std::string_view text);

// Reads a YAML file over the defaults. Keys nest as YAML maps ("http:" then "  threads: 4"); a dotted
// key ("meta.sync.status.interval: 5") is accepted too. Unknown or repeated keys, wrong types and
// out-of-range values fail with a message that starts with the key and ends with the file, e.g.
// "http.read_timeout_seconds: must be an integer between 1 and 86400 (got 0) (in edge.yaml)"; Status::field()
// is the dotted key. A missing, unreadable or unparsable file fails with a message naming the file (and
// the line, for YAML syntax errors); field() is "config". Never throws.
Result<Config> load_config_file(const std::string& path);

// Checks rules that hold after command-line overrides are applied: listen is HOST:PORT; data_dir is set;
// log.level and log.format are known; preset auth has auth.file; an edge has valid org, dest_type and
// dest_id names and an http(s) cloud_url; http.tls has both files or neither. The message starts with the
// key, which is also field(). Whether the files can be read is checked when they are opened.
Status validate_config(const Config& config);

}  // namespace edgesync
