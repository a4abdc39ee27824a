// ACL lookups for the authorization rules (reference/mms-reference.md §5): what a regular user or node
// user gets from its org's object-type and destination-type ACLs. Internal to server/api.
#pragma once

#include <string>

#include "server/auth/authorizer.hpp"
#include "server/auth/identity.hpp"
#include "server/store/store.hpp"

namespace edgesync {

// The ACL user type of a caller: "node" for a node user, "user" otherwise.
std::string acl_user_type(const Identity& caller);

// The caller's grant on objects of `object_type` in `org`: from the type's ACL and the org's
// all-types ACL, by user name or "*". kNone for callers ACLs do not apply to.
Result<AclGrant> object_acl_grant(Store& store, const Identity& caller, const std::string& org,
                                  const std::string& object_type);

// May the caller send objects to `dest_type` ("" = every destination type: only through the org's
// all-types destination ACL)?
Result<bool> destination_acl_allows(Store& store, const Identity& caller, const std::string& org,
                                    const std::string& dest_type);

}  // namespace edgesync
