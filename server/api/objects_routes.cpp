// The /api/v1/objects endpoints (reference/mms-reference.md §1.2): HTTP in, ObjectService call,
// HTTP out. Object semantics live in ObjectService; this file only maps.
#include <nlohmann/json.hpp>
#include <set>

#include "common/base64.hpp"
#include "common/json_limits.hpp"
#include "common/json_text.hpp"
#include "common/metadata_codec.hpp"
#include "server/api/acl_access.hpp"
#include "server/api/data_transfer.hpp"
#include "server/api/request_context.hpp"
#include "server/auth/authorizer.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

ResourceKey key_of(const ObjectPath& path) {
  return {path.org, path.object_type, path.object_id};
}

http::Response no_content() {
  return http::Response::empty(204);
}

Status too_deep() {
  return Status::invalid("Invalid JSON: nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
}

// Reads of a cloud object by a caller without org rights succeed only for public objects, so the
// object is looked at before the answer is decided (403 rather than 404 for what it may not see).
// Regular users and node users on a cloud get what their org's object ACLs grant.
Status authorize(RequestContext& context, const ObjectPath& path, Access access) {
  const NodeIdentity& node = context.objects.node();
  AclGrant grant = AclGrant::kNone;
  if (node.is_cloud()) {
    auto looked_up = object_acl_grant(context.store, context.caller, path.org, path.object_type);
    if (!looked_up) return looked_up.status();
    grant = *looked_up;
  }
  Status status =
      authorize_object_access(context.caller, node.mode, node.org, path.org, path.object_type, access, false, grant);
  if (status || access != Access::kRead || path.object_id.empty()) return status;
  auto object = context.objects.get_object(key_of(path));
  if (object && object->metadata.is_public) {
    return authorize_object_access(context.caller, node.mode, node.org, path.org, path.object_type, access, true,
                                   grant);
  }
  return status;
}

// An ACL user may only send to destination types its org's destination ACLs give it; an object for
// every destination type needs the all-types destination ACL (MMS).
Status authorize_destinations(RequestContext& context, const ObjectPath& path, const ObjectMetadata& metadata) {
  if (!context.objects.node().is_cloud()) return Status::ok();
  std::set<std::string> types;
  if (metadata.destinations_list && !metadata.destinations_list->empty()) {
    for (const auto& destination : *metadata.destinations_list)
      types.insert(destination.substr(0, destination.find(':')));
  } else {
    types.insert(metadata.destination_type);  // "" = broadcast
  }
  for (const auto& type : types) {
    auto allowed = destination_acl_allows(context.store, context.caller, path.org, type);
    if (!allowed) return allowed.status();
    if (!*allowed) return Status::forbidden();
  }
  return Status::ok();
}

http::Response json_list(const std::vector<StoredObject>& objects) {
  if (objects.empty()) return http::Response::empty(404);  // MMS: an empty list is a 404
  nlohmann::json list = nlohmann::json::array();
  for (const auto& object : objects) list.push_back(metadata_to_json(object.metadata));
  return http::Response::json(200, json_text(list, 2));
}

// ---- /objects/{org}/{type} ----------------------------------------------------------------

// MMS answers at once. With `wait=S` (an edgesync extension) an empty answer is held up to S seconds
// until an object of the org changes: every committed change writes an event, whose commit wakes the
// org's waiters, and the list is read again (another type's change reads it again for nothing).
asio::awaitable<http::Response> list_updated(RequestContext& context, const ObjectPath& path) {
  const auto received = context.request.query_param("received");
  if (received && *received != "true" && *received != "false")
    co_return context.error(Status::invalid("received must be true or false", "received"));
  if (context.request.query_param("all_objects"))
    co_return context.error(
        Status::invalid("all_objects (destination policy listing) is not supported", "all_objects"));
  const auto wait = wait_param(context);
  if (!wait) co_return context.error(wait.status());
  const NodeAddress waiter_key = event_stream_key(path.org);
  const auto deadline = std::chrono::steady_clock::now() + *wait;
  while (true) {
    // The generation first: a change committed after this read wakes the wait below even if it
    // committed before the wait began.
    const uint64_t generation = context.event_waiters ? context.event_waiters->generation(waiter_key) : 0;
    auto objects = context.objects.list_updated(path.org, path.object_type, received && *received == "true");
    if (!objects) co_return context.error(objects.status());
    if (!objects->empty()) co_return json_list(*objects);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!context.event_waiters || left.count() <= 0) break;
    if (!co_await context.event_waiters->wait(waiter_key, generation, left)) break;
  }
  co_return http::Response::empty(404);  // MMS: an empty list is a 404
}

