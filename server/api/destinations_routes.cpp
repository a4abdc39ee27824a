// The cloud's destination endpoints (reference/mms-reference.md §1.2, §1.7):
//   GET  /api/v1/destinations/{org}                         registered edge nodes
//   GET  /api/v1/destinations/{org}/{type}/{id}/objects     objects whose delivery to the node is tracked
//   GET  /api/v1/objects/{org}/{type}/{id}/destinations     per-destination status of one object
//   PUT  …/destinations ["type:id", …]                      replace the object's destinations
//   POST …/destinations {"action":"add|remove","destinations":[…]}
#include <nlohmann/json.hpp>

#include "common/json_limits.hpp"
#include "common/json_text.hpp"
#include "common/metadata_codec.hpp"
#include "common/time_format.hpp"
#include "server/api/http_errors.hpp"
#include "server/api/request_context.hpp"
#include "server/auth/authorizer.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

// The edge has no destinations API: destinations are the cloud's view of its nodes.
Status no_destinations_on_edge() {
  return Status::invalid("destinations are served by the cloud, not by an edge", "path");
}

Result<std::vector<std::string>> string_list(const nlohmann::json& json, const char* field) {
  if (!json.is_array()) return Status::invalid(std::string(field) + " must be a list of \"type:id\" strings", field);
  std::vector<std::string> list;
  for (const auto& entry : json) {
    if (!entry.is_string())
      return Status::invalid(std::string(field) + " must be a list of \"type:id\" strings", field);
    list.push_back(entry.get<std::string>());
  }
  return list;
}

}  // namespace

asio::awaitable<http::Response> handle_destinations(RequestContext& context, const std::vector<std::string>& segments) {
  // An edge answers 400 on MMS's one destinations path, as MMS (which sends no body; this one says why).
  if (!context.sync) {
    if (segments.size() != 3) co_return no_such_route();
    if (context.request.method() != "GET") co_return http::Response::empty(405);
    co_return context.error(no_destinations_on_edge());
  }
  if (context.request.method() != "GET") co_return http::Response::empty(405);
  if (Status status = authorize_node_read(context.caller); !status) co_return context.error(status);
  if (segments.size() < 4) co_return no_such_route();
  const std::string& org = segments[3];
  if (context.caller.role != Role::kSyncAdmin && context.caller.org != org)
    co_return context.error(Status::forbidden());
  if (segments.size() == 4) {
    auto destinations = context.sync->destinations(org);
    if (!destinations) co_return context.error(destinations.status());
    if (destinations->empty()) co_return http::Response::empty(404);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& destination : *destinations) {
      list.push_back({{"destinationOrgID", destination.node.org},
                      {"destinationType", destination.node.dest_type},
                      {"destinationID", destination.node.dest_id},
                      {"communication", destination.communication},
                      {"codeVersion", destination.code_version}});
    }
    co_return http::Response::json(200, json_text(list, 2));
  }
  if (segments.size() == 7 && segments[6] == "objects") {
    auto objects = context.sync->objects_for({org, segments[4], segments[5]});
    if (!objects) co_return context.error(objects.status());
    if (objects->empty()) co_return http::Response::empty(404);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& object : *objects) list.push_back(metadata_to_json(object.metadata));
    co_return http::Response::json(200, json_text(list, 2));
  }
  co_return no_such_route();
}

asio::awaitable<http::Response> handle_object_destinations(RequestContext& context, const ObjectPath& path) {
  if (!context.sync) co_return context.error(no_destinations_on_edge());
  const ResourceKey key{path.org, path.object_type, path.object_id};
  const std::string_view method = context.request.method();
  if (method == "GET") {
    auto rows = context.sync->object_destinations(key);
    if (!rows) co_return context.error(rows.status());
    if (rows->empty()) co_return http::Response::empty(404);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& row : *rows) {
      list.push_back(
          {{"destinationType", row.peer.dest_type},
           {"destinationID", row.peer.dest_id},
           {"status", row.status},
           {"message", row.message},
           {"attempts", row.attempts},
           {"lastError", row.last_error},
           {"nextAttemptAt", row.next_attempt_at_ms > 0
                                 ? format_rfc3339(SystemTime(std::chrono::milliseconds(row.next_attempt_at_ms)))
                                 : std::string()}});
    }
    co_return http::Response::json(200, json_text(list, 2));
  }
  if (method != "PUT" && method != "POST") co_return http::Response::empty(405);
  if (!json_nesting_within(context.request.body()))
    co_return context.error(Status::invalid("Invalid JSON: nested too deep"));
  auto body = nlohmann::json::parse(context.request.body(), nullptr, false);
  if (body.is_discarded()) co_return context.error(Status::invalid("Invalid JSON for destinations"));
  CloudSync::DestinationsChange change = CloudSync::DestinationsChange::kReplace;
  nlohmann::json list_json = body;
  if (method == "POST") {
    if (!body.is_object() || !body.value("action", nlohmann::json()).is_string())
      co_return context.error(Status::invalid("Expected {\"action\": \"add\"|\"remove\", \"destinations\": […]}"));
    const std::string action = body["action"].get<std::string>();
    if (action != "add" && action != "remove")
      co_return context.error(Status::invalid("Invalid action (" + action + "): expected add or remove", "action"));
    change = action == "add" ? CloudSync::DestinationsChange::kAdd : CloudSync::DestinationsChange::kRemove;
    list_json = body.value("destinations", nlohmann::json());
  }
  auto list = string_list(list_json, "destinations");
  if (!list) co_return context.error(list.status());
  Status status = co_await context.sync->change_destinations(key, change, std::move(*list));
  if (!status) co_return context.error(status);
  co_return http::Response::empty(204);
}

}  // namespace edgesync
