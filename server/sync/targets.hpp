// Which edge nodes an object published in the cloud is for (reference/mms-reference.md §2.1):
// destinationType + destinationID → that node; destinationType alone → every node of the type;
// destinationsList ("type:id", or "type:*") → the listed nodes; neither → every node of the org.
// An object with a destination policy is routed by whoever sets its destinations (PUT …/destinations),
// so the policy alone targets nobody.
#pragma once

#include <vector>

#include "common/object_metadata.hpp"
#include "server/store/delivery.hpp"

namespace edgesync {

bool object_targets(const ObjectMetadata& metadata, const NodeAddress& node);

// The nodes the metadata names one by one (so that their per-destination status can show `pending`
// before they register).
std::vector<NodeAddress> named_targets(const ObjectMetadata& metadata);

}  // namespace edgesync
