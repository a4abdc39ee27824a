#include "server/objects/node_identity.hpp"

namespace edgesync {

NodeIdentity NodeIdentity::from_config(const Config& config) {
  if (config.mode == NodeMode::kCloud) return NodeIdentity{};
  return NodeIdentity{NodeMode::kEdge, config.org, config.dest_type, config.dest_id};
}

}  // namespace edgesync
