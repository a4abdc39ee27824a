// edgesync: one binary, a cloud (CSS) or an edge (ESS) node. Reads the configuration, opens the
// store, serves the REST API until SIGINT/SIGTERM, then shuts down gracefully: in-flight requests
// finish, queued writes commit, the database closes cleanly.
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "common/config.hpp"
#include "common/logging.hpp"
#include "server/api/api_handler.hpp"
#include "server/auth/authenticator.hpp"
#include "server/auth/secret_hash.hpp"
#include "server/http/server.hpp"
#include "server/metamanager/edge_router.hpp"
#include "server/metamanager/meta_manager.hpp"
#include "server/metrics/exposition.hpp"
#include "server/objects/event_pruning.hpp"
#include "server/objects/maintenance.hpp"
#include "server/objects/object_service.hpp"
#include "server/store/data_files.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "server/sync/cloud_planner.hpp"
#include "server/sync/cloud_sync.hpp"
#include "server/sync/node_waiters.hpp"
#include "server/sync/uplink.hpp"
#include "server/webhooks/webhook_notifier.hpp"

namespace {

using namespace edgesync;

struct Overrides {
  std::string config_file, mode, listen, data_dir, org, dest_type, dest_id, cloud_url, auth, auth_file, log_level,
      log_format;
  std::string tls_cert_file, tls_key_file, unix_socket, unix_socket_mode, cloud_ca_file;
};

// Exit code 2: bad command line or configuration (the message names what is wrong).
[[noreturn]] void fail_configuration(const std::string& message) {
  std::cerr << "edgesync: " << message << "\n";
  std::exit(2);
}

Config resolve_config(const Overrides& given) {
  Config config;
  if (!given.config_file.empty()) {
    auto loaded = load_config_file(given.config_file);
    if (!loaded) fail_configuration(loaded.status().message());
    config = std::move(*loaded);
  }
  if (!given.mode.empty()) {
    if (given.mode != "cloud" && given.mode != "edge") fail_configuration("--mode: must be cloud or edge");
    config.mode = given.mode == "cloud" ? NodeMode::kCloud : NodeMode::kEdge;
  }
  if (!given.auth.empty()) {
    if (given.auth != "dummy" && given.auth != "preset") fail_configuration("--auth: must be dummy or preset");
    config.auth = given.auth == "dummy" ? AuthKind::kDummy : AuthKind::kPreset;
  }
  auto apply = [](const std::string& value, std::string& target) {
    if (!value.empty()) target = value;
  };
  apply(given.listen, config.listen);
  apply(given.data_dir, config.data_dir);
  apply(given.org, config.org);
  apply(given.dest_type, config.dest_type);
  apply(given.dest_id, config.dest_id);
  apply(given.cloud_url, config.cloud_url);
  apply(given.auth_file, config.auth_file);
  apply(given.log_level, config.log_level);
  apply(given.log_format, config.log_format);
  apply(given.tls_cert_file, config.http.tls.cert_file);
  apply(given.tls_key_file, config.http.tls.key_file);
  apply(given.unix_socket, config.http.unix_socket);
  apply(given.cloud_ca_file, config.uplink.ca_file);
  if (!given.unix_socket_mode.empty()) {
    auto mode = parse_file_mode(given.unix_socket_mode);
    if (!mode) fail_configuration("--unix-socket-mode: " + mode.status().message());
    config.http.unix_socket_mode = *mode;
  }
  if (Status status = validate_config(config); !status) fail_configuration(status.message());
  return config;
}

Result<std::unique_ptr<Authenticator>> make_authenticator(const Config& config) {
  if (config.auth == AuthKind::kPreset) return make_preset_authenticator(config.auth_file);
  // Said at every start, so a development setting cannot slip into production unnoticed.
  spdlog::warn(
      "auth.type is dummy: the app key alone decides who a caller is and secrets are not checked; "
      "use preset in production");
  return make_dummy_authenticator(config.auth_file);
}

// The edge's secret towards its cloud: the first line of uplink.secret_file (empty without one, as
// against a dummy-auth cloud).
std::string read_uplink_secret(const Config& config) {
  if (config.uplink.secret_file.empty()) return {};
  std::ifstream in(config.uplink.secret_file);
  std::string secret;
  if (!in || !std::getline(in, secret))
    fail_configuration("uplink.secret_file: cannot read " + config.uplink.secret_file);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

// `edgesync hash-secret`: reads a secret from stdin (never the command line, which `ps` shows) and
// prints the hash for the credentials file.
int hash_secret_command(uint32_t iterations) {
  std::string secret;
  if (!std::getline(std::cin, secret) || secret.empty()) {
    std::cerr << "edgesync hash-secret: give the secret on the first line of stdin\n";
    return 2;
  }
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  std::cout << hash_secret(secret, iterations) << "\n";
  return 0;
}

// Every connection is a file descriptor; distributions start services with a soft limit of 1,024,
// which a few hundred idle clients would exhaust. The hard limit is what the administrator allows.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    spdlog::debug("open file limit raised from {} to {}", before, limit.rlim_cur);
  } else {
    spdlog::warn("cannot raise the open file limit above {}: {}", before, std::strerror(errno));
  }
}

