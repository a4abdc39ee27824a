#include "server/metamanager/meta_manager.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "common/metadata_codec.hpp"
#include "server/objects/async_store.hpp"
#include "server/objects/object_rules.hpp"

namespace edgesync::meta {

namespace asio = boost::asio;

struct MetaManager::Timer {
  explicit Timer(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
};

namespace {

// What JSON cannot carry travels as the message's attachment.
struct AppObjectPut {
  std::optional<std::string> inline_data;
  Identity caller;
};
struct AppDataPut {
  std::optional<ContentRange> range;
  BodyReader read_body;
};

const char* outcome_name(ReceiveOutcome outcome) {
  switch (outcome) {
    case ReceiveOutcome::kStale: return "stale";
    case ReceiveOutcome::kUnchanged: return "unchanged";
    case ReceiveOutcome::kNeedsData: return "needsData";
    case ReceiveOutcome::kComplete: return "complete";
  }
  return "";
}

std::optional<ReceiveOutcome> outcome_of(const std::string& name) {
  for (auto outcome :
       {ReceiveOutcome::kStale, ReceiveOutcome::kUnchanged, ReceiveOutcome::kNeedsData, ReceiveOutcome::kComplete}) {
    if (name == outcome_name(outcome)) return outcome;
  }
  return std::nullopt;
}

Message answer(const Message& request, const Status& status, nlohmann::json content = "OK") {
  return status ? request.response(std::move(content)) : request.error(status);
}

}  // namespace

MetaManager::MetaManager(asio::any_io_executor executor, ObjectService& objects, Store& store, EdgeRouter& router,
                         Options options)
    : objects_(objects),
      store_(store),
      router_(router),
      options_(options),
      timer_(std::make_unique<Timer>(executor)),
      dispatcher_(executor, [this](Message message) { return handle(std::move(message)); }) {}

MetaManager::~MetaManager() = default;

void MetaManager::set_cloud_link(CloudLink* link) {
  link_.store(link);
  router_.set_cloud_link(link);
}

void MetaManager::start() {
  asio::co_spawn(timer_->timer.get_executor(), metasync_loop(), asio::detached);
}

void MetaManager::stop() {
  stopped_ = true;
  asio::post(timer_->timer.get_executor(), [this] { timer_->timer.cancel(); });
}

asio::awaitable<void> MetaManager::metasync_loop() {
  while (!stopped_) {
    timer_->timer.expires_after(options_.sync_interval);
    co_await timer_->timer.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled at stop()
    if (stopped_) break;
    if (!connected_) continue;  // the next interval will do; the cloud cannot hear us now
    Status status = co_await metasync();
    if (!status) spdlog::warn("metasync failed: {}", status.message());
  }
}

asio::awaitable<Status> MetaManager::call_for_status(Message message) {
  Message reply = co_await dispatcher_.call(std::move(message));
  co_return reply.status();
}

// ---- typed entry points ---------------------------------------------------------------------

asio::awaitable<Status> MetaManager::app_put_object(const ResourceKey& key, ObjectMetadata metadata,
                                                    std::optional<std::string> inline_data, const Identity& caller) {
  nlohmann::json content = {{"metadata", metadata_to_json(metadata)}};
  Message message = Message::make(module::kApp, op::kUpdate, resource_of(key), content);
  message.attachment = AppObjectPut{std::move(inline_data), caller};
  co_return co_await call_for_status(std::move(message));
}

asio::awaitable<Status> MetaManager::app_put_data(const ResourceKey& key, std::optional<ContentRange> range,
                                                  BodyReader read_body) {
  nlohmann::json content = {{"data", true}};
  Message message = Message::make(module::kApp, op::kUpdate, resource_of(key), content);
  message.attachment = AppDataPut{range, std::move(read_body)};
  co_return co_await call_for_status(std::move(message));
}

asio::awaitable<Status> MetaManager::app_delete(const ResourceKey& key) {
  co_return co_await call_for_status(Message::make(module::kApp, op::kDelete, resource_of(key)));
}

asio::awaitable<Status> MetaManager::app_mark(const ResourceKey& key, Mark mark) {
  const char* name = mark == Mark::kReceived ? "received" : mark == Mark::kConsumed ? "consumed" : "deleted";
  nlohmann::json content = {{"mark", name}};
  co_return co_await call_for_status(Message::make(module::kApp, op::kResponse, resource_of(key), content));
}

asio::awaitable<Status> MetaManager::app_activate(const ResourceKey& key) {
  nlohmann::json content = {{"activate", true}};
  co_return co_await call_for_status(Message::make(module::kApp, op::kUpdate, resource_of(key), content));
}

asio::awaitable<Result<StoredObject>> MetaManager::app_query(const ResourceKey& key) {
  Message reply = co_await dispatcher_.call(Message::make(module::kApp, op::kQuery, resource_of(key)));
  if (reply.is_error()) co_return reply.status();
  if (const auto* object = std::any_cast<StoredObject>(&reply.attachment)) co_return *object;
  co_return Status::internal("query answered without an object");
}

asio::awaitable<Result<ReceiveOutcome>> MetaManager::cloud_update(ObjectMetadata metadata) {
  const ResourceKey key{metadata.destination_org_id, metadata.object_type, metadata.object_id};
  nlohmann::json content = {{"metadata", metadata_to_json(metadata)}};
  Message reply = co_await dispatcher_.call(Message::make(module::kCloud, op::kUpdate, resource_of(key), content));
  if (reply.is_error()) co_return reply.status();
  auto outcome = outcome_of(reply.content.value("outcome", std::string()));
  if (!outcome) co_return Status::internal("update answered without an outcome");
  co_return *outcome;
}

asio::awaitable<Status> MetaManager::cloud_data(const ResourceKey& key, int64_t instance_id, StoredData data) {
  nlohmann::json content = {{"instanceID", instance_id}, {"data", {{"size", data.size}, {"sha256", data.sha256}}}};
  Message message = Message::make(module::kCloud, op::kUpdate, resource_of(key), content);
  message.attachment = std::move(data);
  co_return co_await call_for_status(std::move(message));
}

asio::awaitable<Status> MetaManager::cloud_delete(const ResourceKey& key) {
  co_return co_await call_for_status(Message::make(module::kCloud, op::kDelete, resource_of(key)));
}

asio::awaitable<Status> MetaManager::cloud_response(const ResourceKey& key, const std::string& action,
                                                    int64_t instance_id) {
  nlohmann::json content = {{"action", action}, {"instanceID", instance_id}};
  co_return co_await call_for_status(Message::make(module::kCloud, op::kResponse, resource_of(key), content));
}

asio::awaitable<Status> MetaManager::cloud_item(const ResourceKey& key, const std::string& item_type,
                                                int64_t instance_id) {
  nlohmann::json content = {{"item", item_type}, {"instanceID", instance_id}};
  co_return co_await call_for_status(Message::make(module::kCloud, op::kResponse, resource_of(key), content));
}

void MetaManager::request_resend() {
  if (CloudLink* link = link_.load()) link->request_resend();
}

void MetaManager::node_connection(bool connected) {
  dispatcher_.post(
      Message::make(module::kCloud, op::kNodeConnection, "", connected ? kCloudConnected : kCloudDisconnected));
}

asio::awaitable<Status> MetaManager::metasync() {
  co_return co_await call_for_status(Message::make(module::kMetaManager, op::kMetaSync, ""));
}

// ---- the operations -------------------------------------------------------------------------

asio::awaitable<Message> MetaManager::handle(Message message) {
  const std::string& operation = message.router.operation;
  if (operation == op::kNodeConnection) {
    const bool now_connected = message.content == kCloudConnected;
    if (connected_.exchange(now_connected) != now_connected) {
      if (now_connected) ++connects_;
      spdlog::info("cloud {}", now_connected ? "connected" : "disconnected");
      // The edge's stream shows its link to the cloud as the cloud's node events show edges: the cloud
      // (Cloud/Cloud) registered when the uplink connects, lost when it drops. Only changes are events,
      // so the uplink's retries while the cloud is away add none.
      Event event;
      const NodeAddress& cloud = router_.cloud();
      event.org = cloud.org;
      event.time_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      event.type = now_connected ? event_type::kNodeRegistered : event_type::kNodeLost;
      event.dest_type = cloud.dest_type;
      event.dest_id = cloud.dest_id;
      event.detail = now_connected ? "cloudConnected" : "cloudDisconnected";
      Status recorded = co_await durable_write(
          store_, [&](WriteTransaction& transaction) { return transaction.append_event(event); });
      if (!recorded) spdlog::warn("cannot record the cloud connection event: {}", recorded.message());
    }
    co_return message.response("OK");
  }
  if (operation == op::kMetaSync) co_return co_await handle_metasync(message);

  auto key = key_of_resource(message.router.resource);
  if (!key || key->is_type_wide()) co_return message.error(Status::invalid("the message names no object"));
  const bool from_cloud = message.router.source == module::kCloud;
  if (operation == op::kInsert || operation == op::kUpdate) {
    if (from_cloud) co_return co_await handle_cloud_update(message, *key);
    co_return co_await handle_app_update(message, *key);
  }
  if (operation == op::kDelete) co_return co_await handle_delete(message, *key);
  if (operation == op::kQuery) co_return co_await handle_query(message, *key);
  if (operation == op::kResponse) co_return co_await handle_response(message, *key);
  co_return message.error(Status::invalid("metamanager: unsupported operation " + operation));
}

asio::awaitable<Message> MetaManager::handle_cloud_update(Message& message, const ResourceKey& key) {
  if (message.content.contains("data")) {  // the data of a copy, fetched and verified by the uplink
    const auto* data = std::any_cast<StoredData>(&message.attachment);
    if (!data) co_return message.error(Status::invalid("a data update needs its data"));
    Status status = co_await objects_.receive_data(key, message.content.value("instanceID", int64_t{0}), *data);
    co_return answer(message, status);
  }
  auto metadata = metadata_from_json(message.content.value("metadata", nlohmann::json::object()));
  if (!metadata) co_return message.error(metadata.status());
  auto outcome = co_await objects_.receive_metadata(std::move(*metadata));
  if (!outcome) co_return message.error(outcome.status());
  if (*outcome == ReceiveOutcome::kNeedsData) {
    if (CloudLink* link = link_.load()) link->fetch_data(key);
  }
  nlohmann::json decided = {{"outcome", outcome_name(*outcome)}};
  co_return message.response(std::move(decided));
}

asio::awaitable<Message> MetaManager::handle_app_update(Message& message, const ResourceKey& key) {
  if (message.content.value("activate", false)) co_return answer(message, co_await objects_.activate(key));
  if (auto* data = std::any_cast<AppDataPut>(&message.attachment)) {
    Status status = co_await objects_.put_data(key, data->range, std::move(data->read_body));
    co_return answer(message, status);
  }
  auto* put = std::any_cast<AppObjectPut>(&message.attachment);
  if (!put) co_return message.error(Status::invalid("an application update needs its request"));
  auto metadata = metadata_from_json(message.content.value("metadata", nlohmann::json::object()));
  if (!metadata) co_return message.error(metadata.status());
  // Validated as the cloud validates (the names must be given and equal the URL's; no deleted flag…)
  // before the shortcut below, which must not turn a refused PUT into a 204.
  metadata->destination_org_id = key.org;
  if (Status valid = objects_.check_put(key, *metadata, put->inline_data.has_value()); !valid)
    co_return message.error(valid);
  // resourceUnchanged, generalised: the same metadata again with no new data changes nothing, so it is
  // neither stored again nor sent to the cloud.
  if (!put->inline_data && metadata->source_data_uri.empty()) {
    auto stored = objects_.get_object(key);
    if (stored && stored->originated_here && is_origin_status(stored->status) &&
        same_user_metadata(stored->metadata, *metadata)) {
      nlohmann::json unchanged = {{"unchanged", true}};
      co_return message.response(std::move(unchanged));
    }
  }
  Status status = co_await objects_.put_object(key, std::move(*metadata), std::move(put->inline_data), put->caller);
  co_return answer(message, status);
}

asio::awaitable<Message> MetaManager::handle_delete(Message& message, const ResourceKey& key) {
  if (message.router.source == module::kCloud) co_return answer(message, co_await objects_.receive_delete(key));
  co_return answer(message, co_await objects_.delete_object(key));
}

asio::awaitable<Message> MetaManager::handle_query(Message& message, const ResourceKey& key) {
  auto object = objects_.get_object(key);
  if (object) {
    Message reply = message.response({{"metadata", metadata_to_json(object->metadata)}});
    reply.attachment = std::move(*object);
    co_return reply;
  }
  if (object.status().code() != StatusCode::kNotFound) co_return message.error(object.status());
  CloudLink* link = link_.load();
  if (!connected_ || !link) co_return message.error(Status::not_found());  // offline: the store is all we know
  auto remote = co_await link->remote_query(key);
  if (!remote) {
    if (remote.status().code() == StatusCode::kNotFound) co_return message.error(Status::not_found());
    co_return message.error(Status::unavailable("The cloud could not be asked: " + remote.status().message()));
  }
  // What the cloud answered is stored as the copy (its data follows through the uplink).
  auto outcome = co_await objects_.receive_metadata(std::move(*remote));
  if (!outcome) co_return message.error(outcome.status());
  if (*outcome == ReceiveOutcome::kNeedsData) link->fetch_data(key);
  object = objects_.get_object(key);
  if (!object) co_return message.error(object.status());
  Message reply = message.response({{"metadata", metadata_to_json(object->metadata)}}, module::kCloud);
  reply.attachment = std::move(*object);
  co_return reply;
}

asio::awaitable<Message> MetaManager::handle_response(Message& message, const ResourceKey& key) {
  if (message.router.source == module::kApp) {
    const std::string mark = message.content.value("mark", std::string());
    if (mark == "received") co_return answer(message, co_await objects_.mark(key, Mark::kReceived));
    if (mark == "consumed") co_return answer(message, co_await objects_.mark(key, Mark::kConsumed));
    if (mark == "deleted") co_return answer(message, co_await objects_.mark(key, Mark::kDeleted));
    co_return message.error(Status::invalid("unknown mark " + mark));
  }
  // From the cloud: a poll item about this node's own object, or an acknowledgement.
  const std::string item = message.content.value("item", std::string());
  const std::string action = message.content.value("action", std::string());
  const int64_t instance_id = message.content.value("instanceID", int64_t{0});
  const NodeAddress cloud = router_.cloud();
  if (item == "consumed") {  // the cloud consumed this node's own object
    Status status = co_await objects_.consumed_by_destination(key);
    if (status) {
      status = co_await durable_write(
          store_, [&](WriteTransaction& transaction) { return transaction.delete_delivery(key, cloud); });
    }
    co_return answer(message, status);
  }
  if (item == "deleted") {  // the cloud confirmed the deletion of this node's own object
    Status status = co_await objects_.remove_copy(key);
    if (status) {
      status = co_await durable_write(
          store_, [&](WriteTransaction& transaction) { return transaction.delete_delivery(key, cloud); });
    }
    co_return answer(message, status);
  }
  // An acknowledgement of what the outbox sent: clear the slot unless something newer took it.
  bool copy_consumed = false;
  Status status = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    auto row = transaction.get_delivery(key, cloud);
    if (!row) return row.status().code() == StatusCode::kNotFound ? Status::ok() : row.status();
    if (row->pending != action || row->instance_id != instance_id) return Status::ok();
    row->pending.clear();
    if (action == "update") row->status = delivery_status::kDelivered;
    copy_consumed = action == "consumed";
    return transaction.put_delivery(*row);
  });
  // The cloud knows the copy was consumed: it goes (its row stays as the status record for metasync).
  if (status && copy_consumed) {
    auto copy = objects_.get_object(key);
    if (copy && !copy->originated_here && copy->status == ObjectStatus::kConsumed) {
      status = co_await objects_.remove_copy(key);
    }
  }
  co_return answer(message, status);
}

