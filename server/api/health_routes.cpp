// GET /api/v1/health[?details=true]: MMS's health shape (reference/mms-reference.md §1.9).
#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "server/api/request_context.hpp"
#include "server/auth/authorizer.hpp"

namespace edgesync {

http::Response handle_health(RequestContext& context) {
  if (context.request.method() != "GET") return http::Response::empty(405);
  if (Status status = authorize_node_read(context.caller); !status) return context.error(status);

  const auto details = context.request.query_param("details");
  if (details && *details != "true" && *details != "false")
    return context.error(Status::invalid("details must be true or false", "details"));

  auto stored = context.store.count_objects();
  const bool db_ok = stored.is_ok();
  const auto up_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - context.started).count();
  nlohmann::json body = {
      {"general",
       {{"nodeType", context.objects.node().is_cloud() ? "CSS" : "ESS"},
        {"healthStatus", db_ok ? "green" : "red"},
        {"upTime", up_seconds}}},
      {"dbHealth",
       {{"dbStatus", db_ok ? "green" : "red"},
        {"disconnectedFromDB", !db_ok},
        {"dbReadFailures", db_ok ? 0 : 1},
        {"dbWriteFailures", 0}}},
  };
  // edgesync extension (API.md §2): an edge shows the state of its link to the cloud (metamanager's
  // nodeconnection).
  if (context.meta) {
    body["cloudConnection"] = {{"connected", context.meta->connected()},
                               {"metasyncs", context.meta->metasyncs()},
                               {"queuedMessages", context.meta->dispatcher().queued()}};
  }
  if (details && *details == "true") {
    size_t registered = 0;
    if (context.sync) {
      if (auto destinations = context.sync->destinations("")) registered = destinations->size();
    }
    body["usage"] = {{"clientRequests", context.client_requests},
                     {"registeredESS", registered},
                     {"storedObjects", db_ok ? *stored : 0},
                     {"authFailures", context.auth_failures}};
  }
  return http::Response::json(200, json_text(body, 2));
}

}  // namespace edgesync
