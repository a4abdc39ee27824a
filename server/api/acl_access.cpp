#include "server/api/acl_access.hpp"

namespace edgesync {
namespace {

bool is_acl_subject(const Identity& caller) {
  return caller.role == Role::kUser || caller.role == Role::kNodeUser;
}

// The caller's entries in the ACL `key` and in the all-types ACL of (kind, org).
Result<std::vector<AclEntry>> entries_for(Store& store, const Identity& caller, AclKind kind, const std::string& org,
                                          const std::string& key) {
  std::vector<AclEntry> mine;
  const std::string user_type = acl_user_type(caller);
  for (const std::string& acl_key : {key, std::string()}) {
    auto entries = store.list_acl(kind, org, acl_key);
    if (!entries) return entries.status();
    for (auto& entry : *entries) {
      if (entry.user_type == user_type && (entry.username == caller.user || entry.username == "*"))
        mine.push_back(std::move(entry));
    }
    if (key.empty()) break;  // the all-types ACL was the one asked for
  }
  return mine;
}

}  // namespace

std::string acl_user_type(const Identity& caller) {
  return caller.role == Role::kNodeUser ? "node" : "user";
}

Result<AclGrant> object_acl_grant(Store& store, const Identity& caller, const std::string& org,
                                  const std::string& object_type) {
  if (!is_acl_subject(caller) || caller.org != org) return AclGrant::kNone;
  auto entries = entries_for(store, caller, AclKind::kObjects, org, object_type);
  if (!entries) return entries.status();
  AclGrant grant = AclGrant::kNone;
  for (const auto& entry : *entries) {
    if (entry.role == "aclWriter") return AclGrant::kWrite;
    grant = AclGrant::kRead;
  }
  return grant;
}

Result<bool> destination_acl_allows(Store& store, const Identity& caller, const std::string& org,
                                    const std::string& dest_type) {
  if (!is_acl_subject(caller)) return true;  // the rule binds ACL users only
  if (caller.org != org) return false;
  auto entries = entries_for(store, caller, AclKind::kDestinations, org, dest_type);
  if (!entries) return entries.status();
  return !entries->empty();
}

}  // namespace edgesync
