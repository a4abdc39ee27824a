// The records of the cloud–edge protocol that a store keeps beside the objects.
//
// Destination: an edge node registered with the cloud (MMS's destinations bucket).
// Delivery: one object's state towards one peer node — on the cloud, one row per (object, edge node);
// on an edge, one row per object with the cloud as peer. `status` is the per-destination status MMS
// shows (reference/mms-reference.md §2.4); `pending` is the notification still owed to the peer (the
// cloud answers it in that node's poll; the edge sends it up), empty when nothing is owed. One slot per
// row: a newer notification replaces an older one, the protocol's actions being cumulative.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/resource_key.hpp"

namespace edgesync {

// An edge node's identity: org, destination type, destination ID.
struct NodeAddress {
  std::string org;
  std::string dest_type;
  std::string dest_id;

  std::string to_string() const { return org + "/" + dest_type + "/" + dest_id; }
  bool operator==(const NodeAddress&) const = default;
  auto operator<=>(const NodeAddress&) const = default;
};

struct Destination {
  NodeAddress node;
  bool persistent_storage = true;
  std::string communication = "http";
  std::string code_version = "1.0";
  int64_t registered_at_ms = 0;
  int64_t last_ping_ms = 0;
  bool lost = false;  // reported lost (silent past events.node_lost_seconds) and not heard from since

  bool operator==(const Destination&) const = default;
};

// Per-destination statuses (MMS spelling).
namespace delivery_status {
inline constexpr const char* kPending = "pending";
inline constexpr const char* kDelivering = "delivering";
inline constexpr const char* kDelivered = "delivered";
inline constexpr const char* kConsumed = "consumed";
inline constexpr const char* kDeleted = "deleted";
inline constexpr const char* kError = "error";
}  // namespace delivery_status

struct Delivery {
  ResourceKey key;
  NodeAddress peer;         // the edge node (cloud side) or the cloud (edge side: dest Cloud/Cloud)
  std::string status;       // delivery_status::*
  std::string message;      // error text (feedback), shown with the status
  std::string pending;      // notification owed to the peer ("update", "delete", "received", …); "" = none
  int64_t instance_id = 0;  // the object version the row speaks of
  int64_t data_id = 0;
  uint64_t sent_bytes = 0;    // edge → cloud data upload: bytes the cloud acknowledged
  std::string metadata_json;  // the object's metadata when the object row is already gone; else ""
  int64_t updated_at_ms = 0;
  // Reconciliation (cloud): how often the pending notification was handed to the peer without an
  // answer, why the last attempt failed, and when it may be handed out again (0 = now). Reset whenever
  // the peer answers or the object is re-planned (updated, re-sent).
  int32_t attempts = 0;
  std::string last_error;
  int64_t next_attempt_at_ms = 0;

  bool operator==(const Delivery&) const = default;
};

// Delivery rows counted for metrics: per status, and those owing the peer a notification (on an edge,
// its outbox towards the cloud).
struct DeliveryCounts {
  std::vector<std::pair<std::string, int64_t>> by_status;  // ordered by status
  int64_t pending = 0;
};

}  // namespace edgesync
