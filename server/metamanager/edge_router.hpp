// EdgeRouter: the edge's ObjectObserver, the "route" half of the metamanager. Inside the transaction of
// every object change it records what the cloud must hear in the outbox — the edge's delivery row of
// the object, peer = the cloud — so the notification is durable exactly when the change is:
//
//   own object ready (saved with no data, data attached, activated) → `update` (metadata, then data);
//   own object deleted → `delete` (the row stays, marked deleted, until the cloud's `deleted`);
//   copy completely received → `received`, and local applications are told;
//   copy deleted by the cloud → `ackDelete`, and local applications are told;
//   copy consumed by the applications → `consumed` (the copy goes when the cloud acknowledges);
//   deletion confirmed by the applications → `deleted` (with the metadata, the row being gone).
//
// After the commit it pokes the uplink. The row doubles as the object's status record for metasync.
#pragma once

#include <atomic>

#include "server/metamanager/cloud_link.hpp"
#include "server/objects/app_notifier.hpp"
#include "server/objects/object_observer.hpp"
#include "server/store/delivery.hpp"

namespace edgesync::meta {

class EdgeRouter final : public ObjectObserver {
 public:
  explicit EdgeRouter(std::string org) : cloud_{std::move(org), "Cloud", "Cloud"} {}

  void set_cloud_link(CloudLink* link) { link_.store(link); }
  void set_app_notifier(AppNotifier* notifier) { notifier_.store(notifier); }
  const NodeAddress& cloud() const { return cloud_; }

  Status on_change(ObjectChangeContext& context) override;
  // Versions from the cloud that changed nothing and were therefore not dispatched again.
  uint64_t unchanged_updates() const { return unchanged_updates_.load(); }

 private:
  static bool unchanged(const ObjectChangeContext& context);
  Status queue(ObjectChangeContext& context, const char* notification, const char* status);
  void tell_applications(ObjectChangeContext& context);

  NodeAddress cloud_;
  std::atomic<CloudLink*> link_{nullptr};
  std::atomic<AppNotifier*> notifier_{nullptr};
  std::atomic<uint64_t> unchanged_updates_{0};
};

}  // namespace edgesync::meta
