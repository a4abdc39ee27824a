#include "server/node/node.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server/api/api_handler.hpp"
#include "server/auth/authenticator.hpp"
#include "server/metamanager/edge_router.hpp"
#include "server/metamanager/meta_manager.hpp"
#include "server/metrics/exposition.hpp"
#include "server/node/lease_keeper.hpp"
#include "server/objects/async_store.hpp"
#include "server/objects/event_pruning.hpp"
#include "server/objects/maintenance.hpp"
#include "server/objects/node_identity.hpp"
#include "server/objects/object_service.hpp"
#include "server/store/file_data_files.hpp"
#include "server/store/open_store.hpp"
#include "server/sync/cloud_planner.hpp"
#include "server/sync/cloud_sync.hpp"
#include "server/sync/node_waiters.hpp"
#include "server/sync/uplink.hpp"
#include "server/webhooks/webhook_notifier.hpp"

namespace edgesync {

namespace fs = std::filesystem;

// In construction order. The io_context comes after the store and before every service: the services
// go first (cancelling their timers on a live io_context), then the io_context with whatever handlers
// it still holds (which may touch the store), then the store.
struct Node::Parts {
  Parts(const Config& given, int io_threads)
      : config(given), threads(io_threads), io(io_threads), identity(NodeIdentity::from_config(given)) {}

