#include "server/node/fenced_store.hpp"

namespace edgesync {
namespace {

class FencedStore final : public Store {
 public:
  FencedStore(Store& store, WriteCheck check) : store_(store), check_(std::move(check)) {}

  void submit_write(WriteFunction write, WriteCompletion on_durable) override {
    store_.submit_write(
        [check = check_, write = std::move(write)](WriteTransaction& transaction) -> Status {
          if (Status allowed = check(transaction); !allowed) return allowed;
          return write(transaction);
        },
        std::move(on_durable));
  }

  // Everything else as the store says.
  Result<StoredObject> get_object(const ResourceKey& key) override { return store_.get_object(key); }
  Result<std::shared_ptr<const ObjectSnapshot>> get_object_snapshot(const ResourceKey& key) override {
    return store_.get_object_snapshot(key);
  }
  Result<UploadState> get_upload(const ResourceKey& key) override { return store_.get_upload(key); }
  Result<std::vector<StoredObject>> list_objects(const ObjectFilter& filter) override {
    return store_.list_objects(filter);
  }
  Result<std::vector<std::string>> list_webhooks(const std::string& org, const std::string& object_type) override {
    return store_.list_webhooks(org, object_type);
  }
  Result<std::vector<StoredObject>> list_due_activations(SystemTime now) override {
    return store_.list_due_activations(now);
  }
  Result<std::vector<StoredObject>> list_expired(SystemTime now) override { return store_.list_expired(now); }
  Result<int64_t> count_objects() override { return store_.count_objects(); }
  Result<Destination> get_destination(const NodeAddress& node) override { return store_.get_destination(node); }
  Result<std::vector<Destination>> list_destinations(const std::string& org) override {
    return store_.list_destinations(org);
  }
  Result<Delivery> get_delivery(const ResourceKey& key, const NodeAddress& peer) override {
    return store_.get_delivery(key, peer);
  }
  Result<std::vector<Delivery>> list_deliveries(const ResourceKey& key) override { return store_.list_deliveries(key); }
  Result<std::vector<Delivery>> list_deliveries_to(const NodeAddress& peer, bool pending_only) override {
    return store_.list_deliveries_to(peer, pending_only);
  }
  Result<DeliveryCounts> count_deliveries() override { return store_.count_deliveries(); }
  Result<std::vector<std::string>> referenced_files() override { return store_.referenced_files(); }
  Result<std::vector<ResourceKey>> list_owner_cascades(size_t limit) override {
    return store_.list_owner_cascades(limit);
  }
  Result<std::vector<OwnerLink>> list_unvalidated_owner_links(int64_t seen_before_ms, size_t limit) override {
    return store_.list_unvalidated_owner_links(seen_before_ms, limit);
  }
  Result<std::vector<AclEntry>> list_acl(AclKind kind, const std::string& org,
                                         const std::optional<std::string>& key) override {
    return store_.list_acl(kind, org, key);
  }
  Result<std::vector<Organization>> list_organizations() override { return store_.list_organizations(); }
  Result<std::vector<Event>> list_events(const std::string& org, int64_t after_seq, size_t limit) override {
    return store_.list_events(org, after_seq, limit);
  }
  Result<EventWindow> event_window(const std::string& org) override { return store_.event_window(org); }
  // The listeners belong to the store's owner, set on the store itself.
  void set_event_listener(std::function<void(const std::string& org)> listener) override { (void)listener; }
  uint64_t commit_count() const override { return store_.commit_count(); }
  int64_t cluster_instance_id() const override { return store_.cluster_instance_id(); }
  bool is_shared() const override { return store_.is_shared(); }
  Result<LeaseState> acquire_lease(const std::string& name, int64_t holder, std::chrono::milliseconds ttl) override {
    return store_.acquire_lease(name, holder, ttl);
  }
  Status release_lease(const std::string& name, int64_t holder) override { return store_.release_lease(name, holder); }
  // The store's owner closes it.
  void close() override {}

 private:
  Store& store_;
  const WriteCheck check_;
};

}  // namespace

std::unique_ptr<Store> make_fenced_store(Store& store, WriteCheck check) {
  return std::make_unique<FencedStore>(store, std::move(check));
}

}  // namespace edgesync
