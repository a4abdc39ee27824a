#include "server/sync/cloud_sync.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <set>

#include "common/metadata_codec.hpp"
#include "common/names.hpp"
#include "server/objects/async_store.hpp"
#include "server/sync/targets.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

Status ignored(const std::string& why) {
  return Status::conflict(why);
}

// Removes a deleted origin object once no node still holds a copy.
Status finish_if_all_deleted(WriteTransaction& transaction, const ResourceKey& key) {
  auto object = transaction.get_object(key);
  if (!object || !object->originated_here || !object->metadata.deleted) return Status::ok();
  auto rows = transaction.list_deliveries(key);
  if (!rows) return rows.status();
  for (const auto& row : *rows) {
    if (row.status != delivery_status::kDeleted && row.status != delivery_status::kPending) return Status::ok();
  }
  if (Status erased = transaction.delete_deliveries(key); !erased) return erased;
  return transaction.delete_object(key);
}

// The node answered what it was owed: its retry history ends.
void clear_attempts(Delivery& row) {
  row.attempts = 0;
  row.last_error.clear();
  row.next_attempt_at_ms = 0;
}

// The node's copy is gone for good (it confirmed the deletion).
Status record_deleted(WriteTransaction& transaction, Delivery& row, int64_t now_ms) {
  // A stray copy (see stray_copy_to_delete): the object is long gone here, so is the record now.
  auto object = transaction.get_object(row.key);
  if (!object && object.status().code() == StatusCode::kNotFound) return transaction.delete_delivery(row.key, row.peer);
  row.status = delivery_status::kDeleted;
  row.pending.clear();
  clear_attempts(row);
  row.updated_at_ms = now_ms;
  if (Status put = transaction.put_delivery(row); !put) return put;
  return finish_if_all_deleted(transaction, row.key);
}

// autodelete: once every destination consumed the object, it expires in an hour (as MMS).
Status apply_autodelete(WriteTransaction& transaction, const ResourceKey& key, SystemTime now) {
  auto object = transaction.get_object(key);
  if (!object || !object->metadata.autodelete || !object->metadata.expiration.empty()) return Status::ok();
  auto rows = transaction.list_deliveries(key);
  if (!rows) return rows.status();
  for (const auto& row : *rows) {
    if (row.status != delivery_status::kConsumed) return Status::ok();
  }
  object->metadata.expiration = format_rfc3339(now + std::chrono::hours(1));
  return transaction.put_object(*object);
}

// A node acknowledges a version of an object whose delivery row is gone: the object was deleted here
// before the node's acknowledgement arrived, so the planner thought the node held no copy. The node
// does hold one: it is told to delete it, as every holder of a deleted object is.
Result<bool> stray_copy_to_delete(WriteTransaction& transaction, const NodeAddress& node, const ResourceKey& key,
                                  int64_t instance_id, int64_t now_ms) {
  auto object = transaction.get_object(key);
  if (!object && object.status().code() != StatusCode::kNotFound) return object.status();
  const bool deleted_here = !object || (object->originated_here && object->metadata.deleted);
  if (!deleted_here) return false;
  ObjectMetadata meta;
  meta.destination_org_id = key.org;
  meta.object_type = key.object_type;
  meta.object_id = key.object_id;
  meta.instance_id = instance_id;
  meta.deleted = true;
  Delivery row{key, node, delivery_status::kDelivered};
  row.pending = "delete";
  row.instance_id = instance_id;
  row.metadata_json = metadata_to_text(meta, false);
  row.updated_at_ms = now_ms;
  if (Status put = transaction.put_delivery(row); !put) return put;
  return true;
}

// nodeRegistered / nodeLost, in the transaction that changes the node's record.
Status record_node_event(WriteTransaction& transaction, const NodeAddress& node, const char* type, const char* detail,
                         int64_t now_ms) {
  Event event;
  event.org = node.org;
  event.time_ms = now_ms;
  event.type = type;
  event.dest_type = node.dest_type;
  event.dest_id = node.dest_id;
  event.detail = detail;
  return transaction.append_event(event);
}

}  // namespace

CloudSync::CloudSync(Store& store, ObjectService& objects, CloudPlanner& planner, NodeWaiters& waiters,
                     std::function<SystemTime()> now)
    : store_(store), objects_(objects), planner_(planner), waiters_(waiters), now_(std::move(now)) {}

int64_t CloudSync::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now_().time_since_epoch()).count();
}

// ---- registration ---------------------------------------------------------------------------