Status check_webhook_url(const std::string& url) {
  const bool http_scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (!http_scheme) return Status::invalid("Webhook URL (" + url + ") must start with http:// or https://", "url");
  const size_t host_start = url.find("://") + 3;
  const size_t host_end = url.find_first_of("/?#", host_start);
  if (host_end == host_start || host_start >= url.size())
    return Status::invalid("Webhook URL (" + url + ") has no host", "url");
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return Status::invalid("Webhook URL contains spaces or control characters", "url");
  }
  return Status::ok();
}

asio::awaitable<http::Response> put_webhook(RequestContext& context, const ObjectPath& path) {
  if (!json_nesting_within(context.request.body())) co_return context.error(too_deep());
  auto body = nlohmann::json::parse(context.request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object())
    co_return context.error(Status::invalid("Invalid JSON for webhook: expected {\"action\": …, \"url\": …}"));
  const auto action = body.value("action", nlohmann::json()).is_string() ? body["action"].get<std::string>() : "";
  const auto url = body.value("url", nlohmann::json()).is_string() ? body["url"].get<std::string>() : "";
  if (action != "register" && action != "delete")
    co_return context.error(
        Status::invalid("Invalid webhook action (" + action + "): expected register or delete", "action"));
  if (Status status = check_webhook_url(url); !status) co_return context.error(status);
  // Not a ?: with a co_await in each arm: GCC 12 destroys the result twice there.
  Status status;
  if (action == "register") {
    status = co_await context.objects.register_webhook(path.org, path.object_type, url);
  } else {
    status = co_await context.objects.delete_webhook(path.org, path.object_type, url);
  }
  co_return status ? no_content() : context.error(status);
}

// ---- /objects/{org}/{type}/{id} -----------------------------------------------------------

asio::awaitable<http::Response> get_metadata(RequestContext& context, const ObjectPath& path) {
  // On an edge a query goes through the metamanager (which may ask the cloud on a local miss).
  if (context.meta) {
    auto object = co_await context.meta->app_query(key_of(path));
    if (!object) co_return context.error(object.status());
    co_return http::Response::json(200, metadata_to_text(object->metadata, /*pretty=*/true));
  }
  // The cloud's hottest read: the text comes rendered with the cached row.
  auto snapshot = context.objects.get_object_snapshot(key_of(path));
  if (!snapshot) co_return context.error(snapshot.status());
  co_return http::Response::json(200, (*snapshot)->metadata_text);
}

asio::awaitable<http::Response> put_metadata(RequestContext& context, const ObjectPath& path) {
  const std::string& text = context.request.body();
  if (text.empty()) co_return context.error(Status::invalid("Invalid JSON for update. Error: EOF"));
  if (!json_nesting_within(text)) co_return context.error(too_deep());
  auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded()) co_return context.error(Status::invalid("Invalid JSON for update. Error: malformed JSON"));
  if (!body.is_object()) co_return context.error(Status::invalid("Invalid JSON for update: expected an object"));
  const nlohmann::json meta_json = body.contains("meta") ? body["meta"] : nlohmann::json();
  if (meta_json.is_null() || (meta_json.is_object() && meta_json.empty()))
    co_return context.error(Status::invalid("Object's meta data does not contain object's ID", "objectID"));
  auto metadata = metadata_from_json(meta_json);
  if (!metadata) co_return context.error(metadata.status());
  if (Status status = authorize_destinations(context, path, *metadata); !status) co_return context.error(status);

  std::optional<std::string> inline_data;
  if (body.contains("data") && !body["data"].is_null()) {
    if (!body["data"].is_string())
      co_return context.error(Status::invalid("Invalid JSON for field data: expected base64 text", "data"));
    inline_data = base64_decode(body["data"].get<std::string>());
    if (!inline_data) co_return context.error(Status::invalid("data is not valid base64", "data"));
  }
  Status status;
  if (context.meta) {
    status = co_await context.meta->app_put_object(key_of(path), std::move(*metadata), std::move(inline_data),
                                                   context.caller);
  } else {
    status =
        co_await context.objects.put_object(key_of(path), std::move(*metadata), std::move(inline_data), context.caller);
  }
  co_return status ? no_content() : context.error(status);
}

