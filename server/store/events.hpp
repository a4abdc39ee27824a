// The event stream's records (GET /api/v1/events): one row per change a client may want to follow.
//
// Events are appended inside the write transaction of the change that causes them, so the stream never
// shows a change that rolled back and never misses one that committed. `seq` is assigned by the store:
// strictly increasing, never reused (also after pruning and restarts). Old events are pruned by age and
// count (EventRetention); a per-org high-water mark of what was pruned lets a reader tell "nothing
// newer" from "you missed some".
#pragma once

#include <cstdint>
#include <string>

namespace edgesync {

// Event types (camelCase, as the rest of the API).
namespace event_type {
inline constexpr const char* kObjectUpdated = "objectUpdated";  // created or replaced, data attached, received
inline constexpr const char* kObjectDeleted = "objectDeleted";  // by its application, expiration, owner cascade, origin
inline constexpr const char* kDestinationStatusChanged = "destinationStatusChanged";
inline constexpr const char* kNodeRegistered = "nodeRegistered";  // an edge node registered (or came back)
inline constexpr const char* kNodeLost = "nodeLost";              // an edge node went silent or unregistered
}  // namespace event_type

struct Event {
  int64_t seq = 0;  // assigned by the store; ignored by append_event
  std::string org;
  int64_t time_ms = 0;
  std::string type;  // event_type::*
  std::string object_type;
  std::string object_id;
  int64_t instance_id = 0;  // the object version the event speaks of (0 = none)
  std::string dest_type;
  std::string dest_id;
  std::string status;           // destinationStatusChanged: the new status
  std::string previous_status;  // destinationStatusChanged: the old one ("" for a new destination)
  std::string detail;           // a short word on why ("saved", "cascade", "unregistered", …); may be empty

  bool operator==(const Event&) const = default;
};

// How far back an org's stream reaches. Events with seq <= pruned_through are gone; last_seq is the
// newest of the org (0 when it has none), so a reader may resume from it even after an empty answer.
struct EventWindow {
  int64_t pruned_through = 0;
  int64_t last_seq = 0;
};

// What pruning keeps: events younger than max_age_ms (0 = any age) and at most max_events of them
// (0 = any number: the newest max_events sequences), over all orgs.
struct EventRetention {
  int64_t max_age_ms = 0;
  int64_t max_events = 0;
};

}  // namespace edgesync