  const Config config;
  const int threads;
  std::unique_ptr<Store> store;
  std::unique_ptr<DataFiles> data_files;
  std::unique_ptr<Authenticator> authenticator;
  boost::asio::io_context io;
  boost::asio::thread_pool blocking_pool{2};
  const NodeIdentity identity;
  // The sync layer rides along with every object change: the cloud plans deliveries, an edge's
  // metamanager routes what the cloud must hear into its outbox.
  NodeWaiters waiters;
  // The event stream's long-polls wake when an event of their org commits.
  NodeWaiters event_waiters;
  std::unique_ptr<WebhookNotifier> webhooks;
  std::unique_ptr<CloudPlanner> planner;
  std::unique_ptr<meta::EdgeRouter> router;
  std::unique_ptr<ObjectService> objects;
  // The background duties run only while this instance holds their lease (one instance of several on
  // a shared database; always, alone), writing through its fenced store.
  std::unique_ptr<LeaseKeeper> lease;
  std::unique_ptr<ObjectService> duty_objects;
  std::unique_ptr<CloudSync> cloud_sync;
  std::unique_ptr<meta::MetaManager> meta_manager;
  std::unique_ptr<Uplink> uplink;
  std::unique_ptr<ApiHandler> api;
  std::unique_ptr<Maintenance> maintenance;
};

namespace {

// The edge's secret towards its cloud: the first line of uplink.secret_file (empty without one, as
// against a dummy-auth cloud).
Result<std::string> read_uplink_secret(const Config& config) {
  if (config.uplink.secret_file.empty()) return std::string();
  std::ifstream in(config.uplink.secret_file);
  std::string secret;
  if (!in || !std::getline(in, secret))
    return Status::invalid("uplink.secret_file: cannot read " + config.uplink.secret_file);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

Result<std::unique_ptr<Authenticator>> make_authenticator(const Config& config) {
  if (config.auth == AuthKind::kPreset) return make_preset_authenticator(config.auth_file);
  // Said at every start, so a development setting cannot slip into production unnoticed.
  spdlog::warn(
      "auth.type is dummy: the app key alone decides who a caller is and secrets are not checked; "
      "use preset in production");
  return make_dummy_authenticator(config.auth_file);
}

// Test-only fault injection (tests/integration/metasync_test.cpp): never set it in production.
void add_dropped_notifications(UplinkOptions& options) {
  const char* dropped = std::getenv("EDGESYNC_FAULT_DROP_NOTIFICATIONS");
  if (dropped == nullptr) return;
  const std::string list = dropped;
  for (size_t start = 0; start <= list.size();) {
    const size_t end = std::min(list.find(',', start), list.size());
    if (end > start) options.drop_notifications.insert(list.substr(start, end - start));
    start = end + 1;
  }
  spdlog::warn("EDGESYNC_FAULT_DROP_NOTIFICATIONS is set: notifications {} are dropped (tests only)", list);
}

// Data in the database that no row names is kept this long (an upload in flight on another instance,
// a download of data just replaced), and looked for this often.
constexpr std::chrono::seconds kUnattachedDataGrace{600};
constexpr std::chrono::milliseconds kOrphanedDataInterval{60000};

// Deleting chunk rows takes a while: on the blocking pool, not on an io thread.
boost::asio::awaitable<Result<size_t>> remove_orphaned_data(DataFiles& files, Store& store,
                                                            boost::asio::thread_pool& pool) {
  size_t removed = 0;
  Status status = co_await run_blocking(pool, [&]() -> Status {
    auto collected = files.remove_orphans(store);
    if (!collected) return collected.status();
    removed = *collected;
    return Status::ok();
  });
  if (!status) co_return status;
  co_return removed;
}

}  // namespace

Result<std::unique_ptr<Node>> Node::open(const Config& given) {
  const int threads =
      given.http.threads > 0 ? given.http.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto parts = std::make_unique<Parts>(given, threads);
  Parts& p = *parts;
  const Config& config = p.config;  // the node's own copy: the services keep references into it

  auto store = open_store(config);
  if (!store) return Status::io_error("cannot open the store: " + store.status().message());
  p.store = std::move(*store);
  // Object data where the store keeps it (PostgreSQL: in the database, so that every instance serves
  // every object, and nothing under data_dir), else as files in data_dir.
  auto store_data = p.store->open_data_files(kUnattachedDataGrace);
  if (!store_data) return Status::io_error("cannot open the object data store: " + store_data.status().message());
  const bool data_in_store = *store_data != nullptr;
  if (data_in_store) {
    p.data_files = std::move(*store_data);
    // Written by an edgesync from before object data moved into the database: not served, not removed.
    std::error_code ignored;
    const fs::path old_files = fs::path(config.data_dir) / "data" / "objects";
    if (fs::exists(old_files, ignored) && !fs::is_empty(old_files, ignored)) {
      spdlog::warn(
          "{} holds data files of an older edgesync; with store.backend postgres object data is read from "
          "the database, so objects whose data is only there answer 404 until their data is uploaded again",
          old_files.string());
    }
  } else {
    auto data_files = FileDataFiles::open(fs::path(config.data_dir) / "data");
    if (!data_files) return Status::io_error("cannot open the data directory: " + data_files.status().message());
    p.data_files = std::move(*data_files);
  }
  // Data written by a request that died before its commit belongs to nobody.
  if (auto removed = p.data_files->remove_orphans(*p.store); !removed) {
    spdlog::warn("cannot remove orphaned data: {}", removed.status().message());  // retried later or next start
  } else if (*removed > 0) {
    spdlog::info("removed {} orphaned data file(s)", *removed);
  }
  auto authenticator = make_authenticator(config);
  if (!authenticator) return Status::invalid(authenticator.status().message());
  p.authenticator = std::move(*authenticator);

  p.store->set_event_listener(
      [&waiters = p.event_waiters](const std::string& org) { waiters.wake(event_stream_key(org)); });
  // Commits of other instances on the same database wake the waiters here too (store/cluster.hpp).
  p.store->set_cluster_listener([&polls = p.waiters, &streams = p.event_waiters](const ClusterNotice& notice) {
    wake_for_notice(notice, polls, streams);
  });
  p.lease =
      std::make_unique<LeaseKeeper>(*p.store, "background-duties", std::chrono::seconds(config.store.lease_seconds));
  if (p.store->is_shared())
    spdlog::info("instance {} on a shared database; background duties under a {} s lease",
                 p.store->cluster_instance_id(), config.store.lease_seconds);
  p.webhooks = std::make_unique<WebhookNotifier>(p.io.get_executor(), *p.store);
  p.planner = std::make_unique<CloudPlanner>(p.waiters, p.webhooks.get());
  p.router = std::make_unique<meta::EdgeRouter>(p.identity.org);
  p.router->set_app_notifier(p.webhooks.get());
  ObjectService::Options object_options{p.identity, config.store.chunk_size};
  object_options.observer = p.identity.is_cloud() ? static_cast<ObjectObserver*>(p.planner.get())
                                                  : static_cast<ObjectObserver*>(p.router.get());
  p.objects = std::make_unique<ObjectService>(*p.store, *p.data_files, p.blocking_pool, object_options);
  p.duty_objects =
      std::make_unique<ObjectService>(p.lease->fenced_store(), *p.data_files, p.blocking_pool, object_options);

  if (p.identity.is_cloud()) {
    p.cloud_sync = std::make_unique<CloudSync>(*p.store, *p.objects, *p.planner, p.waiters);
    p.cloud_sync->set_retry_policy(RetryPolicy{std::chrono::milliseconds(config.reconcile.retry_initial_ms),
                                               std::chrono::milliseconds(config.reconcile.retry_max_ms), 0.2,
                                               system_random()});
    p.cloud_sync->set_node_lost_after(std::chrono::seconds(config.events.node_lost_seconds));
    p.cloud_sync->set_duty_store(&p.lease->fenced_store());
  } else {
    p.meta_manager = std::make_unique<meta::MetaManager>(
        p.io.get_executor(), *p.objects, *p.store, *p.router,
        meta::MetaManager::Options{std::chrono::seconds(config.meta_sync_status_interval_seconds)});
    if (!config.cloud_url.empty()) {
      UplinkOptions uplink_options;
      uplink_options.node = {config.org, config.dest_type, config.dest_id};
      uplink_options.cloud_url = config.cloud_url;
      auto secret = read_uplink_secret(config);
      if (!secret) return secret.status();
      uplink_options.secret = std::move(*secret);
      uplink_options.ca_file = config.uplink.ca_file;
      if (!config.uplink.ca_file.empty() && !std::ifstream(config.uplink.ca_file))
        return Status::invalid("uplink.ca_file: cannot read " + config.uplink.ca_file);
      uplink_options.chunk_size = config.store.chunk_size;
      uplink_options.long_poll_wait = std::chrono::seconds(config.uplink.long_poll_seconds);
      uplink_options.poll_interval = std::chrono::milliseconds(config.uplink.poll_interval_ms);
      uplink_options.max_backoff = std::chrono::milliseconds(config.uplink.max_backoff_ms);
      uplink_options.request_timeout = std::chrono::seconds(config.uplink.request_timeout_seconds);
      add_dropped_notifications(uplink_options);
      p.uplink = std::make_unique<Uplink>(p.io.get_executor(), uplink_options, *p.meta_manager, *p.store, *p.data_files,
                                          p.blocking_pool);
      p.meta_manager->set_cloud_link(p.uplink.get());
    }
  }
  p.api = std::make_unique<ApiHandler>(*p.objects, *p.store, *p.authenticator, config.http, p.cloud_sync.get(),
                                       p.meta_manager.get(), &p.event_waiters);
  p.api->add_metrics_source([&lease = *p.lease](metrics::Exposition& out) { lease.write_metrics(out); });
  p.api->add_metrics_source([&polls = p.waiters, &streams = p.event_waiters](metrics::Exposition& out) {
    out.family("edgesync_long_polls_waiting", "gauge", "Long-polls parked here: nodes' SPI polls, event-stream reads.");
    out.sample("edgesync_long_polls_waiting", {{"kind", "spi"}}, static_cast<uint64_t>(polls.waiting()));
    out.sample("edgesync_long_polls_waiting", {{"kind", "events"}}, static_cast<uint64_t>(streams.waiting()));
  });
  p.api->add_metrics_source([&sender = p.webhooks->sender()](metrics::Exposition& out) {
    out.family("edgesync_webhook_queue_depth", "gauge", "Webhook notifications waiting or being delivered.");
    out.sample("edgesync_webhook_queue_depth", {}, static_cast<uint64_t>(sender.queued()));
    out.family("edgesync_webhook_notifications_total", "counter",
               "Webhook notifications by outcome: delivered, failed (given up), dropped (queue full).");
    out.sample("edgesync_webhook_notifications_total", {{"result", "delivered"}}, sender.delivered());
    out.sample("edgesync_webhook_notifications_total", {{"result", "failed"}}, sender.failed());
    out.sample("edgesync_webhook_notifications_total", {{"result", "dropped"}}, sender.dropped());
  });

  Maintenance::Options maintenance_options{config.objects, config.owners};
  // Test-only fault injection (tests/integration/owners_test.cpp): never set it in production.
  if (const char* budget = std::getenv("EDGESYNC_FAULT_CASCADE_BATCHES")) {
    maintenance_options.cascade_batch_budget = std::strtoull(budget, nullptr, 10);
    spdlog::warn("EDGESYNC_FAULT_CASCADE_BATCHES is set: owner cascades stop after {} batch(es) (tests only)",
                 maintenance_options.cascade_batch_budget);
  }
  maintenance_options.may_run = [&lease = *p.lease] { return lease.holds(); };
  p.maintenance = std::make_unique<Maintenance>(p.io, *p.duty_objects, maintenance_options);
  const EventRetention retention{int64_t{config.events.retention_seconds} * 1000, config.events.max_events};
  p.maintenance->add_duty("event pruning", std::chrono::milliseconds(config.events.prune_interval_ms),
                          [&store = p.lease->fenced_store(), retention] {
                            const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                                       std::chrono::system_clock::now().time_since_epoch())
                                                       .count();
                            return prune_events(store, retention, now_ms, 1000, 16);
                          });
  if (data_in_store) {
    // Instances sharing the database crash and restart independently: each collects now and then,
    // not only at its own start-up (remove_orphans is safe to run on several at once).
    p.maintenance->add_duty("orphaned data", kOrphanedDataInterval,
                            [&files = *p.data_files, &store = *p.store, &pool = p.blocking_pool] {
                              return remove_orphaned_data(files, store, pool);
                            });
  }
  if (p.cloud_sync && config.events.node_lost_seconds > 0) {
    // Checked a few times per threshold, so a node is reported lost soon after it passes it.
    const auto check_interval = std::clamp(std::chrono::milliseconds(config.events.node_lost_seconds * 250),
                                           std::chrono::milliseconds(100), std::chrono::milliseconds(60000));
    p.maintenance->add_duty("lost nodes", check_interval, [&sync = *p.cloud_sync] { return sync.report_lost_nodes(); });
  }
  return std::unique_ptr<Node>(new Node(std::move(parts)));
}

Node::Node(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Node::~Node() = default;

boost::asio::io_context& Node::io() {
  return parts_->io;
}

int Node::io_threads() const {
  return parts_->threads;
}

ApiHandler& Node::api() {
  return *parts_->api;
}

void Node::start() {
  parts_->lease->start();
  parts_->maintenance->start();
  if (parts_->meta_manager) parts_->meta_manager->start();
  if (parts_->uplink) parts_->uplink->start();
}

void Node::release_waiters() {
  parts_->waiters.stop();
  parts_->event_waiters.stop();
}

void Node::stop() {
  parts_->maintenance->stop();
  parts_->lease->stop();  // hands the duties to another instance at once
  release_waiters();      // long-polls answer now instead of holding the shutdown
  if (parts_->uplink) parts_->uplink->stop();
  parts_->webhooks->stop();
  if (parts_->meta_manager) parts_->meta_manager->stop();
}

void Node::close() {
  parts_->blocking_pool.join();
  parts_->store->close();
}

}  // namespace edgesync
