// Which object changes the event stream shows (objectUpdated, objectDeleted). Called by ObjectService
// inside the write transaction of every change, next to the observer, so the event commits with the
// change. Internal to server/objects.
#pragma once

#include <cstdint>

#include "common/status.hpp"
#include "server/objects/object_observer.hpp"
#include "server/store/store.hpp"

namespace edgesync {

// Appends the event `change` makes visible, if any. Marks (received, consumed) and a copy still waiting
// for its data record none: the per-destination status events (the store's) tell those.
Status record_object_event(WriteTransaction& transaction, ObjectChange change, const StoredObject& object,
                           int64_t now_ms);

}  // namespace edgesync
