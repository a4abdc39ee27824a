#include "server/metamanager/message.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>

namespace edgesync::meta {
namespace {

// A version-4 UUID, as beehive's NewMessage.
std::string new_message_id() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  const uint64_t high = (generator() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const uint64_t low = (generator() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xffff),
                static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Status codes travel in error contents so that a caller gets back exactly what failed.
const char* code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid";
    case StatusCode::kForbidden: return "forbidden";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kMethodNotAllowed: return "method_not_allowed";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kPayloadTooLarge: return "too_large";
    case StatusCode::kRangeNotSatisfiable: return "range";
    case StatusCode::kTooManyRequests: return "too_many";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kUnavailable: return "unavailable";
  }
  return "internal";
}

StatusCode code_of(const std::string& name) {
  for (auto code :
       {StatusCode::kInvalidArgument, StatusCode::kForbidden, StatusCode::kNotFound, StatusCode::kMethodNotAllowed,
        StatusCode::kConflict, StatusCode::kPayloadTooLarge, StatusCode::kRangeNotSatisfiable,
        StatusCode::kTooManyRequests, StatusCode::kIoError, StatusCode::kUnavailable}) {
    if (name == code_name(code)) return code;
  }
  return StatusCode::kInternal;
}

}  // namespace

Message Message::make(std::string source, std::string operation, std::string resource, nlohmann::json content) {
  Message message;
  message.header.id = new_message_id();
  message.header.timestamp_ms = now_ms();
  message.router.source = std::move(source);
  message.router.operation = std::move(operation);
  message.router.resource = std::move(resource);
  message.content = std::move(content);
  return message;
}

Message Message::response(nlohmann::json answer, std::string from) const {
  Message reply = make(std::move(from), op::kResponse, router.resource, std::move(answer));
  reply.header.parent_id = header.id;
  reply.header.sync = header.sync;
  reply.router.group = router.group;
  reply.router.destination = router.source;
  return reply;
}

Message Message::error(const Status& status, std::string from) const {
  Message reply = response({{"code", code_name(status.code())}, {"error", status.message()}, {"field", status.field()}},
                           std::move(from));
  reply.router.operation = op::kError;
  return reply;
}

Status Message::status() const {
  if (!is_error()) return Status::ok();
  const std::string code = content.value("code", std::string("internal"));
  return Status(code_of(code), content.value("error", std::string()), content.value("field", std::string()));
}

nlohmann::json to_json(const Message& message) {
  nlohmann::json header = {{"msg_id", message.header.id}, {"timestamp", message.header.timestamp_ms}};
  if (!message.header.parent_id.empty()) header["parent_msg_id"] = message.header.parent_id;
  if (!message.header.resource_version.empty()) header["resourceversion"] = message.header.resource_version;
  if (message.header.sync) header["sync"] = true;
  nlohmann::json route = nlohmann::json::object();
  const std::pair<const char*, const std::string*> fields[] = {{"source", &message.router.source},
                                                               {"destination", &message.router.destination},
                                                               {"group", &message.router.group},
                                                               {"operation", &message.router.operation},
                                                               {"resource", &message.router.resource}};
  for (const auto& [name, value] : fields) {
    if (!value->empty()) route[name] = *value;
  }
  return {{"header", header}, {"route", route}, {"content", message.content}};
}

Result<Message> message_from_json(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("header") || !json["header"].is_object())
    return Status::invalid("a message needs a header object", "header");
  const nlohmann::json& header = json["header"];
  const nlohmann::json route = json.value("route", nlohmann::json::object());
  if (!route.is_object()) return Status::invalid("route must be an object", "route");
  Message message;
  try {
    message.header.id = header.value("msg_id", std::string());
    message.header.parent_id = header.value("parent_msg_id", std::string());
    message.header.timestamp_ms = header.value("timestamp", int64_t{0});
    message.header.resource_version = header.value("resourceversion", std::string());
    message.header.sync = header.value("sync", false);
    message.router.source = route.value("source", std::string());
    message.router.destination = route.value("destination", std::string());
    message.router.group = route.value("group", std::string());
    message.router.operation = route.value("operation", std::string());
    message.router.resource = route.value("resource", std::string());
  } catch (const nlohmann::json::exception& error) {
    return Status::invalid(std::string("malformed message: ") + error.what());
  }
  if (message.header.id.empty()) return Status::invalid("a message needs a msg_id", "msg_id");
  message.content = json.value("content", nlohmann::json());
  return message;
}

std::string resource_of(const ResourceKey& key) {
  return key.to_string();
}

Result<ResourceKey> key_of_resource(const std::string& resource) {
  return parse_resource_key(resource);
}

}  // namespace edgesync::meta