asio::awaitable<Status> CloudSync::register_node(const NodeAddress& node, bool persistent_storage, bool as_new) {
  const int64_t now = now_ms();
  std::vector<StoredObject> objects;
  if (as_new || !persistent_storage) {
    auto listed = store_.list_objects(ObjectFilter{node.org, std::nullopt, {}, true});
    if (!listed) co_return listed.status();
    objects = std::move(*listed);
  }
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto known = transaction.get_destination(node);
    if (!known && known.status().code() != StatusCode::kNotFound) return known.status();
    if (!known && !as_new) return Status::not_found();
    Destination destination = known ? *known : Destination{node};
    if (as_new) destination.registered_at_ms = now;
    destination.persistent_storage = persistent_storage;
    destination.last_ping_ms = now;
    // A node reported lost that registers again (even as new, with a wiped store) has come back.
    const char* detail = destination.lost ? "returned" : as_new ? "new" : "registered";
    destination.lost = false;
    if (Status put = transaction.put_destination(destination); !put) return put;
    if (Status evented = record_node_event(transaction, node, event_type::kNodeRegistered, detail, now); !evented)
      return evented;
    // A new node (or one that lost its store) gets every object meant for it, delivered or not.
    for (const auto& listed : objects) {
      auto object = transaction.get_object(listed.key());  // the current row, not the read snapshot
      if (!object || !object->originated_here || object->metadata.deleted) continue;
      if (Status planned = planner_.plan_deliveries(transaction, *object, now, true, &node); !planned) return planned;
    }
    return Status::ok();
  });
}

asio::awaitable<Status> CloudSync::ping(const NodeAddress& node) {
  const int64_t now = now_ms();
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto known = transaction.get_destination(node);
    if (!known) return known.status();
    known->last_ping_ms = now;
    const bool returned = known->lost;
    known->lost = false;
    if (Status put = transaction.put_destination(*known); !put) return put;
    if (!returned) return Status::ok();
    return record_node_event(transaction, node, event_type::kNodeRegistered, "returned", now);
  });
}

asio::awaitable<Status> CloudSync::note_contact(const NodeAddress& node) {
  if (node_lost_after_.count() <= 0) co_return Status::ok();
  auto known = store_.get_destination(node);
  if (!known) co_return known.status().code() == StatusCode::kNotFound ? Status::ok() : known.status();
  // A quarter of the threshold (at most a minute) between writes: a node that keeps polling is never
  // taken for lost, and a poll every few seconds does not cost a durable write each.
  const int64_t resolution_ms = contact_resolution_ms();
  if (!known->lost && now_ms() - known->last_ping_ms < resolution_ms) co_return Status::ok();
  co_return co_await ping(node);
}

int64_t CloudSync::contact_resolution_ms() const {
  return std::min<int64_t>(60000, node_lost_after_.count() / 4);
}

std::chrono::milliseconds CloudSync::contact_refresh() const {
  if (node_lost_after_.count() <= 0 || !store_.is_shared()) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(std::max<int64_t>(contact_resolution_ms(), 100));
}

asio::awaitable<Result<size_t>> CloudSync::report_lost_nodes() {
  if (node_lost_after_.count() <= 0) co_return size_t{0};
  const int64_t now = now_ms();
  auto destinations = store_.list_destinations("");
  if (!destinations) co_return destinations.status();
  size_t lost = 0;
  Status status =
      co_await durable_write(duty_store_ ? *duty_store_ : store_, [&](WriteTransaction& transaction) -> Status {
        lost = 0;
        for (const auto& listed : *destinations) {
          if (listed.lost || now - listed.last_ping_ms < node_lost_after_.count()) continue;
          // A long-poll held open counts as contact: its node is alive, just quiet.
          if (waiters_.is_waiting(listed.node)) continue;
          auto current = transaction.get_destination(listed.node);  // a ping may have come in meanwhile
          if (!current || current->lost || now - current->last_ping_ms < node_lost_after_.count()) continue;
          current->lost = true;
          if (Status put = transaction.put_destination(*current); !put) return put;
          if (Status evented = record_node_event(transaction, current->node, event_type::kNodeLost, "silent", now);
              !evented)
            return evented;
          ++lost;
        }
        return Status::ok();
      });
  if (!status) co_return status;
  co_return lost;
}

asio::awaitable<Status> CloudSync::unregister(const NodeAddress& node) {
  const int64_t now = now_ms();
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto known = transaction.get_destination(node);
    if (!known) return known.status().code() == StatusCode::kNotFound ? Status::ok() : known.status();
    if (Status deleted = transaction.delete_destination(node); !deleted) return deleted;
    return record_node_event(transaction, node, event_type::kNodeLost, "unregistered", now);
  });
}

