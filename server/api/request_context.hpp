// RequestContext: what every endpoint function of the API gets — the request, the authenticated
// caller, the node's services. Internal to server/api.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "server/api/request_metrics.hpp"
#include "server/auth/identity.hpp"
#include "server/http/request.hpp"
#include "server/http/response.hpp"
#include "server/metamanager/meta_manager.hpp"
#include "server/objects/object_service.hpp"
#include "server/sync/cloud_sync.hpp"
#include "server/sync/node_waiters.hpp"

namespace edgesync {

// The longest a long-poll (`wait=S`) may be held, in seconds (the SPI's poll, the event stream, an
// application's list of updated objects).
inline constexpr int kMaxWaitSeconds = 120;

// A whole decimal integer, or nothing (query parameters, path segments).
std::optional<int64_t> parse_int64(const std::string& text);

struct RequestContext;
// The request's `wait=S` (0 when absent); an error naming `wait` unless S is a whole number of seconds
// from 0 to kMaxWaitSeconds.
Result<std::chrono::seconds> wait_param(const RequestContext& context);

struct RequestContext {
  http::Request& request;
  const Identity& caller;
  ObjectService& objects;
  Store& store;
  CloudSync* sync;             // the cloud's SPI side; nullptr on an edge
  meta::MetaManager* meta;     // the edge's dispatcher, through which every edge object change goes; nullptr on a cloud
  NodeWaiters* event_waiters;  // woken (per org) when an event commits; nullptr: no event stream
  const HttpConfig& config;
  std::shared_ptr<std::atomic<uint32_t>> active_transfers;  // data GETs/PUTs in progress
  std::chrono::steady_clock::time_point started;
  uint64_t client_requests = 0;
  uint64_t auth_failures = 0;  // requests refused for their credentials so far
  const RequestMetrics* request_metrics = nullptr;
  const std::vector<MetricsSource>* metrics_sources = nullptr;

  http::Response error(const Status& status) const;
};

// A path under /api/v1/objects split into its parts; `depth` counts the parts present after the org
// (1 = type, 2 = type/id, 3 = type/id/operation).
struct ObjectPath {
  std::string org;
  std::string object_type;
  std::string object_id;
  std::string operation;
  int depth = 0;
};

boost::asio::awaitable<http::Response> handle_objects(RequestContext& context, const ObjectPath& path);
http::Response handle_health(RequestContext& context);
// GET /metrics (Prometheus text).
http::Response handle_metrics(RequestContext& context);
// POST|PUT /api/v1/resend (an edge asks its cloud for everything again).
http::Response handle_resend(RequestContext& context);
// /spi/v1/… (segments of the whole path).
boost::asio::awaitable<http::Response> handle_spi(RequestContext& context, const std::vector<std::string>& segments);
// /api/v1/destinations/… and /api/v1/objects/{org}/{type}/{id}/destinations.
boost::asio::awaitable<http::Response> handle_destinations(RequestContext& context,
                                                           const std::vector<std::string>& segments);
boost::asio::awaitable<http::Response> handle_object_destinations(RequestContext& context, const ObjectPath& path);
// /api/v1/security/… (cloud only).
boost::asio::awaitable<http::Response> handle_security(RequestContext& context,
                                                       const std::vector<std::string>& segments);
// GET /api/v1/events/{org} (cloud) or /api/v1/events (edge): the event stream.
boost::asio::awaitable<http::Response> handle_events(RequestContext& context, const std::vector<std::string>& segments);
// /api/v1/organizations[/{org}] (cloud only).
boost::asio::awaitable<http::Response> handle_organizations(RequestContext& context,
                                                            const std::vector<std::string>& segments);

}  // namespace edgesync
