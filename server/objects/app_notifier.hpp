// AppNotifier: how a node tells its local applications that an object became available (completely
// received) or was deleted by its origin. Implemented by the webhook sender; called after the change
// is durable, never inside a transaction, and must not block.
#pragma once

#include "server/store/store.hpp"

namespace edgesync {

class AppNotifier {
 public:
  virtual ~AppNotifier() = default;
  virtual void object_available(const StoredObject& object) = 0;
};

}  // namespace edgesync
