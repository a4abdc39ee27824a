#include "client/src/json_mapping.hpp"

#include <nlohmann/json.hpp>

#include "edgesync/client/error.hpp"
#include "edgesync/client/json.hpp"

namespace edgesync::client::detail {

using nlohmann::json;

namespace {

json parse(const std::string& body) {
  json value = json::parse(body, nullptr, false);
  if (value.is_discarded()) throw Error(ErrorKind::kProtocol, 0, "The server's answer is not valid JSON");
  return value;
}

template <class T>
void read(const json& object, const char* name, T& into) {
  auto found = object.find(name);
  if (found == object.end() || found->is_null()) return;
  try {
    into = found->get<T>();
  } catch (const json::exception&) {
    throw Error(ErrorKind::kProtocol, 0, std::string("The server sent a bad ") + name);
  }
}

// A request body. JSON is UTF-8 and nlohmann refuses to write a string that is not: a caller's
// field holding other bytes is refused here, before anything is sent, as the caller's error.
std::string request_body(const json& value) {
  try {
    return value.dump();
  } catch (const json::type_error& error) {
    throw Error(ErrorKind::kInvalidInput, 0, std::string("A text field is not valid UTF-8: ") + error.what());
  }
}

// Returns by value: a reference into parse()'s temporary would dangle in a range-for.
json parse_array(const std::string& body) {
  json value = parse(body);
  if (!value.is_array()) throw Error(ErrorKind::kProtocol, 0, "The server's answer is not a JSON list");
  return value;
}

// The fields ObjectMetadata names; everything else goes to extra_json.
const char* const kKnownFields[] = {"objectType",         "objectID",
                                    "destinationOrgID",   "destinationType",
                                    "destinationID",      "destinationsList",
                                    "expiration",         "version",
                                    "description",        "link",
                                    "inactive",           "activationTime",
                                    "doNotSend",          "noData",
                                    "metaOnly",           "consumers",
                                    "destinationDataUri", "sourceDataUri",
                                    "autodelete",         "originID",
                                    "originType",         "deleted",
                                    "instanceID",         "objectSize"};

ObjectMetadata metadata_from(const json& object) {
  if (!object.is_object()) throw Error(ErrorKind::kProtocol, 0, "The server sent metadata that is not a JSON object");
  ObjectMetadata metadata;
  read(object, "objectType", metadata.object_type);
  read(object, "objectID", metadata.object_id);
  read(object, "destinationOrgID", metadata.destination_org_id);
  read(object, "destinationType", metadata.destination_type);
  read(object, "destinationID", metadata.destination_id);
  if (auto list = object.find("destinationsList"); list != object.end() && list->is_array()) {
    std::vector<std::string> entries;
    read(object, "destinationsList", entries);
    metadata.destinations_list = std::move(entries);
  }
  read(object, "expiration", metadata.expiration);
  read(object, "version", metadata.version);
  read(object, "description", metadata.description);
  read(object, "link", metadata.link);
  read(object, "inactive", metadata.inactive);
  read(object, "activationTime", metadata.activation_time);
  read(object, "doNotSend", metadata.do_not_send);
  read(object, "noData", metadata.no_data);
  read(object, "metaOnly", metadata.meta_only);
  read(object, "consumers", metadata.consumers);
  read(object, "destinationDataUri", metadata.destination_data_uri);
  read(object, "sourceDataUri", metadata.source_data_uri);
  read(object, "autodelete", metadata.autodelete);
  read(object, "originID", metadata.origin_id);
  read(object, "originType", metadata.origin_type);
  read(object, "deleted", metadata.deleted);
  read(object, "instanceID", metadata.instance_id);
  read(object, "objectSize", metadata.object_size);
  json extra = json::object();
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (const char* name : kKnownFields) known = known || it.key() == name;
    if (!known) extra[it.key()] = it.value();
  }
  if (!extra.empty()) metadata.extra_json = extra.dump();
  return metadata;
}

}  // namespace