bool CloudSync::is_registered(const NodeAddress& node) const {
  return store_.get_destination(node).is_ok();
}

// ---- polling --------------------------------------------------------------------------------

Result<std::vector<PollItem>> CloudSync::pending_items(const NodeAddress& node, size_t limit,
                                                       int64_t* next_due_ms) const {
  auto rows = store_.list_deliveries_to(node, true);
  if (!rows) return rows.status();
  const int64_t now = now_ms();
  if (next_due_ms) *next_due_ms = 0;
  std::vector<PollItem> items;
  for (const auto& row : *rows) {
    if (items.size() >= limit) break;
    if (row.next_attempt_at_ms > now) {  // handed out lately and unanswered: waits for its backoff
      if (next_due_ms && (*next_due_ms == 0 || row.next_attempt_at_ms < *next_due_ms))
        *next_due_ms = row.next_attempt_at_ms;
      continue;
    }
    PollItem item{row.pending, {}};
    if (!row.metadata_json.empty()) {
      auto metadata = parse_metadata(row.metadata_json);
      if (!metadata) continue;
      item.metadata = std::move(*metadata);
    } else {
      auto object = store_.get_object(row.key);
      if (!object) continue;  // gone meanwhile; its row goes with it
      item.metadata = std::move(object->metadata);
      // At the receiver the destination is the receiver itself (MMS rewrites the ID, not the type).
      item.metadata.destination_id = node.dest_id;
    }
    items.push_back(std::move(item));
  }
  return items;
}

asio::awaitable<Status> CloudSync::record_attempts(const NodeAddress& node, const std::vector<PollItem>& items) {
  if (items.empty()) co_return Status::ok();
  const int64_t now = now_ms();
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    for (const auto& item : items) {
      const ResourceKey key{node.org, item.metadata.object_type, item.metadata.object_id};
      auto row = transaction.get_delivery(key, node);
      if (!row || row->pending != item.type) continue;  // answered or replaced meanwhile
      ++row->attempts;
      row->next_attempt_at_ms = now + retry_.delay_after(row->attempts).count();
      if (row->attempts > 1)
        row->last_error = "no answer to " + item.type + " (attempt " + std::to_string(row->attempts - 1) + ")";
      if (Status put = transaction.put_delivery(*row); !put) return put;
    }
    return Status::ok();
  });
}

// ---- notifications from a node --------------------------------------------------------------

asio::awaitable<Status> CloudSync::notification(const NodeAddress& node, const ResourceKey& key, int64_t instance_id,
                                                int64_t data_id, const std::string& action, const std::string& body) {
  (void)data_id;
  if (action == "update") co_return co_await receive_node_object(node, key, body);
  if (action == "delete") {
    auto copy = store_.get_object(key);
    if (!copy || copy->originated_here) co_return ignored("No copy of this node's object here");
    co_return co_await objects_.receive_delete(key);
  }
  if (action == "ackreceived") co_return Status::ok();
  if (action == "feedback") {
    auto feedback = nlohmann::json::parse(body, nullptr, false);
    std::string reason = "feedback from the destination";
    if (feedback.is_object() && feedback.contains("reason") && feedback["reason"].is_string())
      reason = feedback["reason"].get<std::string>();
    const int64_t now = now_ms();
    co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
      auto row = transaction.get_delivery(key, node);
      if (!row) return ignored("No delivery of this object to the node");
      // Parked: not retried until the object is updated or re-sent (the planner re-opens it).
      row->status = delivery_status::kError;
      row->message = reason;
      row->last_error = reason;
      row->next_attempt_at_ms = 0;
      row->pending.clear();
      row->updated_at_ms = now;
      return transaction.put_delivery(*row);
    });
  }
  static const std::set<std::string> kAcknowledgements = {"updated", "received",    "consumed",  "ackDelete",
                                                          "deleted", "ackconsumed", "ackDeleted"};
  if (kAcknowledgements.count(action) == 0) co_return Status::invalid("Unknown notification: " + action);
  co_return co_await acknowledge(node, key, instance_id, action);
}

