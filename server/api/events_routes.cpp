// The event stream (README "API extensions"):
//   GET /api/v1/events/{orgID}?since=SEQ&wait=S&limit=N   (cloud)
//   GET /api/v1/events?since=SEQ&wait=S&limit=N           (edge: the node's own org)
// 200 application/x-ndjson, one event per line, oldest first, each with its "seq"; X-Edgesync-Last-Seq
// is the sequence to resume from (the last one examined, so an empty answer still moves a client on).
// since=0 (the default) starts at the oldest event retained; a since older than what pruning removed,
// or newer than the org's newest event, answers 410 naming the oldest available sequence. wait=S holds the request
// until an event newer than since commits (the store's event listener wakes it) or S seconds pass.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>

#include "common/json_text.hpp"
#include "common/names.hpp"
#include "common/time_format.hpp"
#include "server/api/acl_access.hpp"
#include "server/api/http_errors.hpp"
#include "server/api/request_context.hpp"
#include "server/auth/authorizer.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

constexpr int64_t kDefaultLimit = 1000;
constexpr int64_t kMaxLimit = 10000;
constexpr const char* kLastSeqHeader = "X-Edgesync-Last-Seq";
// Batches of events hidden from a caller skipped in one answer before it returns empty (the header still
// moves the caller on): a user who may see little of a large backlog never holds an io thread long.
constexpr int kMaxHiddenBatches = 8;

// An integer query parameter in [minimum, maximum], or `fallback` when absent.
Result<int64_t> integer_param(const RequestContext& context, const char* name, int64_t minimum, int64_t maximum,
                              int64_t fallback, const std::string& what) {
  auto given = context.request.query_param(name);
  if (!given) return fallback;
  auto value = parse_int64(*given);
  if (!value || *value < minimum || *value > maximum)
    return Status::invalid(std::string(name) + " must be " + what, name);
  return *value;
}

// Which events of the org the caller may see: all of them (admins of the org, sync admins, anyone of an
// edge's org), or those about object types its ACLs let it read (regular and node users).
class Visibility {
 public:
  Visibility(RequestContext& context, const std::string& org) : context_(context), org_(org) {}

  Status check_caller() {
    const Identity& caller = context_.caller;
    const NodeIdentity& node = context_.objects.node();
    // Edge-node credentials are for the cloud-edge protocol only.
    if (caller.role == Role::kEdgeNode) return Status::forbidden();
    if (caller.role == Role::kSyncAdmin) {
      sees_all_ = true;
      return Status::ok();
    }
    if (caller.org != org_) return Status::forbidden();
    sees_all_ = !node.is_cloud() || caller.role == Role::kAdmin || caller.role == Role::kObjectAdmin;
    return Status::ok();
  }

  Result<bool> may_see(const Event& event) {
    if (sees_all_) return true;
    if (event.object_type.empty()) return false;  // node events: the org's admins only
    auto known = by_type_.find(event.object_type);
    if (known != by_type_.end()) return known->second;
    auto grant = object_acl_grant(context_.store, context_.caller, org_, event.object_type);
    if (!grant) return grant.status();
    const bool allowed = authorize_object_access(context_.caller, NodeMode::kCloud, "", org_, event.object_type,
                                                 Access::kRead, false, *grant)
                             .is_ok();
    by_type_.emplace(event.object_type, allowed);
    return allowed;
  }

 private:
  RequestContext& context_;
  const std::string& org_;
  bool sees_all_ = false;
  std::map<std::string, bool> by_type_;  // the ACLs are read once per type and request
};

nlohmann::json event_json(const Event& event) {
  nlohmann::json json = {{"seq", event.seq},
                         {"time", format_rfc3339(SystemTime(std::chrono::milliseconds(event.time_ms)))},
                         {"type", event.type},
                         {"orgID", event.org}};
  if (!event.object_type.empty()) {
    json["objectType"] = event.object_type;
    json["objectID"] = event.object_id;
  }
  if (event.instance_id != 0) json["instanceID"] = event.instance_id;
  if (!event.dest_type.empty()) {
    json["destinationType"] = event.dest_type;
    json["destinationID"] = event.dest_id;
  }
  if (event.type == event_type::kDestinationStatusChanged) {
    json["status"] = event.status;
    json["previousStatus"] = event.previous_status.empty() ? nlohmann::json() : nlohmann::json(event.previous_status);
  }
  if (!event.detail.empty()) json["detail"] = event.detail;
  return json;
}