std::string metadata_update_body(const ObjectMetadata& metadata) {
  json meta = json::object();
  if (!metadata.extra_json.empty()) {
    meta = json::parse(metadata.extra_json, nullptr, false);
    if (!meta.is_object()) throw Error(ErrorKind::kInvalidInput, 0, "extra_json is not a JSON object");
  }
  meta["objectType"] = metadata.object_type;
  meta["objectID"] = metadata.object_id;
  if (!metadata.destination_org_id.empty()) meta["destinationOrgID"] = metadata.destination_org_id;
  meta["destinationType"] = metadata.destination_type;
  meta["destinationID"] = metadata.destination_id;
  if (metadata.destinations_list) meta["destinationsList"] = *metadata.destinations_list;
  if (!metadata.expiration.empty()) meta["expiration"] = metadata.expiration;
  meta["version"] = metadata.version;
  meta["description"] = metadata.description;
  meta["link"] = metadata.link;
  meta["inactive"] = metadata.inactive;
  if (!metadata.activation_time.empty()) meta["activationTime"] = metadata.activation_time;
  meta["doNotSend"] = metadata.do_not_send;
  meta["noData"] = metadata.no_data;
  meta["metaOnly"] = metadata.meta_only;
  meta["consumers"] = metadata.consumers;
  if (!metadata.destination_data_uri.empty()) meta["destinationDataUri"] = metadata.destination_data_uri;
  if (!metadata.source_data_uri.empty()) meta["sourceDataUri"] = metadata.source_data_uri;
  meta["autodelete"] = metadata.autodelete;
  json body = json::object();
  body["meta"] = std::move(meta);
  return request_body(body);
}

ObjectMetadata parse_metadata(const std::string& body) {
  return metadata_from(parse(body));
}

std::vector<ObjectMetadata> parse_metadata_list(const std::string& body) {
  std::vector<ObjectMetadata> list;
  for (const auto& item : parse_array(body)) list.push_back(metadata_from(item));
  return list;
}

std::vector<Destination> parse_destinations(const std::string& body) {
  std::vector<Destination> list;
  for (const auto& item : parse_array(body)) {
    Destination destination;
    read(item, "destinationOrgID", destination.org_id);
    read(item, "destinationType", destination.type);
    read(item, "destinationID", destination.id);
    read(item, "communication", destination.communication);
    read(item, "codeVersion", destination.code_version);
    list.push_back(std::move(destination));
  }
  return list;
}

std::vector<DestinationStatus> parse_destination_statuses(const std::string& body) {
  std::vector<DestinationStatus> list;
  for (const auto& item : parse_array(body)) {
    DestinationStatus status;
    read(item, "destinationType", status.type);
    read(item, "destinationID", status.id);
    read(item, "status", status.status);
    read(item, "message", status.message);
    list.push_back(std::move(status));
  }
  return list;
}

std::vector<ObjectStatus> parse_object_statuses(const std::string& body) {
  std::vector<ObjectStatus> list;
  for (const auto& item : parse_array(body)) {
    ObjectStatus status;
    read(item, "destinationOrgID", status.org_id);
    read(item, "orgID", status.org_id);
    read(item, "objectType", status.object_type);
    read(item, "objectID", status.object_id);
    read(item, "status", status.status);
    list.push_back(std::move(status));
  }
  return list;
}

std::vector<std::string> parse_string_list(const std::string& body) {
  std::vector<std::string> list;
  for (const auto& item : parse_array(body)) {
    if (item.is_string()) {
      list.push_back(item.get<std::string>());
    } else if (item.is_object()) {  // ACL entries as {"Username": …} / {"username": …}
      std::string name;
      read(item, "Username", name);
      read(item, "username", name);
      list.push_back(name);
    }
  }
  return list;
}

Health parse_health(const std::string& body) {
  const json value = parse(body);
  if (!value.is_object()) throw Error(ErrorKind::kProtocol, 0, "The health answer is not a JSON object");
  Health health;
  health.json = body;
  if (auto general = value.find("general"); general != value.end() && general->is_object()) {
    read(*general, "nodeType", health.node_type);
    read(*general, "healthStatus", health.health_status);
    read(*general, "upTime", health.up_time_seconds);
  }
  if (auto cloud = value.find("cloudConnection"); cloud != value.end() && cloud->is_object()) {
    bool connected = false;
    read(*cloud, "connected", connected);
    health.cloud_connected = connected;
  }
  return health;
}

std::string action_body(const std::string& action, const char* list_name, const std::vector<std::string>& values) {
  return request_body(json{{"action", action}, {list_name, values}});
}

std::string webhook_body(const std::string& action, const std::string& url) {
  return request_body(json{{"action", action}, {"url", url}});
}

std::string error_text(const std::string& body) {
  const json value = json::parse(body, nullptr, false);
  if (value.is_object() && value.contains("error") && value["error"].is_string())
    return value["error"].get<std::string>();
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace edgesync::client::detail

namespace edgesync::client {

ObjectMetadata metadata_from_json(const std::string& text) {
  return detail::parse_metadata(text);
}

std::string metadata_to_json(const ObjectMetadata& metadata) {
  return nlohmann::json::parse(detail::metadata_update_body(metadata))["meta"].dump();
}

}  // namespace edgesync::client
