#include "server/objects/object_events.hpp"

namespace edgesync {
namespace {

struct Visible {
  const char* type = nullptr;
  const char* detail = "";
};

Visible visible_change(ObjectChange change) {
  switch (change) {
    case ObjectChange::kSaved: return {event_type::kObjectUpdated, "saved"};
    case ObjectChange::kDataAttached: return {event_type::kObjectUpdated, "dataAttached"};
    case ObjectChange::kActivated: return {event_type::kObjectUpdated, "activated"};
    case ObjectChange::kReceivedData: return {event_type::kObjectUpdated, "received"};
    // The origin's application, an expiration or an owner cascade: all go through the same delete.
    case ObjectChange::kDeleted: return {event_type::kObjectDeleted, "deleted"};
    case ObjectChange::kPeerDeleted: return {event_type::kObjectDeleted, "originDeleted"};
    case ObjectChange::kReceivedMetadata:
    case ObjectChange::kMarkedReceived:
    case ObjectChange::kMarkedConsumed:
    case ObjectChange::kMarkedDeleted: return {};
  }
  return {};
}

}  // namespace

Status record_object_event(WriteTransaction& transaction, ObjectChange change, const StoredObject& object,
                           int64_t now_ms) {
  const Visible visible = visible_change(change);
  if (visible.type == nullptr) return Status::ok();
  Event event;
  event.org = object.metadata.destination_org_id;
  event.time_ms = now_ms;
  event.type = visible.type;
  event.object_type = object.metadata.object_type;
  event.object_id = object.metadata.object_id;
  event.instance_id = object.metadata.instance_id;
  event.detail = visible.detail;
  return transaction.append_event(event);
}

}  // namespace edgesync
