#include "server/auth/authorizer.hpp"

namespace edgesync {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kEdgeNode: return "EdgeNode";
    case Role::kAdmin: return "Admin";
    case Role::kObjectAdmin: return "ObjectAdmin";
    case Role::kUser: return "User";
    case Role::kSyncAdmin: return "SyncAdmin";
    case Role::kService: return "Service";
    case Role::kNodeUser: return "NodeUser";
  }
  return "Unknown";
}

namespace {
// MMS keeps this type writable by full admins only.
constexpr std::string_view kManifestsType = "agent_upgrade_manifests";
}  // namespace

Status authorize_object_access(const Identity& caller, NodeMode mode, const std::string& node_org,
                               const std::string& org, const std::string& object_type, Access access,
                               bool object_is_public, AclGrant grant) {
  // Edge-node credentials are for the cloud-edge protocol, never the application API.
  if (caller.role == Role::kEdgeNode) return Status::forbidden();
  if (caller.role == Role::kSyncAdmin) return Status::ok();

  if (mode == NodeMode::kEdge) {
    // On an edge any authenticated identity of the edge's org has full access.
    return caller.org == node_org ? Status::ok() : Status::forbidden();
  }

  if (caller.org != org) {
    // Cross-org reads of public objects are allowed; nothing else.
    return access == Access::kRead && object_is_public ? Status::ok() : Status::forbidden();
  }
  switch (caller.role) {
    case Role::kAdmin: return Status::ok();
    case Role::kObjectAdmin:
      return access == Access::kWrite && object_type == kManifestsType ? Status::forbidden() : Status::ok();
    case Role::kUser:
    case Role::kNodeUser:
      // Any ACL membership reads; aclWriter writes (destination ACLs are checked by the writer).
      if (access == Access::kRead)
        return grant != AclGrant::kNone || object_is_public ? Status::ok() : Status::forbidden();
      return grant == AclGrant::kWrite ? Status::ok() : Status::forbidden();
    case Role::kService:
      // A service has no ACL user type: it reads public objects of its org only.
      return access == Access::kRead && object_is_public ? Status::ok() : Status::forbidden();
    default: return Status::forbidden();
  }
}

Status authorize_org_admin(const Identity& caller, const std::string& org) {
  if (caller.role == Role::kSyncAdmin) return Status::ok();
  if (caller.role == Role::kAdmin && (org.empty() || caller.org == org)) return Status::ok();
  return Status::forbidden();
}

Status authorize_node_read(const Identity& caller) {
  return caller.role == Role::kEdgeNode ? Status::forbidden() : Status::ok();
}

}  // namespace edgesync
