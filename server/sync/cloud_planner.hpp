// CloudPlanner: the cloud's ObjectObserver. Inside the transaction of every object change it writes the
// per-destination delivery rows (status + the notification each edge node's poll will find), and after
// the commit it wakes the long-polls of the nodes that got work.
//
//   origin object saved / data attached / activated → each targeted node: `update` (or `pending` while
//       the object is not ready or inactive; nodes not yet registered show `pending` too);
//   origin object deleted → nodes that may hold a copy: `delete`; the row is kept marked deleted until
//       they confirm (`deleted`), removed at once when nobody holds a copy;
//   an edge's object consumed / deleted-confirmed by a cloud application → that edge: `consumed` /
//       `deleted`, and the cloud's copy goes;
//   a copy completed → webhooks (AppNotifier).
#pragma once

#include <functional>

#include "server/objects/app_notifier.hpp"
#include "server/objects/object_observer.hpp"
#include "server/store/store.hpp"
#include "server/sync/node_waiters.hpp"

namespace edgesync {

class CloudPlanner final : public ObjectObserver {
 public:
  CloudPlanner(NodeWaiters& waiters, AppNotifier* notifier) : waiters_(waiters), notifier_(notifier) {}

  Status on_change(ObjectChangeContext& context) override;

  // (Re)plans an origin object's deliveries inside a transaction: used by on_change, by registration
  // (a node that registers late gets what targets it) and by PUT …/destinations. `resend_delivered`
  // queues the object again for nodes that already have this version.
  Status plan_deliveries(WriteTransaction& transaction, const StoredObject& object, int64_t now_ms,
                         bool resend_delivered = false, const NodeAddress* only_node = nullptr);

 private:
  // Returns true when some node may hold a copy and must confirm the deletion.
  Result<bool> plan_delete(WriteTransaction& transaction, const StoredObject& object, int64_t now_ms);
  Status notify_origin_edge(ObjectChangeContext& context, const char* notification);
  void wake_after_commit(WriteTransaction& transaction, const NodeAddress& node);

  NodeWaiters& waiters_;
  AppNotifier* notifier_;
};

// A copy's delivery row towards the node it came from (cloud side: the edge that created it).
NodeAddress origin_node(const ObjectMetadata& metadata);

}  // namespace edgesync
