// NodeIdentity: what this node is. A cloud is destType "Cloud", destID "Cloud" (MMS hard-codes it)
// and serves every org; an edge is one (org, destType, destID).
#pragma once

#include <string>

#include "common/config.hpp"

namespace edgesync {

struct NodeIdentity {
  NodeMode mode = NodeMode::kCloud;
  std::string org;  // edge only
  std::string dest_type = "Cloud";
  std::string dest_id = "Cloud";

  bool is_cloud() const { return mode == NodeMode::kCloud; }
  static NodeIdentity from_config(const Config& config);
};

}  // namespace edgesync
