// GET /metrics: the node's metrics in the Prometheus text format (version 0.0.4).
//
// Authorised as GET /api/v1/health is (authorize_node_read): the numbers say how busy the node is and
// how many edges a cloud serves, which is no more than health details tell. Gauges that need the store
// (objects, delivery rows) are read here, once per scrape, never on the request path.
#include "server/api/request_context.hpp"
#include "server/api/request_metrics.hpp"
#include "server/auth/authorizer.hpp"
#include "server/metrics/exposition.hpp"

namespace edgesync {

namespace {

void write_store_gauges(RequestContext& context, metrics::Exposition& out) {
  if (auto stored = context.store.count_objects()) {
    out.family("edgesync_objects_stored", "gauge", "Objects held in the store (metadata rows, all orgs).");
    out.sample("edgesync_objects_stored", {}, *stored);
  }
  if (auto deliveries = context.store.count_deliveries()) {
    out.family("edgesync_deliveries", "gauge",
               context.sync ? "Per-destination delivery rows (object x edge node), by status."
                            : "This edge's delivery rows towards the cloud (its own objects), by status.");
    for (const auto& [status, count] : deliveries->by_status)
      out.sample("edgesync_deliveries", {{"status", status}}, count);
    out.family("edgesync_deliveries_pending_notifications", "gauge",
               context.sync ? "Delivery rows owing their edge node a notification."
                            : "The edge's outbox: notifications owed to the cloud.");
    out.sample("edgesync_deliveries_pending_notifications", {}, deliveries->pending);
  }
}

}  // namespace

http::Response handle_metrics(RequestContext& context) {
  if (context.request.method() != "GET" && context.request.method() != "HEAD") return http::Response::empty(405);
  if (Status status = authorize_node_read(context.caller); !status) return context.error(status);

  metrics::Exposition out;
  if (context.request_metrics) context.request_metrics->write(out);
  out.family("edgesync_auth_failures_total", "counter", "Requests refused for their credentials.");
  out.sample("edgesync_auth_failures_total", {}, context.auth_failures);
  out.family("edgesync_active_data_transfers", "gauge", "Object data GETs and PUTs in progress.");
  out.sample("edgesync_active_data_transfers", {},
             static_cast<uint64_t>(context.active_transfers->load(std::memory_order_relaxed)));
  write_store_gauges(context, out);
  context.store.write_metrics(out);
  if (context.sync) {
    if (auto nodes = context.sync->destinations("")) {
      out.family("edgesync_registered_nodes", "gauge", "Edge nodes registered with this cloud.");
      out.sample("edgesync_registered_nodes", {}, static_cast<uint64_t>(nodes->size()));
    }
  }
  if (context.meta) {
    out.family("edgesync_uplink_connected", "gauge", "1 while the edge is registered with its cloud.");
    out.sample("edgesync_uplink_connected", {}, uint64_t{context.meta->connected() ? 1u : 0u});
    const uint64_t connects = context.meta->connects();
    out.family("edgesync_uplink_reconnects_total", "counter",
               "Times the uplink connected again after losing the cloud.");
    out.sample("edgesync_uplink_reconnects_total", {}, connects > 0 ? connects - 1 : 0);
    out.family("edgesync_metamanager_queue_depth", "gauge", "Messages queued or in progress in the metamanager.");
    out.sample("edgesync_metamanager_queue_depth", {}, static_cast<uint64_t>(context.meta->dispatcher().queued()));
  }
  if (context.metrics_sources)
    for (const auto& source : *context.metrics_sources) source(out);
  return http::Response::text(200, out.take(), std::string(metrics::kContentType));
}

}  // namespace edgesync
