#include "common/metadata_codec.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "common/json_text.hpp"

namespace edgesync {
namespace {

using nlohmann::json;

// nlohmann's parser is iterative but dump() recurses once per level: a 1 MiB body of nested '{' would
// overflow the stack when the policy is stored as text. MMS policies are a few levels deep.
constexpr size_t kMaxPolicyDepth = 64;

Status wrong_type(const char* field, const char* expected) {
  return Status::invalid(std::string("Invalid JSON for field ") + field + ": expected " + expected, field);
}

// Each reader leaves the default in place for a missing or null field.
Status read_string(const json& object, const char* field, std::string& out) {
  auto found = object.find(field);
  if (found == object.end() || found->is_null()) return Status::ok();
  if (!found->is_string()) return wrong_type(field, "a string");
  out = found->get<std::string>();
  return Status::ok();
}

Status read_bool(const json& object, const char* field, bool& out) {
  auto found = object.find(field);
  if (found == object.end() || found->is_null()) return Status::ok();
  if (!found->is_boolean()) return wrong_type(field, "true or false");
  out = found->get<bool>();
  return Status::ok();
}

Status out_of_range(const char* field, int64_t minimum, uint64_t maximum) {
  return Status::invalid(std::string("Invalid JSON for field ") + field + ": expected an integer from " +
                             std::to_string(minimum) + " to " + std::to_string(maximum),
                         field);
}

template <class Integer>
Status read_integer(const json& object, const char* field, Integer& out) {
  auto found = object.find(field);
  if (found == object.end() || found->is_null()) return Status::ok();
  if (found->is_number_unsigned()) {
    const auto value = found->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<Integer>::max()))
      return out_of_range(field, std::numeric_limits<Integer>::min(), std::numeric_limits<Integer>::max());
    out = static_cast<Integer>(value);
    return Status::ok();
  }
  if (!found->is_number_integer()) return wrong_type(field, "an integer");
  const auto value = found->get<int64_t>();
  if (value < static_cast<int64_t>(std::numeric_limits<Integer>::min()) ||
      value > static_cast<int64_t>(std::numeric_limits<Integer>::max()))
    return out_of_range(field, std::numeric_limits<Integer>::min(), std::numeric_limits<Integer>::max());
  out = static_cast<Integer>(value);
  return Status::ok();
}

Status read_string_list(const json& object, const char* field, std::optional<std::vector<std::string>>& out) {
  auto found = object.find(field);
  if (found == object.end() || found->is_null()) return Status::ok();
  if (!found->is_array()) return wrong_type(field, "an array of strings");
  std::vector<std::string> values;
  for (const auto& item : *found) {
    if (!item.is_string()) return wrong_type(field, "an array of strings");
    values.push_back(item.get<std::string>());
  }
  out = std::move(values);
  return Status::ok();
}

// Depth of arrays and objects, walked with an explicit stack for the reason given at kMaxPolicyDepth.
bool nested_deeper_than(const json& root, size_t limit) {
  std::vector<std::pair<const json*, size_t>> pending = {{&root, 1}};
  while (!pending.empty()) {
    const auto [value, depth] = pending.back();
    pending.pop_back();
    if (!value->is_structured()) continue;
    if (depth > limit) return true;
    for (const auto& child : *value) pending.emplace_back(&child, depth + 1);
  }
  return false;
}

Status read_policy(const json& object, std::optional<std::string>& out) {
  constexpr const char* kField = "destinationPolicy";
  auto found = object.find(kField);
  if (found == object.end() || found->is_null()) return Status::ok();
  if (!found->is_object()) return wrong_type(kField, "an object");
  if (nested_deeper_than(*found, kMaxPolicyDepth))
    return Status::invalid(std::string("Invalid JSON for field ") + kField + ": nested deeper than " +
                               std::to_string(kMaxPolicyDepth) + " levels",
                           kField);
  out = json_text(*found);
  return Status::ok();
}

Status read_owner_references(const json& object, std::vector<OwnerReference>& out) {
  constexpr const char* kField = "ownerReferences";
  auto found = object.find(kField);
  if (found == object.end() || found->is_null()) return Status::ok();
  if (!found->is_array()) return wrong_type(kField, "an array of {objectType, objectID, unsetOnDelete}");
  for (const auto& item : *found) {
    if (!item.is_object()) return wrong_type(kField, "an array of {objectType, objectID, unsetOnDelete}");
    OwnerReference reference;
    if (!read_string(item, "objectType", reference.object_type) ||
        !read_string(item, "objectID", reference.object_id) ||
        !read_bool(item, "unsetOnDelete", reference.unset_on_delete) || reference.object_type.empty() ||
        reference.object_id.empty()) {
      return wrong_type(kField, "an array of {objectType, objectID, unsetOnDelete}");
    }
    out.push_back(std::move(reference));
  }
  return Status::ok();
}

}  // namespace

