// Authorization rules of the object API (reference/mms-reference.md §5), kept in one place.
//
// Regular users and node users reach objects through their org's ACLs: the caller looks the ACLs up
// (server/api/acl_access.hpp) and passes what they grant.
#pragma once

#include <string>

#include "common/config.hpp"
#include "common/status.hpp"
#include "server/auth/identity.hpp"

namespace edgesync {

enum class Access { kRead, kWrite };

// What a caller's org's object ACLs give it on one object type.
enum class AclGrant { kNone, kRead, kWrite };

// May `caller` use the application API of this node for objects of (org, object_type)?
// `object_is_public` only matters for reads by users without ACL access.
Status authorize_object_access(const Identity& caller, NodeMode mode, const std::string& node_org,
                               const std::string& org, const std::string& object_type, Access access,
                               bool object_is_public = false, AclGrant grant = AclGrant::kNone);

// The security (ACL) API and the organizations API: an admin of the org or a sync admin.
// org empty: a call about every org (the org list), which an admin may make too (it sees its own).
Status authorize_org_admin(const Identity& caller, const std::string& org);

// Node-level reads (health, destinations): edge-node credentials are refused.
Status authorize_node_read(const Identity& caller);

}  // namespace edgesync
