#include "server/objects/object_rules.hpp"

#include <nlohmann/json.hpp>
#include <regex>

#include "common/base64.hpp"
#include "common/json_text.hpp"
#include "common/names.hpp"

namespace edgesync {
namespace {

Status invalid_name(const std::string& what, const std::string& value, const std::string& field) {
  return Status::invalid(what + " (" + html_escape(value) + ") contains invalid characters", field);
}

Status check_names(const ObjectPutCheck& check) {
  const ObjectMetadata& meta = check.metadata;
  if (meta.object_id.empty()) return Status::invalid("Object's meta data does not contain object's ID", "objectID");
  if (meta.object_type.empty())
    return Status::invalid("Object's meta data does not contain object's type", "objectType");
  if (!is_valid_name(meta.object_type)) return invalid_name("object Type", meta.object_type, "objectType");
  if (!is_valid_name(meta.object_id)) return invalid_name("object ID", meta.object_id, "objectID");
  if (meta.object_type != check.url_key.object_type || meta.object_id != check.url_key.object_id) {
    return Status::invalid("Object's meta data (" + html_escape(meta.object_type) + "/" + html_escape(meta.object_id) +
                               ") does not match the URL (" + html_escape(check.url_key.object_type) + "/" +
                               html_escape(check.url_key.object_id) + ")",
                           "objectID");
  }
  if (!meta.version.empty() && !is_valid_name(meta.version))
    return invalid_name("object version", meta.version, "version");
  if (contains_html_tag(meta.description))
    return Status::invalid("object description contains HTML-like tags", "description");
  for (const auto& owner : meta.owner_references) {
    if (!is_valid_name(owner.object_type))
      return invalid_name("owner reference object Type", owner.object_type, "ownerReferences");
    if (!is_valid_name(owner.object_id))
      return invalid_name("owner reference object ID", owner.object_id, "ownerReferences");
  }
  return Status::ok();
}

Status check_destinations(const ObjectPutCheck& check) {
  const ObjectMetadata& meta = check.metadata;
  const bool has_list = meta.destinations_list.has_value() && !meta.destinations_list->empty();
  if (!meta.destination_type.empty() && !is_valid_name(meta.destination_type))
    return invalid_name("destination type", meta.destination_type, "destinationType");
  if (!meta.destination_id.empty()) {
    if (meta.destination_type.empty())
      return Status::invalid("destinationID requires a destinationType", "destinationID");
    if (!is_valid_name(meta.destination_id))
      return invalid_name("destination ID", meta.destination_id, "destinationID");
  }
  if (has_list) {
    if (!check.node.is_cloud())
      return Status::invalid("destinationsList is not supported on an edge node", "destinationsList");
    if (!meta.destination_type.empty())
      return Status::invalid("destinationsList and destinationType can't both be set", "destinationsList");
    for (const auto& destination : *meta.destinations_list) {
      const size_t colon = destination.find(':');
      if (colon == std::string::npos || !is_valid_name(destination.substr(0, colon)) ||
          !is_valid_name(destination.substr(colon + 1))) {
        return Status::invalid("destinationsList entry (" + html_escape(destination) + ") must be \"type:id\"",
                               "destinationsList");
      }
    }
  }
  if (meta.destination_policy_json && (has_list || !meta.destination_type.empty()))
    return Status::invalid("destinationPolicy can't be combined with destinationType or destinationsList",
                           "destinationPolicy");
  if (meta.autodelete && !has_list && meta.destination_id.empty())
    return Status::invalid("autodelete requires destinationsList or destinationID", "autodelete");
  return Status::ok();
}

// A version "1", "1.2" or "1.2.3", or an interval of them as Horizon writes service versions:
// "[1.0.0,2.0.0)", "(1.0,INFINITY)". A bare version means "this one or newer".
bool is_version_range(const std::string& text) {
  static const std::regex kRange(
      R"(^(\d+(\.\d+){0,2})$|^[\[(]\s*\d+(\.\d+){0,2}\s*,\s*(\d+(\.\d+){0,2}|INFINITY)\s*[\])]$)");
  return std::regex_match(text, kRange);
}

bool has_text(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() && !found->get<std::string>().empty();
}

Status check_policy(const ObjectPutCheck& check) {
  if (!check.metadata.destination_policy_json) return Status::ok();
  const Status refused = Status::invalid("Invalid destinationPolicy", "destinationPolicy");
  auto policy = nlohmann::json::parse(*check.metadata.destination_policy_json, nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) return refused;
  if (auto properties = policy.find("properties"); properties != policy.end() && !properties->is_null()) {
    if (!properties->is_array()) return refused;
    for (const auto& property : *properties) {
      if (!property.is_object() || !has_text(property, "name"))
        return Status::invalid("destinationPolicy properties must each have a name", "destinationPolicy");
    }
  }
  if (auto constraints = policy.find("constraints"); constraints != policy.end() && !constraints->is_null()) {
    if (!constraints->is_array()) return refused;
    for (const auto& constraint : *constraints)
      if (!constraint.is_string())
        return Status::invalid("destinationPolicy constraints must be strings", "destinationPolicy");
  }
  if (auto services = policy.find("services"); services != policy.end() && !services->is_null()) {
    if (!services->is_array()) return refused;
    for (const auto& service : *services) {
      if (!service.is_object() || !has_text(service, "orgID") || !has_text(service, "arch") ||
          !has_text(service, "serviceName"))
        return Status::invalid("destinationPolicy services must each have orgID, arch and serviceName",
                               "destinationPolicy");
      if (!has_text(service, "version") || !is_version_range(service["version"].get<std::string>()))
        return Status::invalid("destinationPolicy service version must be a version or a version range",
                               "destinationPolicy");
    }
  }
  return Status::ok();
}

Status check_times(const ObjectPutCheck& check) {
  const ObjectMetadata& meta = check.metadata;
  if (!meta.expiration.empty()) {
    if (!check.node.is_cloud()) return Status::invalid("Expiration is not supported on an edge node", "expiration");
    auto expiration = parse_rfc3339(meta.expiration);
    if (!expiration || *expiration <= check.now)
      return Status::invalid("Invalid expiration time in object's meta data", "expiration");
  }
  if (meta.inactive && !meta.activation_time.empty()) {
    auto activation = parse_rfc3339(meta.activation_time);
    if (!activation || *activation <= check.now)
      return Status::invalid("Invalid activation time in object's meta data", "activationTime");
  }
  return Status::ok();
}

Status check_data_fields(const ObjectPutCheck& check) {
  const ObjectMetadata& meta = check.metadata;
  if (!meta.hash_algorithm.empty() && meta.hash_algorithm != "SHA1" && meta.hash_algorithm != "SHA256")
    return Status::invalid("Invalid hash algorithm (" + html_escape(meta.hash_algorithm) + "): expected SHA1 or SHA256",
                           "hashAlgorithm");
  if (!meta.public_key.empty() && !base64_decode(meta.public_key))
    return Status::invalid("publicKey is not valid base64", "publicKey");
  if (!meta.signature.empty() && !base64_decode(meta.signature))
    return Status::invalid("signature is not valid base64", "signature");
  if (meta.meta_only && check.has_inline_data) return Status::invalid("A metaOnly update can't carry data", "metaOnly");
  if (meta.consumers < -1)
    return Status::invalid("consumers must be -1 (unlimited), 0 or a positive number", "consumers");
  if (!meta.destination_data_uri.empty()) {
    if (!check.node.is_cloud())
      return Status::invalid("destinationDataUri is not supported on an edge node", "destinationDataUri");
    if (!file_uri_path(meta.destination_data_uri))
      return Status::invalid("destinationDataUri must be a file URI without a host (file:///path)",
                             "destinationDataUri");
  }
  if (!meta.source_data_uri.empty()) {
    if (check.node.is_cloud())
      return Status::invalid("sourceDataUri is not supported on a cloud node", "sourceDataUri");
    if (!file_uri_path(meta.source_data_uri))
      return Status::invalid("sourceDataUri must be a file URI without a host (file:///path)", "sourceDataUri");
    if (check.has_inline_data)
      return Status::invalid("sourceDataUri and inline data can't both be given", "sourceDataUri");
  }
  return Status::ok();
}

}  // namespace

Status check_object_put(const ObjectPutCheck& check) {
  if (check.metadata.deleted) return Status::invalid("Object marked as deleted", "deleted");
  for (auto rule : {check_names, check_destinations, check_policy, check_times, check_data_fields}) {
    if (Status status = rule(check); !status) return status;
  }
  return Status::ok();
}

bool is_data_readable(ObjectStatus status) {
  switch (status) {
    case ObjectStatus::kReady:
    case ObjectStatus::kCompletelyReceived:
    case ObjectStatus::kReceived:
    case ObjectStatus::kConsumed: return true;
    default: return false;
  }
}

std::optional<std::string> file_uri_path(const std::string& uri) {
  constexpr std::string_view kPrefix = "file://";
  if (uri.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::string path = uri.substr(kPrefix.size());
  if (path.empty() || path.front() != '/') return std::nullopt;  // a host, or nothing
  if (path.find('\0') != std::string::npos) return std::nullopt;
  return path;
}

namespace {

ObjectMetadata user_part(ObjectMetadata metadata) {
  metadata.instance_id = 0;
  metadata.data_id = 0;
  metadata.object_size = 0;
  metadata.chunk_size = 0;
  metadata.upload_chunk_size = 0;
  metadata.owner_id.clear();
  metadata.origin_id.clear();
  metadata.origin_type.clear();
  metadata.deleted = false;
  metadata.meta_only = false;
  metadata.destination_id.clear();  // rewritten to the receiver on delivery
  if (metadata.consumers == 0) metadata.consumers = 1;
  if (metadata.destination_policy_json) {
    auto policy = nlohmann::json::parse(*metadata.destination_policy_json, nullptr, false);
    if (policy.is_object()) {
      policy.erase("timestamp");
      metadata.destination_policy_json = json_text(policy);
    }
  }
  return metadata;
}

}  // namespace

bool same_user_metadata(const ObjectMetadata& a, const ObjectMetadata& b) {
  return user_part(a) == user_part(b);
}

}  // namespace edgesync