asio::awaitable<Status> CloudSync::acknowledge(const NodeAddress& node, const ResourceKey& key, int64_t instance_id,
                                               const std::string& action) {
  const int64_t now = now_ms();
  const SystemTime now_time = now_();
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto row = transaction.get_delivery(key, node);
    if (!row) {
      if (row.status().code() != StatusCode::kNotFound) return row.status();
      if (action == "updated" || action == "received") {
        auto stray = stray_copy_to_delete(transaction, node, key, instance_id, now);
        if (!stray) return stray.status();
        if (*stray) {
          wake_after_commit(transaction, waiters_, node);
          return Status::ok();
        }
      }
      return ignored("No delivery of this object to the node");
    }
    if (action == "ackconsumed" || action == "ackDeleted") return transaction.delete_delivery(key, node);
    if (action == "ackDelete") {
      if (row->pending == "delete") row->pending.clear();
      if (row->pending.empty()) clear_attempts(*row);
      row->updated_at_ms = now;
      return transaction.put_delivery(*row);
    }
    if (action == "deleted") return record_deleted(transaction, *row, now);
    if (instance_id < row->instance_id) return ignored("A newer version of the object is on its way to the node");
    if (row->pending == "update" && instance_id == row->instance_id) row->pending.clear();
    if (action == "updated" && row->status == delivery_status::kPending) row->status = delivery_status::kDelivering;
    if (action == "received") row->status = delivery_status::kDelivered;
    if (action == "consumed") row->status = delivery_status::kConsumed;
    row->message.clear();
    if (row->pending.empty()) clear_attempts(*row);
    row->updated_at_ms = now;
    if (Status put = transaction.put_delivery(*row); !put) return put;
    if (action == "consumed") return apply_autodelete(transaction, key, now_time);
    return Status::ok();
  });
}

asio::awaitable<Status> CloudSync::receive_node_object(const NodeAddress& node, const ResourceKey& key,
                                                       const std::string& body) {
  auto metadata = parse_metadata(body);
  if (!metadata) co_return metadata.status();
  if (metadata->object_type != key.object_type || metadata->object_id != key.object_id)
    co_return Status::invalid("The metadata names another object than the URL", "objectID");
  // An edge's object, seen from the cloud: from that edge, addressed to it (as MMS shows it).
  metadata->destination_org_id = key.org;
  metadata->origin_type = node.dest_type;
  metadata->origin_id = node.dest_id;
  metadata->destination_type = node.dest_type;
  metadata->destination_id = node.dest_id;
  metadata->owner_id = node.org + "/" + node.dest_id;
  auto outcome = co_await objects_.receive_metadata(std::move(*metadata));
  if (!outcome) co_return outcome.status();
  co_return Status::ok();
}

asio::awaitable<Status> CloudSync::receive_data(const NodeAddress& node, const ResourceKey& key, int64_t instance_id,
                                                std::optional<ContentRange> range, BodyReader read_body) {
  auto copy = store_.get_object(key);
  if (!copy) co_return copy.status();
  if (copy->originated_here || origin_node(copy->metadata) != node)
    co_return Status::forbidden("Unauthorized");  // only the object's origin sends its data
  if (copy->metadata.instance_id != instance_id) co_return ignored("Data of another version of the object");
  co_return co_await objects_.put_data(key, range, std::move(read_body), true);
}

Result<DataDownload> CloudSync::open_data(const NodeAddress& node, const ResourceKey& key, int64_t data_id) const {
  auto object = store_.get_object(key);
  if (!object) return object.status();
  if (!object->originated_here || object->metadata.deleted || object->metadata.data_id != data_id)
    return Status::not_found();
  if (!object_targets(object->metadata, node) && !store_.get_delivery(key, node).is_ok()) return Status::not_found();
  return objects_.open_data_of(*object);
}

asio::awaitable<Status> CloudSync::resend(const NodeAddress& node) {
  auto objects = store_.list_objects(ObjectFilter{node.org, std::nullopt, {}, true});
  if (!objects) co_return objects.status();
  const int64_t now = now_ms();
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    for (const auto& listed : *objects) {
      auto object = transaction.get_object(listed.key());
      if (!object || !object->originated_here || object->metadata.deleted) continue;
      if (Status planned = planner_.plan_deliveries(transaction, *object, now, true, &node); !planned) return planned;
    }
    return Status::ok();
  });
}

// ---- extensions -----------------------------------------------------------------------------

Result<ObjectMetadata> CloudSync::query(const NodeAddress& node, const ResourceKey& key) const {
  auto object = store_.get_object(key);
  if (!object) return object.status();
  if (!object->originated_here || object->metadata.deleted || object->metadata.inactive ||
      object->status != ObjectStatus::kReady || !object_targets(object->metadata, node))
    return Status::not_found();
  // What the node consumed (and dropped) or deleted is not handed back to it.
  if (auto row = store_.get_delivery(key, node);
      row && (row->status == delivery_status::kConsumed || row->status == delivery_status::kDeleted))
    return Status::not_found();
  ObjectMetadata metadata = std::move(object->metadata);
  metadata.destination_id = node.dest_id;
  return metadata;
}

