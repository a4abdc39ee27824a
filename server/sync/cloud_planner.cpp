#include "server/sync/cloud_planner.hpp"

#include <map>

#include "common/metadata_codec.hpp"
#include "server/sync/targets.hpp"

namespace edgesync {
namespace {

bool deliverable(const StoredObject& object) {
  return object.originated_here && !object.metadata.deleted && object.status == ObjectStatus::kReady &&
         !object.metadata.inactive;
}

// The node acknowledged something of this object, so it may hold a copy.
bool may_hold_copy(const Delivery& row) {
  using namespace delivery_status;
  if (row.status == kDelivered || row.status == kConsumed || row.status == kError) return true;
  return row.status == kDelivering && row.pending != "update";
}

// A new notification for the node (or none): a fresh start for reconciliation.
void reset_attempts(Delivery& row) {
  row.attempts = 0;
  row.last_error.clear();
  row.next_attempt_at_ms = 0;
}

}  // namespace

NodeAddress origin_node(const ObjectMetadata& metadata) {
  return {metadata.destination_org_id, metadata.origin_type, metadata.origin_id};
}

void CloudPlanner::wake_after_commit(WriteTransaction& transaction, const NodeAddress& node) {
  edgesync::wake_after_commit(transaction, waiters_, node);
}

Status CloudPlanner::plan_deliveries(WriteTransaction& transaction, const StoredObject& object, int64_t now_ms,
                                     bool resend_delivered, const NodeAddress* only_node) {
  const ObjectMetadata& meta = object.metadata;
  const ResourceKey key = object.key();
  auto registered = transaction.list_destinations(meta.destination_org_id);
  if (!registered) return registered.status();
  auto existing = transaction.list_deliveries(key);
  if (!existing) return existing.status();

  std::map<NodeAddress, bool> targets;  // node → registered
  for (const auto& destination : *registered) {
    if (object_targets(meta, destination.node)) targets[destination.node] = true;
  }
  for (const auto& named : named_targets(meta)) targets.emplace(named, false);
  if (only_node) {
    const bool targeted = targets.count(*only_node) > 0;
    targets.clear();
    if (targeted) targets[*only_node] = true;
  }

  std::map<NodeAddress, Delivery> rows;
  for (auto& row : *existing) rows.emplace(row.peer, std::move(row));
  const bool ready = deliverable(object);
  for (const auto& [node, is_registered] : targets) {
    auto found = rows.find(node);
    Delivery row = found != rows.end() ? found->second : Delivery{key, node, delivery_status::kPending};
    const bool same_version = found != rows.end() && row.instance_id == meta.instance_id;
    const bool already_there = same_version && row.pending.empty() && row.status != delivery_status::kPending;
    if (!ready || !is_registered) {
      row.status = delivery_status::kPending;  // shown as such until it can be sent
      row.pending.clear();
      reset_attempts(row);
    } else if (already_there && (!resend_delivered || row.status == delivery_status::kConsumed)) {
      // This version is there already; a consumed object is never sent again (MMS's resend does).
    } else {
      // Also re-opens a destination parked in `error`: the object was updated or re-sent.
      row.status = delivery_status::kDelivering;
      row.pending = "update";
      row.message.clear();
      reset_attempts(row);
      wake_after_commit(transaction, node);
    }
    row.instance_id = meta.instance_id;
    row.data_id = meta.data_id;
    row.metadata_json.clear();
    row.updated_at_ms = now_ms;
    if (Status put = transaction.put_delivery(row); !put) return put;
    if (found != rows.end()) rows.erase(found);
  }
  if (only_node) return Status::ok();
  // Nodes the object no longer targets: those that may hold a copy are told to delete it.
  for (auto& [node, row] : rows) {
    if (node == origin_node(meta)) continue;
    if (may_hold_copy(row)) {
      row.pending = "delete";
      reset_attempts(row);
      row.updated_at_ms = now_ms;
      if (Status put = transaction.put_delivery(row); !put) return put;
      wake_after_commit(transaction, node);
    } else if (Status erased = transaction.delete_delivery(key, node); !erased) {
      return erased;
    }
  }
  return Status::ok();
}

Result<bool> CloudPlanner::plan_delete(WriteTransaction& transaction, const StoredObject& object, int64_t now_ms) {
  const ResourceKey key = object.key();
  auto rows = transaction.list_deliveries(key);
  if (!rows) return rows.status();
  bool confirmations_due = false;
  for (auto& row : *rows) {
    if (may_hold_copy(row) && row.status != delivery_status::kDeleted) {
      row.pending = "delete";
      reset_attempts(row);
      row.instance_id = object.metadata.instance_id;
      row.updated_at_ms = now_ms;
      if (Status put = transaction.put_delivery(row); !put) return put;
      wake_after_commit(transaction, row.peer);
      confirmations_due = true;
    } else if (Status erased = transaction.delete_delivery(key, row.peer); !erased) {
      return erased;
    }
  }
  return confirmations_due;
}

Status CloudPlanner::notify_origin_edge(ObjectChangeContext& context, const char* notification) {
  const ObjectMetadata& meta = context.object.metadata;
  const NodeAddress origin = origin_node(meta);
  Delivery row{context.object.key(), origin, delivery_status::kDelivered};
  if (auto existing = context.transaction.get_delivery(row.key, origin)) row = *existing;
  row.pending = notification;
  reset_attempts(row);
  row.instance_id = meta.instance_id;
  row.data_id = meta.data_id;
  // The cloud's copy goes now; the poll item still needs the metadata.
  row.metadata_json = metadata_to_text(meta, false);
  row.updated_at_ms = context.now_ms;
  if (Status put = context.transaction.put_delivery(row); !put) return put;
  wake_after_commit(context.transaction, origin);
  context.remove_row = true;
  return Status::ok();
}

Status CloudPlanner::on_change(ObjectChangeContext& context) {
  StoredObject& object = context.object;
  switch (context.change) {
    case ObjectChange::kSaved:
    case ObjectChange::kDataAttached:
    case ObjectChange::kActivated: return plan_deliveries(context.transaction, object, context.now_ms);
    case ObjectChange::kDeleted: {
      auto confirmations_due = plan_delete(context.transaction, object, context.now_ms);
      if (!confirmations_due) return confirmations_due.status();
      if (*confirmations_due) {
        // Kept, invisible to applications, until every node that held it confirms.
        context.remove_row = false;
        object.metadata.deleted = true;
        object.status = ObjectStatus::kDeleted;
      } else {
        return context.transaction.delete_deliveries(object.key());
      }
      return Status::ok();
    }
    case ObjectChange::kReceivedData:
      if (notifier_) context.transaction.after_commit([this, copy = object] { notifier_->object_available(copy); });
      return Status::ok();
    case ObjectChange::kPeerDeleted:
      if (notifier_) context.transaction.after_commit([this, copy = object] { notifier_->object_available(copy); });
      return Status::ok();
    case ObjectChange::kMarkedConsumed:
      if (object.status != ObjectStatus::kConsumed) return Status::ok();
      return notify_origin_edge(context, "consumed");
    case ObjectChange::kMarkedDeleted:
      if (!context.remove_row) return Status::ok();
      return notify_origin_edge(context, "deleted");
    case ObjectChange::kReceivedMetadata:
    case ObjectChange::kMarkedReceived: return Status::ok();
  }
  return Status::ok();
}

}  // namespace edgesync