asio::awaitable<Message> MetaManager::handle_metasync(Message& message) {
  CloudLink* link = link_.load();
  if (!link || !connected_) co_return message.error(Status::unavailable("the cloud is not connected"));
  const NodeAddress cloud = router_.cloud();
  // Every copy this node holds, then the status records of copies already gone (consumed or deleted).
  auto copies = store_.list_objects(ObjectFilter{cloud.org, std::nullopt, {}, false});
  if (!copies) co_return message.error(copies.status());
  auto records = store_.list_deliveries_to(cloud, false);
  if (!records) co_return message.error(records.status());
  nlohmann::json objects = nlohmann::json::array();
  std::set<ResourceKey> listed;
  for (const auto& copy : *copies) {
    objects.push_back({{"objectType", copy.metadata.object_type},
                       {"objectID", copy.metadata.object_id},
                       {"instanceID", copy.metadata.instance_id},
                       {"status", to_string(copy.status)}});
    listed.insert(copy.key());
  }
  for (const auto& record : *records) {
    if (listed.count(record.key) > 0) continue;
    auto own = store_.get_object(record.key);
    if (own) continue;  // this node's own object: the cloud is the receiver there
    objects.push_back({{"objectType", record.key.object_type},
                       {"objectID", record.key.object_id},
                       {"instanceID", record.instance_id},
                       {"status", record.status}});
  }
  nlohmann::json snapshot = {{"objects", objects}};
  auto gone = co_await link->send_status_snapshot(snapshot);
  if (!gone) co_return message.error(gone.status());
  // Records of objects the cloud no longer knows are dropped (never a copy still held here).
  Status pruned = co_await durable_write(store_, [&](WriteTransaction& transaction) -> Status {
    for (const auto& key : *gone) {
      if (transaction.get_object(key)) continue;
      if (Status erased = transaction.delete_delivery(key, cloud); !erased) return erased;
    }
    return Status::ok();
  });
  if (!pruned) co_return message.error(pruned);
  ++metasyncs_;
  nlohmann::json summary = {{"reported", objects.size()}, {"pruned", gone->size()}};
  co_return message.response(std::move(summary));
}

}  // namespace edgesync::meta
