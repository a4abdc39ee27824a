#include "server/sync/targets.hpp"

namespace edgesync {
namespace {

// "type:id" → {type, id}; a missing or "*" id means every node of the type.
std::pair<std::string, std::string> split_list_entry(const std::string& entry) {
  const size_t colon = entry.find(':');
  if (colon == std::string::npos) return {entry, ""};
  std::string id = entry.substr(colon + 1);
  if (id == "*") id.clear();
  return {entry.substr(0, colon), id};
}

}  // namespace

bool object_targets(const ObjectMetadata& metadata, const NodeAddress& node) {
  if (node.org != metadata.destination_org_id) return false;
  if (metadata.destinations_list && !metadata.destinations_list->empty()) {
    for (const auto& entry : *metadata.destinations_list) {
      auto [type, id] = split_list_entry(entry);
      if (type == node.dest_type && (id.empty() || id == node.dest_id)) return true;
    }
    return false;
  }
  if (metadata.destination_policy_json) return false;
  if (metadata.destination_type.empty()) return true;  // the whole org
  if (metadata.destination_type != node.dest_type) return false;
  return metadata.destination_id.empty() || metadata.destination_id == node.dest_id;
}

std::vector<NodeAddress> named_targets(const ObjectMetadata& metadata) {
  std::vector<NodeAddress> named;
  const std::string& org = metadata.destination_org_id;
  if (metadata.destinations_list && !metadata.destinations_list->empty()) {
    for (const auto& entry : *metadata.destinations_list) {
      auto [type, id] = split_list_entry(entry);
      if (!type.empty() && !id.empty()) named.push_back({org, type, id});
    }
  } else if (!metadata.destination_policy_json && !metadata.destination_type.empty() &&
             !metadata.destination_id.empty()) {
    named.push_back({org, metadata.destination_type, metadata.destination_id});
  }
  return named;
}

}  // namespace edgesync