int serve(const Config& config) {
  namespace fs = std::filesystem;
  raise_open_file_limit();
  std::error_code fs_error;
  fs::create_directories(config.data_dir, fs_error);
  if (fs_error) fail_configuration("data_dir: cannot create " + config.data_dir + ": " + fs_error.message());

  auto store = open_sqlite_store(
      SqliteStoreOptions{(fs::path(config.data_dir) / "edgesync.db").string(), config.store.max_batch_writes});
  if (!store) {
    spdlog::critical("cannot open the store: {}", store.status().message());
    return 1;
  }
  auto data_files = DataFiles::open(fs::path(config.data_dir) / "data");
  if (!data_files) {
    spdlog::critical("cannot open the data directory: {}", data_files.status().message());
    return 1;
  }
  // Files written by a request that died before its commit belong to nobody.
  if (auto referenced = (*store)->referenced_files()) {
    if (auto removed = (*data_files)->sweep(*referenced); removed && *removed > 0)
      spdlog::info("removed {} orphaned data file(s)", *removed);
  }
  auto authenticator = make_authenticator(config);
  if (!authenticator) fail_configuration(authenticator.status().message());

  const int threads = config.http.threads > 0 ? config.http.threads
                                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  boost::asio::io_context io(threads);
  boost::asio::thread_pool blocking_pool(2);
  const NodeIdentity node = NodeIdentity::from_config(config);
  // The sync layer rides along with every object change: the cloud plans deliveries, an edge's
  // metamanager routes what the cloud must hear into its outbox.
  NodeWaiters waiters;
  // The event stream's long-polls wake when an event of their org commits (before the first write).
  NodeWaiters event_waiters;
  (*store)->set_event_listener([&event_waiters](const std::string& org) { event_waiters.wake(event_stream_key(org)); });
  WebhookNotifier webhooks(io.get_executor(), **store);
  CloudPlanner planner(waiters, &webhooks);
  meta::EdgeRouter router(node.org);
  router.set_app_notifier(&webhooks);
  ObjectService::Options object_options{node, config.store.chunk_size};
  object_options.observer = node.is_cloud() ? static_cast<ObjectObserver*>(&planner) : &router;
  ObjectService objects(**store, **data_files, blocking_pool, object_options);

  std::unique_ptr<CloudSync> cloud_sync;
  std::unique_ptr<meta::MetaManager> meta_manager;
  std::unique_ptr<Uplink> uplink;
  if (node.is_cloud()) {
    cloud_sync = std::make_unique<CloudSync>(**store, objects, planner, waiters);
    cloud_sync->set_retry_policy(RetryPolicy{std::chrono::milliseconds(config.reconcile.retry_initial_ms),
                                             std::chrono::milliseconds(config.reconcile.retry_max_ms), 0.2,
                                             system_random()});
    cloud_sync->set_node_lost_after(std::chrono::seconds(config.events.node_lost_seconds));
  } else {
    meta_manager = std::make_unique<meta::MetaManager>(
        io.get_executor(), objects, **store, router,
        meta::MetaManager::Options{std::chrono::seconds(config.meta_sync_status_interval_seconds)});
    UplinkOptions uplink_options;
    uplink_options.node = {config.org, config.dest_type, config.dest_id};
    uplink_options.cloud_url = config.cloud_url;
    uplink_options.secret = read_uplink_secret(config);
    uplink_options.ca_file = config.uplink.ca_file;
    if (!config.uplink.ca_file.empty() && !std::ifstream(config.uplink.ca_file))
      fail_configuration("uplink.ca_file: cannot read " + config.uplink.ca_file);
    uplink_options.chunk_size = config.store.chunk_size;
    uplink_options.long_poll_wait = std::chrono::seconds(config.uplink.long_poll_seconds);
    uplink_options.poll_interval = std::chrono::milliseconds(config.uplink.poll_interval_ms);
    uplink_options.max_backoff = std::chrono::milliseconds(config.uplink.max_backoff_ms);
    uplink_options.request_timeout = std::chrono::seconds(config.uplink.request_timeout_seconds);
    // Test-only fault injection (tests/integration/metasync_test.cpp): never set it in production.
    if (const char* dropped = std::getenv("EDGESYNC_FAULT_DROP_NOTIFICATIONS")) {
      std::string list = dropped;
      for (size_t start = 0; start <= list.size();) {
        const size_t end = std::min(list.find(',', start), list.size());
        if (end > start) uplink_options.drop_notifications.insert(list.substr(start, end - start));
        start = end + 1;
      }
      spdlog::warn("EDGESYNC_FAULT_DROP_NOTIFICATIONS is set: notifications {} are dropped (tests only)", list);
    }
    uplink = std::make_unique<Uplink>(io.get_executor(), uplink_options, *meta_manager, **store, **data_files,
                                      blocking_pool);
    meta_manager->set_cloud_link(uplink.get());
  }
  ApiHandler api(objects, **store, **authenticator, config.http, cloud_sync.get(), meta_manager.get(), &event_waiters);
  api.add_metrics_source([&sender = webhooks.sender()](metrics::Exposition& out) {
    out.family("edgesync_webhook_queue_depth", "gauge", "Webhook notifications waiting or being delivered.");
    out.sample("edgesync_webhook_queue_depth", {}, static_cast<uint64_t>(sender.queued()));
    out.family("edgesync_webhook_notifications_total", "counter",
               "Webhook notifications by outcome: delivered, failed (given up), dropped (queue full).");
    out.sample("edgesync_webhook_notifications_total", {{"result", "delivered"}}, sender.delivered());
    out.sample("edgesync_webhook_notifications_total", {{"result", "failed"}}, sender.failed());
    out.sample("edgesync_webhook_notifications_total", {{"result", "dropped"}}, sender.dropped());
  });
  auto server = http::HttpServer::create(io, config.http, config.listen, api);
  if (!server) {
    spdlog::critical("cannot listen: {}", server.status().message());
    return 1;
  }
  // Local applications may reach the node through a Unix socket too: same API, same auth.
  std::unique_ptr<http::HttpServer> unix_server;
  if (!config.http.unix_socket.empty()) {
    auto created = http::HttpServer::create_unix(io, config.http, api);
    if (!created) {
      spdlog::critical("cannot listen: {}", created.status().message());
      return 1;
    }
    unix_server = std::move(*created);
  }
  Maintenance::Options maintenance_options{config.objects, config.owners};
  // Test-only fault injection (tests/integration/owners_test.cpp): never set it in production.
  if (const char* budget = std::getenv("EDGESYNC_FAULT_CASCADE_BATCHES")) {
    maintenance_options.cascade_batch_budget = std::strtoull(budget, nullptr, 10);
    spdlog::warn("EDGESYNC_FAULT_CASCADE_BATCHES is set: owner cascades stop after {} batch(es) (tests only)",
                 maintenance_options.cascade_batch_budget);
  }
  Maintenance maintenance(io, objects, maintenance_options);
  const EventRetention retention{int64_t{config.events.retention_seconds} * 1000, config.events.max_events};
  maintenance.add_duty(
      "event pruning", std::chrono::milliseconds(config.events.prune_interval_ms), [&store = **store, retention] {
        const int64_t now_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        return prune_events(store, retention, now_ms, 1000, 16);
      });
  if (cloud_sync && config.events.node_lost_seconds > 0) {
    // Checked a few times per threshold, so a node is reported lost soon after it passes it.
    const auto check_interval = std::clamp(std::chrono::milliseconds(config.events.node_lost_seconds * 250),
                                           std::chrono::milliseconds(100), std::chrono::milliseconds(60000));
    maintenance.add_duty("lost nodes", check_interval, [&sync = *cloud_sync] { return sync.report_lost_nodes(); });
  }

  // Tests and scripts parse this line for the port: keep its shape.
  spdlog::info("edgesync {} listening on {}:{}{}", to_string(config.mode), (*server)->host(), (*server)->port(),
               (*server)->tls() ? " (https)" : "");
  if (unix_server)
    spdlog::info("edgesync {} serving on the Unix socket {} (mode {:04o})", to_string(config.mode), unix_server->host(),
                 config.http.unix_socket_mode);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    spdlog::info("signal {}: shutting down", signal_number);
    maintenance.stop();
    waiters.stop();  // long-polls answer now instead of holding the shutdown
    event_waiters.stop();
    if (uplink) uplink->stop();
    webhooks.stop();
    if (meta_manager) meta_manager->stop();
    // The io_context stops when the last listener has no connection left (on one of its threads).
    auto listening = std::make_shared<std::atomic<int>>(unix_server ? 2 : 1);
    auto on_stopped = [&io, listening] {
      if (--*listening == 0) io.stop();
    };
    (*server)->stop(on_stopped);
    if (unix_server) unix_server->stop(on_stopped);
  });

  (*server)->start();
  if (unix_server) unix_server->start();
  maintenance.start();
  if (meta_manager) meta_manager->start();
  if (uplink) uplink->start();
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& worker : workers) worker.join();

  blocking_pool.join();
  (*store)->close();
  spdlog::info("edgesync stopped cleanly");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"edgesync: cloud-to-edge object sync service (cloud or edge node)"};
  app.set_version_flag("--version", std::string("edgesync ") + EDGESYNC_VERSION);
  Overrides given;
  app.add_option("--config", given.config_file, "YAML configuration file (see deploy/conf)");
  app.add_option("--mode", given.mode, "cloud | edge");
  app.add_option("--listen", given.listen, "HOST:PORT to serve on (port 0 picks a free port)");
  app.add_option("--data-dir", given.data_dir, "directory for the database and object data");
  app.add_option("--org", given.org, "organization of this edge node");
  app.add_option("--dest-type", given.dest_type, "destination type of this edge node");
  app.add_option("--dest-id", given.dest_id, "destination ID of this edge node");
  app.add_option("--cloud-url", given.cloud_url, "base URL of the cloud node (edge)");
  app.add_option("--auth", given.auth, "authenticator: dummy | preset");
  app.add_option("--auth-file", given.auth_file, "credentials file of the authenticator");
  app.add_option("--log-level", given.log_level, "trace | debug | info | warn | error | critical | off");
  app.add_option("--log-format", given.log_format, "text | json (one JSON object per line)");
  app.add_option("--tls-cert-file", given.tls_cert_file, "PEM certificate chain: serve HTTPS (with --tls-key-file)");
  app.add_option("--tls-key-file", given.tls_key_file, "PEM private key of the --tls-cert-file certificate");
  app.add_option("--unix-socket", given.unix_socket, "also serve the REST API on this Unix socket path");
  app.add_option("--unix-socket-mode", given.unix_socket_mode, "file mode of the Unix socket, octal (default 0660)");
  app.add_option("--cloud-ca-file", given.cloud_ca_file, "PEM CAs trusted for an https cloud URL (edge)");
  uint32_t iterations = kDefaultSecretHashIterations;
  CLI::App* hash_command =
      app.add_subcommand("hash-secret", "print the salted hash of the secret read from stdin (for auth.file)");
  hash_command->add_option("--iterations", iterations, "PBKDF2-SHA256 iterations")
      ->check(CLI::Range(kMinSecretHashIterations, 100'000'000u));
  CLI11_PARSE(app, argc, argv);
  if (*hash_command) return hash_secret_command(iterations);

  const Config config = resolve_config(given);
  if (Status status = setup_logging(config.log_level, config.log_format); !status) fail_configuration(status.message());
  return serve(config);
}