// 410: the events right after `since` were pruned, or `since` is newer than any event of the org (a
// sequence from another server, or from before the store was reset: waiting for it would silently skip
// every event up to it). Always JSON (a new endpoint, no MMS client to keep happy), with the sequence a
// client can restart from, which the generic error body has no slot for.
Result<http::Response> gone(RequestContext& context, const std::string& org, int64_t since, int64_t pruned_through,
                            int64_t last_seq) {
  auto first = context.store.list_events(org, pruned_through, 1);
  if (!first) return first.status();
  const int64_t oldest = first->empty() ? pruned_through + 1 : first->front().seq;
  const std::string why = since > last_seq
                              ? "Sequence " + std::to_string(since) + " is newer than the newest event (" +
                                    std::to_string(last_seq) + "): it is not from this server's event store"
                              : "Events after sequence " + std::to_string(since) + " are no longer retained";
  nlohmann::json body = {{"error", why + "; the oldest available is " + std::to_string(oldest)},
                         {"field", "since"},
                         {"oldestSeq", oldest}};
  auto response = http::Response::json(410, json_text(body) + "\n");
  response.set_header(kLastSeqHeader, std::to_string(pruned_through));
  return response;
}

}  // namespace

asio::awaitable<http::Response> handle_events(RequestContext& context, const std::vector<std::string>& segments) {
  const NodeIdentity& node = context.objects.node();
  const size_t expected = node.is_cloud() ? 4 : 3;
  if (segments.size() > expected) co_return no_such_route();
  if (segments.size() < expected)
    co_return context.error(Status::invalid("The URL must name an organization", "orgID"));
  if (context.request.method() != "GET") co_return http::Response::empty(405);
  const std::string org = node.is_cloud() ? segments[3] : node.org;
  if (!is_valid_name(org))
    co_return context.error(
        Status::invalid("Organization ID (" + html_escape(org) + ") contains invalid characters", "orgID"));

  Visibility visibility(context, org);
  if (Status status = visibility.check_caller(); !status) co_return context.error(status);

  auto since = integer_param(context, "since", 0, INT64_MAX, 0, "a sequence number (0 or more)");
  if (!since) co_return context.error(since.status());
  const auto wait = wait_param(context);
  if (!wait) co_return context.error(wait.status());
  auto limit = integer_param(context, "limit", 1, kMaxLimit, kDefaultLimit,
                             "a number of events from 1 to " + std::to_string(kMaxLimit));
  if (!limit) co_return context.error(limit.status());

  auto window = context.store.event_window(org);
  if (!window) co_return context.error(window.status());
  int64_t after = *since;
  if (after == 0) {
    after = window->pruned_through;  // from the oldest retained
  } else if (after < window->pruned_through || after > window->last_seq) {
    auto response = gone(context, org, after, window->pruned_through, window->last_seq);
    co_return response ? std::move(*response) : context.error(response.status());
  }

  const NodeAddress waiter_key = event_stream_key(org);
  const auto deadline = std::chrono::steady_clock::now() + *wait;
  std::string body;
  int hidden_batches = 0;
  while (true) {
    // The generation first: an event committed after this read wakes the wait below even if it
    // committed before the wait began.
    const uint64_t generation = context.event_waiters ? context.event_waiters->generation(waiter_key) : 0;
    auto events = context.store.list_events(org, after, static_cast<size_t>(*limit));
    if (!events) co_return context.error(events.status());
    for (const auto& event : *events) {
      auto visible = visibility.may_see(event);
      if (!visible) co_return context.error(visible.status());
      if (*visible) body += json_text(event_json(event)) + "\n";
    }
    if (!events->empty()) after = events->back().seq;
    if (!body.empty()) break;
    if (!events->empty()) {  // all hidden from this caller: look further at once, a few batches at most
      if (++hidden_batches >= kMaxHiddenBatches) break;
      continue;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!context.event_waiters || left.count() <= 0) break;
    if (!co_await context.event_waiters->wait(waiter_key, generation, left)) break;
  }
  auto response = http::Response::text(200, std::move(body), "application/x-ndjson");
  response.set_header(kLastSeqHeader, std::to_string(after));
  co_return response;
}

}  // namespace edgesync
