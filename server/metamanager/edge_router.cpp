#include "server/metamanager/edge_router.hpp"

#include "common/metadata_codec.hpp"
#include "server/objects/object_rules.hpp"

namespace edgesync::meta {

Status EdgeRouter::queue(ObjectChangeContext& context, const char* notification, const char* status) {
  const StoredObject& object = context.object;
  Delivery row{object.key(), cloud_, status};
  if (auto existing = context.transaction.get_delivery(row.key, cloud_)) row = *existing;
  if (row.pending != notification || row.instance_id != object.metadata.instance_id) row.sent_bytes = 0;
  row.status = status;
  row.pending = notification;
  row.instance_id = object.metadata.instance_id;
  row.data_id = object.metadata.data_id;
  row.metadata_json = context.remove_row ? metadata_to_text(object.metadata, false) : std::string();
  row.updated_at_ms = context.now_ms;
  if (Status put = context.transaction.put_delivery(row); !put) return put;
  context.transaction.after_commit([this] {
    if (CloudLink* link = link_.load()) link->outbox_changed();
  });
  return Status::ok();
}

void EdgeRouter::tell_applications(ObjectChangeContext& context) {
  context.transaction.after_commit([this, copy = context.object] {
    if (AppNotifier* notifier = notifier_.load()) notifier->object_available(copy);
  });
}

bool EdgeRouter::unchanged(const ObjectChangeContext& context) {
  const StoredObject* previous = context.previous;
  const StoredObject& object = context.object;
  if (!previous || previous->metadata.deleted) return false;
  if (previous->status == ObjectStatus::kPartiallyReceived) {
    // receive_metadata kept the replaced data's hash only if the metadata was otherwise the same.
    return !previous->data_sha256.empty() && previous->data_sha256 == object.data_sha256;
  }
  return same_user_metadata(previous->metadata, object.metadata) && previous->data_sha256 == object.data_sha256;
}

Status EdgeRouter::on_change(ObjectChangeContext& context) {
  StoredObject& object = context.object;
  switch (context.change) {
    case ObjectChange::kSaved:
    case ObjectChange::kDataAttached:
    case ObjectChange::kActivated:
      // The cloud hears of an edge object once it is complete and active (MMS sends nothing before).
      if (object.status != ObjectStatus::kReady || object.metadata.inactive) return Status::ok();
      {
        // `pending` until the cloud acknowledged the metadata (then delivering, then delivered); a cloud
        // that has an older version already stays `delivering`.
        auto row = context.transaction.get_delivery(object.key(), cloud_);
        const bool cloud_has_one = row && row->status != delivery_status::kPending;
        return queue(context, "update", cloud_has_one ? delivery_status::kDelivering : delivery_status::kPending);
      }
    case ObjectChange::kDeleted: {
      auto row = context.transaction.get_delivery(object.key(), cloud_);
      const bool cloud_has_it = row && row->status != delivery_status::kPending;
      if (!cloud_has_it) {
        // Never sent: nothing to tell the cloud; the object and its record go.
        return context.transaction.delete_delivery(object.key(), cloud_);
      }
      context.remove_row = false;  // kept, marked deleted, until the cloud confirms
      object.metadata.deleted = true;
      object.status = ObjectStatus::kDeleted;
      return queue(context, "delete", row->status.c_str());
    }
    case ObjectChange::kReceivedData:
      // A version that changes nothing (same metadata, same data hash) is acknowledged to the cloud but
      // not dispatched again: applications keep the state they had.
      if (unchanged(context)) {
        if (context.previous->status != ObjectStatus::kPartiallyReceived) {
          object.status = context.previous->status;
          object.remaining_consumers = context.previous->remaining_consumers;
          object.remaining_receivers = context.previous->remaining_receivers;
        }
        ++unchanged_updates_;
      } else {
        tell_applications(context);
      }
      return queue(context, "received", delivery_status::kDelivered);
    case ObjectChange::kPeerDeleted:
      tell_applications(context);
      return queue(context, "ackDelete", delivery_status::kDelivered);
    case ObjectChange::kMarkedConsumed:
      if (object.status != ObjectStatus::kConsumed) return Status::ok();
      return queue(context, "consumed", delivery_status::kConsumed);
    case ObjectChange::kMarkedDeleted:
      if (!context.remove_row) return Status::ok();
      return queue(context, "deleted", delivery_status::kDeleted);
    case ObjectChange::kReceivedMetadata:
    case ObjectChange::kMarkedReceived: return Status::ok();
  }
  return Status::ok();
}

}  // namespace edgesync::meta
