// ObjectObserver: how the sync layer rides along with every object change.
//
// ObjectService calls the observer inside the write transaction that changes an object, just before
// the row is written (or removed), so whatever the observer records — per-destination notifications on
// the cloud, the outbound queue on an edge — commits atomically with the change: no change is ever
// committed without its notifications, and no notification without its change. The observer may adjust
// the row (status, the deleted flag) and whether it is kept; an error rolls the whole change back.
#pragma once

#include <cstdint>

#include "common/status.hpp"
#include "server/store/store.hpp"

namespace edgesync {

enum class ObjectChange {
  // On the object's origin.
  kSaved,         // metadata created or replaced (PUT …/{type}/{id})
  kDataAttached,  // data completely stored (whole or last chunk)
  kActivated,     // inactive → active (PUT activate, or the activation timer)
  kDeleted,       // the origin's application deleted it (DELETE)
  // On a receiving node (a copy of another node's object).
  kReceivedMetadata,  // the peer's metadata stored (data may still be on its way)
  kReceivedData,      // the copy is complete (all data verified, or no data to fetch)
  kPeerDeleted,       // the origin deleted it; the copy is marked deleted
  kMarkedReceived,    // an application marked the copy received
  kMarkedConsumed,    // … consumed
  kMarkedDeleted,     // … deleted (acknowledging the origin's deletion)
};

struct ObjectChangeContext {
  WriteTransaction& transaction;
  ObjectChange change;
  StoredObject& object;  // the row as it is about to be written (or, when remove_row, as it was)
  bool remove_row = false;
  int64_t now_ms = 0;
  // The copy this version replaces, when a receiving change knows it (kReceivedData): lets the observer
  // see that nothing actually changed (same metadata, same data hash) and stay quiet.
  const StoredObject* previous = nullptr;
};

class ObjectObserver {
 public:
  virtual ~ObjectObserver() = default;
  virtual Status on_change(ObjectChangeContext& context) = 0;
};

}  // namespace edgesync
