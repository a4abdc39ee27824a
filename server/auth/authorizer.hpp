// Authorization rules of the object API (reference/mms-reference.md §5), kept in one place.
//
// ACLs for regular users arrive with the security issue; until then a regular user or node user may
// read only public objects of its org and write nothing.
#pragma once

#include <string>

#include "common/config.hpp"
#include "common/status.hpp"
#include "server/auth/identity.hpp"

namespace edgesync {

enum class Access { kRead, kWrite };

// May `caller` use the application API of this node for objects of (org, object_type)?
// `object_is_public` only matters for reads by users without ACL access.
Status authorize_object_access(const Identity& caller, NodeMode mode, const std::string& node_org,
                               const std::string& org, const std::string& object_type, Access access,
                               bool object_is_public = false);

// Node-level reads (health, destinations): edge-node credentials are refused.
Status authorize_node_read(const Identity& caller);

}  // namespace edgesync
