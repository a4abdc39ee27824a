// SyncClient: an application's connection to an edgesync cloud (CSS, give the org) or edge node (ESS),
// offering every call of the MMS Go client (reference/client-sdk.md §2) in C++ idiom.
//
//   edgesync::client::SyncClient cloud({.url = "http://cloud:8080", .org = "myorg",
//                                       .app_key = "myorg/admin", .app_secret = "…"});
//   cloud.update_object(meta);
//   cloud.update_object_data(meta.object_type, meta.object_id, std::filesystem::path("big.bin"));
//
// Errors: every failing call throws client::Error (error.hpp). As in the Go client, reading something
// that does not exist is not an error: get_object() returns nullopt and the list calls an empty list.
// Data never sits whole in memory: uploads and downloads stream through a bounded buffer.
// Thread safety: calls on one SyncClient are serialized (one connection); use several clients, or
// pollers (each has its own connection), for parallel work.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgesync/client/error.hpp"
#include "edgesync/client/export.hpp"
#include "edgesync/client/types.hpp"

namespace edgesync::client {

struct ClientOptions {
  // http://host:port, https://host:port, or an edge's Unix socket: unix:///path/to/sock (HTTP) or
  // secure-unix:///path/to/sock (HTTPS over the socket; the certificate must be valid for localhost).
  std::string url = "http://localhost:8080";
  std::string org;  // the organization: set it for a cloud, leave it empty for an edge
  std::string app_key;
  std::string app_secret;
  std::string ca_file;  // PEM file of the CA(s) to trust for https; empty: the system's CAs
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // no byte moved for this long fails the request
  // A sized upload larger than this is sent in pieces of this many bytes (Content-Range), each
  // retried after a transport failure, so a broken connection costs one piece and not the whole
  // transfer. Smaller ones go in one request: the server finalises a ranged upload with an extra
  // pass over the data (50 MiB: 0.9-1.4 s in 16 MiB pieces against 0.2 s in one request, measured).
  uint64_t upload_piece_bytes = 256ull << 20;
  int upload_retries = 3;  // per piece, after transport failures only
};

using ProgressCallback = std::function<void(const Progress&)>;
using UpdateCallback = std::function<void(const ObjectMetadata&)>;
// Told about failed polls (the poller keeps going); nullptr: failures are dropped.
using PollErrorCallback = std::function<void(const Error&)>;

struct PollOptions {
  std::chrono::milliseconds interval{10000};  // time between polls when nothing changed
  // Ask the server to hold the poll open up to this long until something changes (edgesync's
  // `?wait=S`); servers without long-poll answer at once and the poller falls back to the interval.
  std::chrono::seconds long_poll{0};
  PollErrorCallback on_error;
};

// A running poller (see SyncClient::start_polling). stop() or destruction ends it; the callback is
// never called after stop() returns. Not copyable, movable.
class EDGESYNC_CLIENT_API Poller {
 public:
  Poller();
  Poller(Poller&&) noexcept;
  Poller& operator=(Poller&&) noexcept;
  ~Poller();
  void stop();
  bool running() const;

  struct State;  // internal

 private:
  friend class SyncClient;
  explicit Poller(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

class EDGESYNC_CLIENT_API SyncClient {
 public:
  // Throws Error(kInvalidInput) for a malformed URL or an unreadable CA file.
  explicit SyncClient(ClientOptions options);
  // MMS style: protocol http, https, unix or secure-unix; for the Unix forms address is the socket path.
  SyncClient(const std::string& protocol, const std::string& address, uint16_t port);
  ~SyncClient();
  SyncClient(SyncClient&&) noexcept;
  SyncClient& operator=(SyncClient&&) noexcept;

  const ClientOptions& options() const;
  void set_org_id(const std::string& org);
  void set_app_key_and_secret(const std::string& key, const std::string& secret);
  void set_ca_certificate(const std::string& ca_file);

  // ---- objects ----
  std::optional<ObjectMetadata> get_object(const std::string& type, const std::string& id);
  // The object's status string (notReady, ready, completelyReceived, objconsumed…); nullopt if unknown.
  std::optional<std::string> get_object_status(const std::string& type, const std::string& id);
  std::vector<DestinationStatus> get_object_destinations(const std::string& type, const std::string& id);
  // Creates or replaces the object's metadata (data follows with update_object_data unless noData).
  void update_object(const ObjectMetadata& metadata);
  void delete_object(const std::string& type, const std::string& id);
  // Objects of a type with updates for this application (not yet received/consumed; received ones
  // too if include_received); deleted ones come with deleted = true.
  std::vector<ObjectMetadata> get_updated_objects(const std::string& type, bool include_received = false);

  // ---- data ----
  // Streams `size` bytes from `data` when size is given (in pieces, see ClientOptions), else reads
  // `data` to its end in one chunked request.
  void update_object_data(const std::string& type, const std::string& id, std::istream& data,
                          std::optional<uint64_t> size = std::nullopt, const ProgressCallback& progress = nullptr);
  void update_object_data(const std::string& type, const std::string& id, const std::filesystem::path& file,
                          const ProgressCallback& progress = nullptr);
  // Writes the object's data to `out`. Throws Error (404 when the object or its data is unknown).
  void fetch_object_data(const std::string& type, const std::string& id, std::ostream& out,
                         const ProgressCallback& progress = nullptr);
  // Writes to a temporary file beside `file` and renames it into place when complete.
  void fetch_object_data(const std::string& type, const std::string& id, const std::filesystem::path& file,
                         const ProgressCallback& progress = nullptr);

  // ---- marks ----
  void activate_object(const std::string& type, const std::string& id);
  void mark_object_received(const std::string& type, const std::string& id);
  void mark_object_consumed(const std::string& type, const std::string& id);
  void mark_object_deleted(const std::string& type, const std::string& id);  // acknowledges a deletion

  // ---- destinations (cloud) ----
  std::vector<Destination> get_destinations();
  std::vector<ObjectStatus> get_destination_objects(const std::string& dest_type, const std::string& dest_id);

  // ---- webhooks ----
  void register_webhook(const std::string& type, const std::string& url);
  void delete_webhook(const std::string& type, const std::string& url);

  // ---- ACLs (/api/v1/security/…) ----
  void add_users_to_destination_acl(const std::string& dest_type, const std::vector<std::string>& users);
  void remove_users_from_destination_acl(const std::string& dest_type, const std::vector<std::string>& users);
  std::vector<std::string> retrieve_destination_acl(const std::string& dest_type);
  std::vector<std::string> retrieve_all_destination_acls();
  void add_users_to_object_acl(const std::string& type, const std::vector<std::string>& users);
  void remove_users_from_object_acl(const std::string& type, const std::vector<std::string>& users);
  std::vector<std::string> retrieve_object_acl(const std::string& type);
  std::vector<std::string> retrieve_all_object_acls();

  // ---- node ----
  void resend();  // edge: ask the cloud to send everything for this node again
  Health health();

  // ---- polling ----
  // Polls `type` on its own connection and thread and calls `callback` once per change (an object's
  // key type, id, instanceID and deleted not seen on the previous poll, as the Go client). The first
  // poll runs at once and includes objects already marked received. The callback runs on the poller's
  // thread; it may call this SyncClient.
  [[nodiscard]] Poller start_polling(const std::string& type, UpdateCallback callback, PollOptions options = {});

  struct Impl;  // internal

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgesync::client

namespace edgesync {
using client::SyncClient;
}
