// CloudSync: the cloud side of the cloud–edge protocol (MMS's HTTP SPI, reference/spi-wire.md), minus
// HTTP: node registration, the pending notifications a node's poll returns, the notifications a node
// sends (updated, received, consumed, ackDelete, deleted, …, and the metadata/data of its own objects),
// resend, and edgesync's extensions (remote query, status snapshots for metasync). The HTTP mapping is
// server/api/spi_routes.cpp.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/object_metadata.hpp"
#include "common/status.hpp"
#include "common/time_format.hpp"
#include "server/objects/object_service.hpp"
#include "server/store/store.hpp"
#include "server/sync/cloud_planner.hpp"
#include "server/sync/node_waiters.hpp"
#include "server/sync/retry_policy.hpp"

namespace edgesync {

// One entry of a poll answer: {"Type": type, "MetaData": metadata}.
struct PollItem {
  std::string type;  // update, delete, consumed, deleted
  ObjectMetadata metadata;
};

// One object's status on an edge node, as the node reports it in a status snapshot (metasync).
struct NodeObjectStatus {
  ResourceKey key;
  int64_t instance_id = 0;
  std::string status;  // the edge's object status (completelyReceived, objconsumed, …) or "consumed"/"deleted"
};

class CloudSync {
 public:
  CloudSync(
      Store& store, ObjectService& objects, CloudPlanner& planner, NodeWaiters& waiters,
      std::function<SystemTime()> now = [] { return std::chrono::system_clock::now(); });

  // register: kNotFound for an unknown node ("register as new"). register-new: (re)creates the node and
  // queues every object that targets it. A node without persistent storage gets everything again.
  boost::asio::awaitable<Status> register_node(const NodeAddress& node, bool persistent_storage, bool as_new);
  boost::asio::awaitable<Status> ping(const NodeAddress& node);  // kNotFound when unknown
  boost::asio::awaitable<Status> unregister(const NodeAddress& node);
  bool is_registered(const NodeAddress& node) const;

  // Event stream: a registered node not heard from (register, ping, poll) for this long, with no poll
  // held open, is reported lost (nodeLost) by report_lost_nodes(); it is reported registered again when
  // it comes back. 0 = never. Set before serving.
  void set_node_lost_after(std::chrono::milliseconds after) { node_lost_after_ = after; }
  // Where report_lost_nodes() writes: the lease's fenced store of a cloud sharing its database
  // (node/lease_keeper.hpp), so a replaced holder cannot report nodes lost. The store itself when unset.
  void set_duty_store(Store* store) { duty_store_ = store; }
  // A poll from the node: refreshes its last contact (a write only when the recorded contact is older
  // than a fraction of the lost threshold, so polls cost no write each), and brings a lost node back.
  boost::asio::awaitable<Status> note_contact(const NodeAddress& node);
  // How often a parked poll renews its node's contact (0: never). Only on a shared database: the
  // lost-node duty may run on another instance, which cannot see this instance's parked polls.
  std::chrono::milliseconds contact_refresh() const;
  // Marks the nodes silent past the threshold lost, one nodeLost event each; returns how many.
  boost::asio::awaitable<Result<size_t>> report_lost_nodes();

  // Reconciliation: how long a notification handed out without an answer waits before it is handed out
  // again. Set before serving.
  void set_retry_policy(RetryPolicy policy) { retry_ = std::move(policy); }

  // The node's pending notifications that are due, oldest first (at most `limit`). Reading does not
  // consume them: each is cleared by the node's follow-up notification. `next_due_ms`, when given, is set
  // to the earliest time (ms since epoch) a notification now waiting for its retry becomes due, or 0.
  Result<std::vector<PollItem>> pending_items(const NodeAddress& node, size_t limit,
                                              int64_t* next_due_ms = nullptr) const;
  // Records that `items` were handed to the node: each row counts an attempt and is not handed out
  // again before its backoff passes, unless the node answers (which clears it) or the object changes.
  boost::asio::awaitable<Status> record_attempts(const NodeAddress& node, const std::vector<PollItem>& items);

  // PUT /spi/v1/objects/{org}/{type}/{id}/{instanceID}/{dataID}/{action} except `data`. kConflict means
  // "ignored, treat as acknowledged" (409).
  boost::asio::awaitable<Status> notification(const NodeAddress& node, const ResourceKey& key, int64_t instance_id,
                                              int64_t data_id, const std::string& action, const std::string& body);
  // PUT …/data of the node's own object (whole, or one Content-Range chunk).
  boost::asio::awaitable<Status> receive_data(const NodeAddress& node, const ResourceKey& key, int64_t instance_id,
                                              std::optional<ContentRange> range, BodyReader read_body);
  // GET …/data for the node: kNotFound unless the object targets it and the data is that version's.
  Result<DataDownload> open_data(const NodeAddress& node, const ResourceKey& key, int64_t data_id) const;

  boost::asio::awaitable<Status> resend(const NodeAddress& node);

  // Extension: the metadata of an object meant for the node that it has not received yet (remote query).
  Result<ObjectMetadata> query(const NodeAddress& node, const ResourceKey& key) const;
  // Extension (metasync): repairs per-destination statuses from the node's snapshot; returns the keys
  // the cloud knows nothing about any more (the node drops their status records).
  boost::asio::awaitable<Result<std::vector<ResourceKey>>> apply_status_snapshot(
      const NodeAddress& node, std::vector<NodeObjectStatus> statuses);

  // ---- /api/v1/destinations ----
  Result<std::vector<Destination>> destinations(const std::string& org) const;
  // Objects whose delivery to the node is tracked (any status).
  Result<std::vector<StoredObject>> objects_for(const NodeAddress& node) const;
  // Per-destination statuses of one object (kNotFound when the object is unknown).
  Result<std::vector<Delivery>> object_destinations(const ResourceKey& key) const;
  // PUT (replace) or POST add/remove of an object's "type:id" destinations.
  enum class DestinationsChange { kReplace, kAdd, kRemove };
  boost::asio::awaitable<Status> change_destinations(const ResourceKey& key, DestinationsChange change,
                                                     std::vector<std::string> destinations);

  NodeWaiters& waiters() { return waiters_; }

 private:
  int64_t now_ms() const;
  // Applies a node's acknowledgement to its delivery row.
  boost::asio::awaitable<Status> acknowledge(const NodeAddress& node, const ResourceKey& key, int64_t instance_id,
                                             const std::string& action);
  boost::asio::awaitable<Status> receive_node_object(const NodeAddress& node, const ResourceKey& key,
                                                     const std::string& body);

  int64_t contact_resolution_ms() const;
  Store& store_;
  Store* duty_store_ = nullptr;
  ObjectService& objects_;
  CloudPlanner& planner_;
  NodeWaiters& waiters_;
  std::function<SystemTime()> now_;
  std::chrono::milliseconds node_lost_after_{0};
  RetryPolicy retry_{std::chrono::milliseconds(1000), std::chrono::milliseconds(300000), 0.2, system_random()};
};

}  // namespace edgesync