asio::awaitable<Result<std::vector<ResourceKey>>> CloudSync::apply_status_snapshot(
    const NodeAddress& node, std::vector<NodeObjectStatus> statuses) {
  const int64_t now = now_ms();
  std::vector<ResourceKey> gone;
  Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    gone.clear();
    for (const auto& reported : statuses) {
      auto row = transaction.get_delivery(reported.key, node);
      if (!row) {
        if (row.status().code() != StatusCode::kNotFound) return row.status();
        if (transaction.get_object(reported.key).status().code() == StatusCode::kNotFound) gone.push_back(reported.key);
        continue;
      }
      if (reported.instance_id != row->instance_id) continue;  // about another version: the poll flow rules
      const std::string& said = reported.status;
      std::string repaired = row->status;
      if (said == "completelyReceived" || said == "objreceived") {
        if (row->status == delivery_status::kDelivering || row->status == delivery_status::kPending)
          repaired = delivery_status::kDelivered;
      } else if (said == "objconsumed" || said == "consumed") {
        repaired = delivery_status::kConsumed;
      } else if (said == "deleted") {
        if (Status recorded = record_deleted(transaction, *row, now); !recorded) return recorded;
        continue;
      } else if (said == "objdeleted") {
        if (row->pending == "delete") row->pending.clear();
      }
      if (repaired != row->status) {
        spdlog::info("metasync: {} at {}: {} → {}", reported.key.to_string(), node.to_string(), row->status, repaired);
        row->status = repaired;
        if (row->pending == "update") row->pending.clear();
      }
      row->updated_at_ms = now;
      if (Status put = transaction.put_delivery(*row); !put) return put;
    }
    return Status::ok();
  });
  if (!status) co_return status;
  co_return gone;
}

// ---- destinations API -----------------------------------------------------------------------

Result<std::vector<Destination>> CloudSync::destinations(const std::string& org) const {
  return store_.list_destinations(org);
}

Result<std::vector<StoredObject>> CloudSync::objects_for(const NodeAddress& node) const {
  auto rows = store_.list_deliveries_to(node, false);
  if (!rows) return rows.status();
  std::vector<StoredObject> objects;
  for (const auto& row : *rows) {
    auto object = store_.get_object(row.key);
    if (object && object->originated_here && !object->metadata.deleted) objects.push_back(std::move(*object));
  }
  return objects;
}

Result<std::vector<Delivery>> CloudSync::object_destinations(const ResourceKey& key) const {
  auto object = objects_.get_object(key);
  if (!object) return object.status();
  auto rows = store_.list_deliveries(key);
  if (!rows) return rows.status();
  std::vector<Delivery> destinations;
  for (auto& row : *rows) {
    if (row.peer != origin_node(object->metadata)) destinations.push_back(std::move(row));
  }
  return destinations;
}

asio::awaitable<Status> CloudSync::change_destinations(const ResourceKey& key, DestinationsChange change,
                                                       std::vector<std::string> destinations) {
  for (const auto& entry : destinations) {
    const size_t colon = entry.find(':');
    const bool valid = colon != std::string::npos && is_valid_name(entry.substr(0, colon)) &&
                       (entry.substr(colon + 1) == "*" || is_valid_name(entry.substr(colon + 1)));
    if (!valid)
      co_return Status::invalid("Destination (" + html_escape(entry) + ") must be \"type:id\"", "destinations");
  }
  const int64_t now = now_ms();
  co_return co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto object = transaction.get_object(key);
    if (!object || !object->originated_here || object->metadata.deleted) return Status::not_found();
    std::vector<std::string> list = object->metadata.destinations_list.value_or(std::vector<std::string>{});
    if (change == DestinationsChange::kReplace) list = destinations;
    for (const auto& entry : destinations) {
      const bool present = std::find(list.begin(), list.end(), entry) != list.end();
      if (change == DestinationsChange::kAdd && !present) list.push_back(entry);
      if (change == DestinationsChange::kRemove) list.erase(std::remove(list.begin(), list.end(), entry), list.end());
    }
    object->metadata.destinations_list = list;
    object->metadata.destination_type.clear();
    object->metadata.destination_id.clear();
    object->updated_at_ms = now;
    if (Status put = transaction.put_object(*object); !put) return put;
    return planner_.plan_deliveries(transaction, *object, now);
  });
}

}  // namespace edgesync
