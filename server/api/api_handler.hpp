// ApiHandler: the REST API of one node (`/api/v1/...`), behind the HTTP server.
//
// Authenticates every request, parses the MMS paths (cloud paths carry {orgID}, edge paths do not),
// validates path names, and hands each endpoint to its handler function; no object logic lives here
// (that is ObjectService). Thread-safe: called concurrently from every io thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "common/config.hpp"
#include "server/api/request_metrics.hpp"
#include "server/auth/authenticator.hpp"
#include "server/http/server.hpp"
#include "server/metamanager/meta_manager.hpp"
#include "server/objects/object_service.hpp"
#include "server/store/store.hpp"
#include "server/sync/cloud_sync.hpp"
#include "server/sync/node_waiters.hpp"

namespace edgesync {

class ApiHandler final : public http::RequestHandler {
 public:
  // sync: the cloud's SPI side (nullptr on an edge, which serves no /spi/v1). meta: the edge's
  // metamanager, through which the handlers make every object change and query (nullptr on a cloud).
  // event_waiters: woken per org when an event commits (the store's event listener); without them the
  // event stream still answers but cannot hold a long-poll open.
  ApiHandler(ObjectService& objects, Store& store, const Authenticator& authenticator, const HttpConfig& config,
             CloudSync* sync = nullptr, meta::MetaManager* meta = nullptr, NodeWaiters* event_waiters = nullptr);

  http::BodyMode body_mode(std::string_view method, std::string_view target) const override;
  boost::asio::awaitable<http::Response> handle(http::Request& request) override;
  // Counts the request by route template (for /metrics) and logs it at debug level.
  void request_done(const http::RequestRecord& record) noexcept override;

  // Adds metrics of parts the API does not know (webhooks) to every /metrics answer. Call before the
  // server starts; `source` runs on an io thread at each scrape and must be quick and thread-safe.
  void add_metrics_source(MetricsSource source) { metrics_sources_.push_back(std::move(source)); }

 private:
  ObjectService& objects_;
  Store& store_;
  CloudSync* sync_;
  meta::MetaManager* meta_;
  NodeWaiters* event_waiters_;
  const Authenticator& authenticator_;
  HttpConfig config_;
  const bool cloud_;  // which half of the route table applies
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<uint64_t> client_requests_{0};
  std::atomic<uint64_t> auth_failures_{0};  // refused credentials, for health details (and later metrics)
  RequestMetrics request_metrics_;
  std::vector<MetricsSource> metrics_sources_;  // fixed once serving starts
  std::shared_ptr<std::atomic<uint32_t>> active_transfers_ = std::make_shared<std::atomic<uint32_t>>(0);
};

}  // namespace edgesync
