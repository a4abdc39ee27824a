// Identity: who is calling, as established by an Authenticator (reference/mms-reference.md §5).
#pragma once

#include <string>
#include <string_view>

namespace edgesync {

enum class Role {
  kEdgeNode,     // an edge node acting as itself: org/destType/destID
  kAdmin,        // org admin
  kObjectAdmin,  // org admin without write access to agent_upgrade_manifests
  kUser,         // regular user; access through ACLs
  kSyncAdmin,    // super-user of every org
  kService,      // an edge service: serviceOrg/version/serviceName
  kNodeUser,     // node credentials used as a user
};

std::string_view to_string(Role role);

struct Identity {
  Role role = Role::kUser;
  std::string org;        // empty for a sync admin
  std::string user;       // user name, service "org/version/name", or node id
  std::string dest_type;  // edge nodes only
  std::string dest_id;    // edge nodes only

  // "org/user" as MMS writes it into ownerID.
  std::string owner_id() const { return org + "/" + user; }
};

}  // namespace edgesync
