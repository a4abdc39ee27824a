#include "server/api/api_handler.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "common/names.hpp"
#include "server/api/http_errors.hpp"
#include "server/api/request_context.hpp"
#include "server/api/routes.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

Status check_path_name(const std::string& value, const char* what, const char* field) {
  if (is_valid_name(value)) return Status::ok();
  return Status::invalid(std::string(what) + " (" + html_escape(value) + ") contains invalid characters", field);
}

// Splits /api/v1/objects/... into an ObjectPath; the org comes from the path on a cloud and from the
// node's identity on an edge.
Result<ObjectPath> parse_object_path(const std::vector<std::string>& segments, const NodeIdentity& node) {
  ObjectPath path;
  size_t next = 3;  // after "api", "v1", "objects"
  if (node.is_cloud()) {
    if (segments.size() <= next) return Status::invalid("The URL must name an organization", "orgID");
    path.org = segments[next++];
    if (Status status = check_path_name(path.org, "Organization ID", "orgID"); !status) return status;
  } else {
    path.org = node.org;
  }
  const size_t remaining = segments.size() - next;
  // MMS answers these with an empty 400; this one says why. (The org-wide queries of MMS,
  // ?destination_policy and ?filters, are not served yet: README "Compatibility".)
  if (remaining == 0)
    return Status::invalid("The URL must name an object type: /api/v1/objects/" +
                               std::string(node.is_cloud() ? "{orgID}/" : "") + "{objectType}",
                           "objectType");
  if (remaining > 3)
    return Status::invalid("Too many path segments after /api/v1/objects: at most {objectType}/{objectID}/{operation}",
                           "path");
  path.depth = static_cast<int>(remaining);
  path.object_type = segments[next];
  if (Status status = check_path_name(path.object_type, "object Type", "objectType"); !status) return status;
  if (remaining >= 2) {
    path.object_id = segments[next + 1];
    if (Status status = check_path_name(path.object_id, "object ID", "objectID"); !status) return status;
  }
  if (remaining == 3) path.operation = segments[next + 2];
  return path;
}

}  // namespace

ApiHandler::ApiHandler(ObjectService& objects, Store& store, const Authenticator& authenticator,
                       const HttpConfig& config, CloudSync* sync, meta::MetaManager* meta, NodeWaiters* event_waiters)
    : objects_(objects),
      store_(store),
      sync_(sync),
      meta_(meta),
      event_waiters_(event_waiters),
      authenticator_(authenticator),
      config_(config),
      cloud_(objects.node().is_cloud()) {}

http::BodyMode ApiHandler::body_mode(std::string_view method, std::string_view target) const {
  // Only object data is large; it streams. Everything else is bounded by http.max_metadata_bytes.
  const std::string_view path = path_of(target);
  if (method == "PUT" && (ends_with(path, "/data") || ends_with(path, "/data/"))) return http::BodyMode::kStreamed;
  return http::BodyMode::kBuffered;
}

asio::awaitable<http::Response> ApiHandler::handle(http::Request& request) {
  const uint64_t request_number = ++client_requests_;
  const auto segments = http::split_path(request.path());

  const bool spi = segments.size() >= 3 && segments[0] == "spi" && segments[1] == "v1";
  const bool api = segments.size() >= 3 && segments[0] == "api" && segments[1] == "v1";
  const bool metrics = segments.size() == 1 && segments[0] == "metrics";
  if (!spi && !api && !metrics) co_return no_such_route();

  auto caller = authenticator_.authenticate(request.header("Authorization"));
  if (!caller) {
    const uint64_t failures = ++auth_failures_;
    // Rate-limited by powers of two: a guessing attacker must not be able to flood the log.
    if ((failures & (failures - 1)) == 0)
      spdlog::warn("refused credentials on {} {} ({} refusal(s) so far)", request.method(), request.path(), failures);
    co_return error_response(caller.status(), wants_json_errors(request));
  }

  RequestContext context{request,        *caller, objects_,          store_,   sync_,         meta_,
                         event_waiters_, config_, active_transfers_, started_, request_number};
  context.auth_failures = auth_failures_.load(std::memory_order_relaxed);
  context.request_metrics = &request_metrics_;
  context.metrics_sources = &metrics_sources_;
  if (metrics) co_return handle_metrics(context);
  if (spi) co_return co_await handle_spi(context, segments);
  const std::string& collection = segments[2];
  if (collection == "destinations") co_return co_await handle_destinations(context, segments);
  if (collection == "security") co_return co_await handle_security(context, segments);
  if (collection == "organizations") co_return co_await handle_organizations(context, segments);
  if (collection == "events") co_return co_await handle_events(context, segments);
  if (collection == "resend" && segments.size() == 3) co_return handle_resend(context);
  if (collection == "health" && segments.size() == 3) co_return handle_health(context);
  if (collection == "objects") {
    auto path = parse_object_path(segments, objects_.node());
    if (!path) co_return context.error(path.status());
    co_return co_await handle_objects(context, *path);
  }
  co_return no_such_route();
}

void ApiHandler::request_done(const http::RequestRecord& record) noexcept {
  const size_t route = route_index_of(record.method, record.target, cloud_);
  request_metrics_.record(route, record.method, record.status, record.duration, record.bytes_in, record.bytes_out);
  if (!spdlog::should_log(spdlog::level::debug)) return;
  try {
    // The path without its query (a query value may carry a secret); never a header.
    const std::string_view path = path_of(record.target);
    spdlog::debug("request method={} route={} path={} status={} duration_ms={:.3f} bytes_in={} bytes_out={} remote={}",
                  record.method, route == unmatched_route_index() ? kUnmatchedRoute : all_routes()[route].path, path,
                  record.status, static_cast<double>(record.duration.count()) / 1000.0, record.bytes_in,
                  record.bytes_out, record.remote);
  } catch (...) {
    // A log line is not worth failing the connection for.
  }
}

std::optional<int64_t> parse_int64(const std::string& text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<std::chrono::seconds> wait_param(const RequestContext& context) {
  const auto given = context.request.query_param("wait");
  if (!given) return std::chrono::seconds(0);
  const auto seconds = parse_int64(*given);
  if (!seconds || *seconds < 0 || *seconds > kMaxWaitSeconds)
    return Status::invalid("wait must be a number of seconds from 0 to " + std::to_string(kMaxWaitSeconds), "wait");
  return std::chrono::seconds(*seconds);
}

http::Response RequestContext::error(const Status& status) const {
  return error_response(status, wants_json_errors(request));
}

}  // namespace edgesync