Result<ObjectMetadata> metadata_from_json(const json& object) {
  if (!object.is_object()) return Status::invalid("Invalid JSON for meta data: expected an object", "meta");
  ObjectMetadata meta;
  const Status checks[] = {
      read_string(object, "objectID", meta.object_id),
      read_string(object, "objectType", meta.object_type),
      read_string(object, "destinationOrgID", meta.destination_org_id),
      read_string(object, "destinationID", meta.destination_id),
      read_string(object, "destinationType", meta.destination_type),
      read_string_list(object, "destinationsList", meta.destinations_list),
      read_policy(object, meta.destination_policy_json),
      read_string(object, "expiration", meta.expiration),
      read_string(object, "version", meta.version),
      read_string(object, "description", meta.description),
      read_string(object, "link", meta.link),
      read_bool(object, "inactive", meta.inactive),
      read_string(object, "activationTime", meta.activation_time),
      read_bool(object, "doNotSend", meta.do_not_send),
      read_bool(object, "noData", meta.no_data),
      read_bool(object, "metaOnly", meta.meta_only),
      read_string(object, "destinationDataUri", meta.destination_data_uri),
      read_string(object, "sourceDataUri", meta.source_data_uri),
      read_integer(object, "consumers", meta.consumers),
      read_bool(object, "autodelete", meta.autodelete),
      read_string(object, "originID", meta.origin_id),
      read_string(object, "originType", meta.origin_type),
      read_bool(object, "deleted", meta.deleted),
      read_integer(object, "instanceID", meta.instance_id),
      read_integer(object, "dataID", meta.data_id),
      read_integer(object, "objectSize", meta.object_size),
      read_integer(object, "chunkSize", meta.chunk_size),
      read_integer(object, "uploadChunkSize", meta.upload_chunk_size),
      read_string(object, "hashAlgorithm", meta.hash_algorithm),
      read_string(object, "publicKey", meta.public_key),
      read_string(object, "signature", meta.signature),
      read_bool(object, "public", meta.is_public),
      read_string(object, "ownerID", meta.owner_id),
      read_owner_references(object, meta.owner_references),
  };
  for (const auto& status : checks)
    if (!status) return status;
  return meta;
}

Result<ObjectMetadata> parse_metadata(std::string_view json_text) {
  auto parsed = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::invalid("Invalid JSON for meta data", "meta");
  return metadata_from_json(parsed);
}

json metadata_to_json(const ObjectMetadata& meta) {
  json owners = json::array();
  for (const auto& owner : meta.owner_references) {
    owners.push_back(
        {{"objectType", owner.object_type}, {"objectID", owner.object_id}, {"unsetOnDelete", owner.unset_on_delete}});
  }
  json policy = nullptr;
  if (meta.destination_policy_json) {
    policy = json::parse(*meta.destination_policy_json, nullptr, false);
    if (policy.is_discarded()) policy = nullptr;
  }
  return json{
      {"objectID", meta.object_id},
      {"objectType", meta.object_type},
      {"destinationOrgID", meta.destination_org_id},
      {"destinationID", meta.destination_id},
      {"destinationType", meta.destination_type},
      {"destinationsList", meta.destinations_list ? json(*meta.destinations_list) : json(nullptr)},
      {"destinationPolicy", policy},
      {"expiration", meta.expiration},
      {"version", meta.version},
      {"description", meta.description},
      {"link", meta.link},
      {"inactive", meta.inactive},
      {"activationTime", meta.activation_time},
      {"doNotSend", meta.do_not_send},
      {"noData", meta.no_data},
      {"metaOnly", meta.meta_only},
      {"destinationDataUri", meta.destination_data_uri},
      {"sourceDataUri", meta.source_data_uri},
      {"consumers", meta.consumers},
      {"autodelete", meta.autodelete},
      {"originID", meta.origin_id},
      {"originType", meta.origin_type},
      {"deleted", meta.deleted},
      {"instanceID", meta.instance_id},
      {"dataID", meta.data_id},
      {"objectSize", meta.object_size},
      {"chunkSize", meta.chunk_size},
      {"uploadChunkSize", meta.upload_chunk_size},
      {"hashAlgorithm", meta.hash_algorithm},
      {"publicKey", meta.public_key},
      {"signature", meta.signature},
      {"public", meta.is_public},
      {"ownerID", meta.owner_id},
      {"ownerReferences", owners},
  };
}

}  // namespace edgesync
