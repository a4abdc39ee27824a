// The cloud's /spi/v1 endpoints (reference/spi-wire.md, mms-reference.md §3.2): HTTP in, CloudSync
// call, HTTP out. Every call names its node in X-Sync-Service-Dest, which must be the caller itself
// (or an admin of the node's org); an unknown node gets 424 on object calls, 404 on register/ping.
#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/json_limits.hpp"
#include "common/json_text.hpp"
#include "common/metadata_codec.hpp"
#include "common/names.hpp"
#include "server/api/data_transfer.hpp"
#include "server/api/http_errors.hpp"
#include "server/api/request_context.hpp"

namespace edgesync {

namespace asio = boost::asio;

namespace {

constexpr size_t kMaxItemsPerPoll = 256;

http::Response no_content() {
  return http::Response::empty(204);
}

// The node named by X-Sync-Service-Dest, if the caller may act as it.
Result<NodeAddress> calling_node(RequestContext& context) {
  auto header = context.request.header("X-Sync-Service-Dest");
  if (!header) return Status::forbidden();
  auto key = parse_resource_key(*header);
  if (!key || key->is_type_wide()) return Status::forbidden();
  NodeAddress node{key->org, key->object_type, key->object_id};
  const Identity& caller = context.caller;
  const bool itself = caller.role == Role::kEdgeNode && caller.org == node.org && caller.dest_type == node.dest_type &&
                      caller.dest_id == node.dest_id;
  const bool admin = caller.role == Role::kSyncAdmin || (caller.role == Role::kAdmin && caller.org == node.org);
  if (!itself && !admin) return Status::forbidden();
  return node;
}

// Maps a CloudSync answer: 204, 409 ("ignored, treat as acknowledged"), or the error.
http::Response answer(RequestContext& context, const Status& status) {
  if (status) return no_content();
  if (status.code() == StatusCode::kConflict) return http::Response::empty(409);
  if (status.code() == StatusCode::kNotFound) return http::Response::empty(404);
  return context.error(status);
}

http::Response failed_dependency() {
  return http::Response::empty(424);
}

asio::awaitable<http::Response> poll(RequestContext& context, CloudSync& sync, const NodeAddress& node) {
  const auto wait = wait_param(context);
  if (!wait) co_return context.error(wait.status());
  if (!sync.is_registered(node)) co_return failed_dependency();
  // A polling node is alive: it is not reported lost (and is reported back if it was).
  if (Status contact = co_await sync.note_contact(node); !contact) co_return context.error(contact);
  const auto deadline = std::chrono::steady_clock::now() + *wait;
  const uint64_t this_poll = sync.waiters().begin_poll(node);
  while (true) {
    // A newer poll of the node has come: this one's client has gone; hand no work to nobody.
    if (!sync.waiters().is_current_poll(node, this_poll)) break;
    // The generation first: a commit after this read wakes the wait below even if it came before it.
    const uint64_t generation = sync.waiters().generation(node);
    int64_t next_due_ms = 0;
    auto items = sync.pending_items(node, kMaxItemsPerPoll, &next_due_ms);
    if (!items) co_return context.error(items.status());
    if (!items->empty()) {
      if (Status recorded = co_await sync.record_attempts(node, *items); !recorded) co_return context.error(recorded);
      nlohmann::json answer = nlohmann::json::array();
      for (const auto& item : *items) {
        answer.push_back({{"Type", item.type}, {"MetaData", metadata_to_json(item.metadata)}});
      }
      co_return http::Response::json(200, json_text(answer, 2));
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    // A notification waiting for its retry wakes the poll when it becomes due.
    if (next_due_ms > 0) {
      const auto now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      left = std::min(left, std::chrono::milliseconds(std::max<int64_t>(next_due_ms - now_ms, 1)));
    }
    if (left.count() <= 0) break;
    // Parked long on a shared database, the poll renews its node's contact now and then: the lease
    // holder reporting lost nodes may be another instance, blind to the polls parked here.
    const auto refresh = sync.contact_refresh();
    const bool renewing = refresh.count() > 0 && refresh < left;
    if (renewing) left = refresh;
    if (!co_await sync.waiters().wait(node, generation, left)) {
      if (!renewing || sync.waiters().stopped()) break;
      if (Status contact = co_await sync.note_contact(node); !contact) co_return context.error(contact);
    }
  }
  http::Response nothing = no_content();
  // Tells an edgesync edge that this cloud holds polls open (an MMS cloud answers at once).
  if (wait->count() > 0) nothing.set_header("X-Edgesync-Long-Poll", "1");
  co_return nothing;
}

struct ObjectCall {
  ResourceKey key;
  int64_t instance_id = 0;
  int64_t data_id = 0;
  std::string action;
};

// /spi/v1/objects/{org}/{type}/{id}/{instanceID}/{dataID}/{action}
Result<ObjectCall> parse_object_call(const std::vector<std::string>& segments) {
  ObjectCall call;
  call.key = {segments[3], segments[4], segments[5]};
  for (const auto* part : {&call.key.org, &call.key.object_type, &call.key.object_id}) {
    if (!is_valid_name(*part)) return Status::invalid("(" + html_escape(*part) + ") contains invalid characters");
  }
  auto instance = parse_int64(segments[6]);
  auto data = parse_int64(segments[7]);
  if (!instance || !data) return Status::invalid("instanceID and dataID must be integers");
  call.instance_id = *instance;
  call.data_id = *data;
  call.action = segments[8];
  return call;
}

asio::awaitable<http::Response> object_call(RequestContext& context, CloudSync& sync, const NodeAddress& node,
                                            const ObjectCall& call) {
  const std::string_view method = context.request.method();
  if (call.key.org != node.org) co_return context.error(Status::forbidden());
  if (!sync.is_registered(node)) co_return failed_dependency();
  // A polling node is alive: it is not reported lost (and is reported back if it was).
  if (Status contact = co_await sync.note_contact(node); !contact) co_return context.error(contact);
  if (call.action != "data" || method != "GET") sync.waiters().retire_polls(node);
  if (call.action == "data") {
    if (method == "GET") {
      auto download = sync.open_data(node, call.key, call.data_id);
      if (!download) co_return answer(context, download.status());
      http::Response response = stream_data(context, *download);
      // edgesync's end-to-end check: the receiver verifies the bytes it assembled against this.
      if (!download->sha256.empty()) response.set_header("X-Edgesync-Sha256", download->sha256);
      co_return response;
    }
    if (method != "PUT") co_return http::Response::empty(405);
    std::optional<ContentRange> range;
    if (auto header = context.request.header("Content-Range")) {
      auto parsed = parse_content_range(*header);
      if (!parsed) co_return context.error(parsed.status());
      range = *parsed;
    }
    auto slot = TransferSlot::acquire(context.active_transfers, context.config.max_concurrent_transfers);
    if (!slot) co_return context.error(too_many_transfers());
    http::Request& request = context.request;
    BodyReader read_body = [&request](std::span<char> buffer) { return request.read_body_some(buffer); };
    Status status = co_await sync.receive_data(node, call.key, call.instance_id, range, std::move(read_body));
    co_return answer(context, status);
  }
  if (method != "PUT") co_return http::Response::empty(405);
  if (!json_nesting_within(context.request.body()))
    co_return context.error(Status::invalid("Invalid JSON: nested too deep"));
  Status status =
      co_await sync.notification(node, call.key, call.instance_id, call.data_id, call.action, context.request.body());
  co_return answer(context, status);
}

// PUT /spi/v1/metasync/{org}/{type}/{id}: {"objects":[{"objectType","objectID","instanceID","status"}]}
asio::awaitable<http::Response> metasync(RequestContext& context, CloudSync& sync, const NodeAddress& node) {
  if (context.request.method() != "PUT") co_return http::Response::empty(405);
  if (!sync.is_registered(node)) co_return failed_dependency();
  // A polling node is alive: it is not reported lost (and is reported back if it was).
  if (Status contact = co_await sync.note_contact(node); !contact) co_return context.error(contact);
  auto body = nlohmann::json::parse(context.request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("objects") || !body["objects"].is_array())
    co_return context.error(Status::invalid("Invalid JSON for a status snapshot: expected {\"objects\": […]}"));
  std::vector<NodeObjectStatus> statuses;
  for (const auto& entry : body["objects"]) {
    if (!entry.is_object() || !entry.value("objectType", nlohmann::json()).is_string() ||
        !entry.value("objectID", nlohmann::json()).is_string() ||
        !entry.value("status", nlohmann::json()).is_string() ||
        !entry.value("instanceID", nlohmann::json()).is_number_integer())
      co_return context.error(Status::invalid("Each status needs objectType, objectID, instanceID and status"));
    statuses.push_back({{node.org, entry["objectType"].get<std::string>(), entry["objectID"].get<std::string>()},
                        entry["instanceID"].get<int64_t>(),
                        entry["status"].get<std::string>()});
  }
  auto gone = co_await sync.apply_status_snapshot(node, std::move(statuses));
  if (!gone) co_return context.error(gone.status());
  nlohmann::json answer = {{"gone", nlohmann::json::array()}};
  for (const auto& key : *gone)
    answer["gone"].push_back({{"objectType", key.object_type}, {"objectID", key.object_id}});
  co_return http::Response::json(200, json_text(answer));
}

}  // namespace

asio::awaitable<http::Response> handle_spi(RequestContext& context, const std::vector<std::string>& segments) {
  CloudSync* sync = context.sync;
  if (!sync || segments.size() < 3) co_return no_such_route();  // an edge serves no SPI
  auto node = calling_node(context);
  if (!node) co_return context.error(node.status());
  const std::string_view method = context.request.method();
  const std::string& call = segments[2];

  if ((call == "register" || call == "register-new" || call == "ping" || call == "unregister" || call == "metasync") &&
      segments.size() == 6) {
    const NodeAddress named{segments[3], segments[4], segments[5]};
    if (named != *node) co_return context.error(Status::forbidden());
    if (call == "metasync") co_return co_await metasync(context, *sync, *node);
    if (method != "PUT") co_return http::Response::empty(405);
    sync->waiters().retire_polls(*node);
    Status status;
    if (call == "register" || call == "register-new") {
      const auto persistent = context.request.query_param("persistent-storage");
      status = co_await sync->register_node(*node, !persistent || *persistent != "false", call == "register-new");
      if (status) spdlog::info("node {} registered{}", node->to_string(), call == "register-new" ? " as new" : "");
    } else if (call == "ping") {
      status = co_await sync->ping(*node);
    } else {
      status = co_await sync->unregister(*node);
    }
    co_return answer(context, status);
  }
  if (call == "query" && segments.size() == 6) {  // extension: remote query
    if (method != "GET") co_return http::Response::empty(405);
    if (!sync->is_registered(*node)) co_return failed_dependency();
    auto metadata = sync->query(*node, {segments[3], segments[4], segments[5]});
    if (!metadata) co_return answer(context, metadata.status());
    co_return http::Response::json(200, metadata_to_text(*metadata, true));
  }
  if (call == "objects") {
    if (segments.size() == 3) {
      if (method != "GET") co_return http::Response::empty(405);
      co_return co_await poll(context, *sync, *node);
    }
    if (segments.size() == 5 && segments[4] == "resend") {
      if (method != "PUT") co_return http::Response::empty(405);
      if (segments[3] != node->org) co_return context.error(Status::forbidden());
      if (!sync->is_registered(*node)) co_return failed_dependency();
      sync->waiters().retire_polls(*node);
      co_return answer(context, co_await sync->resend(*node));
    }
    if (segments.size() == 9) {
      auto parsed = parse_object_call(segments);
      if (!parsed) co_return context.error(parsed.status());
      co_return co_await object_call(context, *sync, *node, *parsed);
    }
  }
  co_return no_such_route();
}

}  // namespace edgesync