// ---- /objects/{org}/{type}/{id}/data -------------------------------------------------------

http::Response get_data(RequestContext& context, const ObjectPath& path) {
  auto download = context.objects.open_data(key_of(path));
  if (!download) return context.error(download.status());

  return stream_data(context, *download);
}

asio::awaitable<http::Response> put_data(RequestContext& context, const ObjectPath& path) {
  std::optional<ContentRange> content_range;
  if (auto header = context.request.header("Content-Range")) {
    auto parsed = parse_content_range(*header);
    if (!parsed) co_return context.error(parsed.status());
    content_range = *parsed;
    if (auto length = context.request.content_length(); length && *length != content_range->range.length())
      co_return context.error(Status::invalid("Content-Length does not match Content-Range", "Content-Range"));
  }
  auto slot = TransferSlot::acquire(context.active_transfers, context.config.max_concurrent_transfers);
  if (!slot) co_return context.error(too_many_transfers());

  http::Request& request = context.request;
  BodyReader read_body = [&request](std::span<char> buffer) { return request.read_body_some(buffer); };
  Status status;
  if (context.meta) {
    status = co_await context.meta->app_put_data(key_of(path), content_range, std::move(read_body));
  } else {
    status = co_await context.objects.put_data(key_of(path), content_range, std::move(read_body));
  }
  co_return status ? no_content() : context.error(status);
}

// ---- marks, status, activate ----------------------------------------------------------------

asio::awaitable<http::Response> put_mark(RequestContext& context, const ObjectPath& path, Mark mark) {
  Status status;
  if (context.meta) {
    status = co_await context.meta->app_mark(key_of(path), mark);
  } else {
    status = co_await context.objects.mark(key_of(path), mark);
  }
  co_return status ? no_content() : context.error(status);
}

http::Response get_status(RequestContext& context, const ObjectPath& path) {
  auto object = context.objects.get_object(key_of(path));
  if (!object) return context.error(object.status());
  // MMS writes this content type, misspelt; its clients read the body whatever the type.
  return http::Response::text(200, std::string(to_string(object->status)), "plain/text");
}

}  // namespace

asio::awaitable<http::Response> handle_objects(RequestContext& context, const ObjectPath& path) {
  const std::string_view method = context.request.method();
  const bool read = method == "GET" || method == "HEAD";
  if (Status status = authorize(context, path, read ? Access::kRead : Access::kWrite); !status)
    co_return context.error(status);

  if (path.depth == 1) {
    if (read) co_return co_await list_updated(context, path);
    if (method == "PUT") co_return co_await put_webhook(context, path);
    co_return http::Response::empty(405);
  }
  if (path.depth == 2) {
    if (read) co_return co_await get_metadata(context, path);
    if (method == "PUT") co_return co_await put_metadata(context, path);
    if (method == "DELETE") {
      Status status;
      if (context.meta) {
        status = co_await context.meta->app_delete(key_of(path));
      } else {
        status = co_await context.objects.delete_object(key_of(path));
      }
      co_return status ? no_content() : context.error(status);
    }
    co_return http::Response::empty(405);
  }

  const std::string& operation = path.operation;
  if (operation == "data") {
    if (read) co_return get_data(context, path);
    if (method == "PUT") co_return co_await put_data(context, path);
    co_return http::Response::empty(405);
  }
  if (operation == "status") {
    if (read) co_return get_status(context, path);
    co_return http::Response::empty(405);
  }
  const std::pair<const char*, Mark> marks[] = {
      {"received", Mark::kReceived}, {"consumed", Mark::kConsumed}, {"deleted", Mark::kDeleted}};
  for (const auto& [name, mark] : marks) {
    if (operation != name) continue;
    if (method == "PUT") co_return co_await put_mark(context, path, mark);
    co_return http::Response::empty(405);
  }
  if (operation == "destinations") co_return co_await handle_object_destinations(context, path);
  if (operation == "activate") {
    if (method != "PUT") co_return http::Response::empty(405);
    Status status;
    if (context.meta) {
      status = co_await context.meta->app_activate(key_of(path));
    } else {
      status = co_await context.objects.activate(key_of(path));
    }
    co_return status ? no_content() : context.error(status);
  }
  // MMS answers 400 with no body; the same status, saying why.
  co_return context.error(Status::invalid("unknown object operation: " + operation, "operation"));
}

}  // namespace edgesync
