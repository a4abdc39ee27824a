// Message: the unit of work of the edge metamanager, after KubeEdge's beehive model
// (reference/metamanager.md §1): a header (id, parent id, timestamp, resource version, sync flag), a
// router (source, destination, group, operation, resource "<org>/<type>/<id>") and a JSON content.
// Responses carry the request's id as parent id. Serialises to KubeEdge's JSON names.
#pragma once

#include <any>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/resource_key.hpp"
#include "common/status.hpp"

namespace edgesync::meta {

// Operations (router.operation).
namespace op {
inline constexpr const char* kInsert = "insert";
inline constexpr const char* kUpdate = "update";
inline constexpr const char* kDelete = "delete";
inline constexpr const char* kQuery = "query";
inline constexpr const char* kResponse = "response";
inline constexpr const char* kError = "error";
inline constexpr const char* kNodeConnection = "nodeconnection";
inline constexpr const char* kMetaSync = "metasync";
}  // namespace op

// Modules (router.source / router.destination).
namespace module {
inline constexpr const char* kCloud = "cloud";              // the uplink, on the cloud's behalf
inline constexpr const char* kApp = "app";                  // a local application (the /api/v1 handlers)
inline constexpr const char* kMetaManager = "metamanager";  // the dispatcher itself (timers)
}  // namespace module

inline constexpr const char* kCloudConnected = "cloud_connected";
inline constexpr const char* kCloudDisconnected = "cloud_disconnected";

struct MessageHeader {
  std::string id;
  std::string parent_id;
  int64_t timestamp_ms = 0;
  std::string resource_version;
  bool sync = false;
};

struct MessageRouter {
  std::string source;
  std::string destination;
  std::string group = "meta";
  std::string operation;
  std::string resource;
};

struct Message {
  MessageHeader header;
  MessageRouter router;
  nlohmann::json content;
  // In-process only, never serialised: what JSON cannot carry (a request body stream, the caller).
  std::any attachment;

  // A new message with a fresh id and the current time.
  static Message make(std::string source, std::string operation, std::string resource, nlohmann::json content = {});
  // A `response` to this message: new id, parent id = this id, same resource and group, source = from.
  Message response(nlohmann::json content, std::string from = module::kMetaManager) const;
  // An `error` answer whose content is the text (KubeEdge's feedbackError).
  Message error(const Status& status, std::string from = module::kMetaManager) const;

  bool is_error() const { return router.operation == op::kError; }
  // The Status an error answer carries (OK for any other message).
  Status status() const;
};

nlohmann::json to_json(const Message& message);
Result<Message> message_from_json(const nlohmann::json& json);

// "<org>/<type>/<id>" of a key, and back (two parts = every object of a type).
std::string resource_of(const ResourceKey& key);
Result<ResourceKey> key_of_resource(const std::string& resource);

}  // namespace edgesync::meta
