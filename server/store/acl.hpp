// Access control lists and organizations as the cloud stores them (reference/mms-reference.md §5).
#pragma once

#include <cstdint>
#include <string>

namespace edgesync {

enum class AclKind { kObjects, kDestinations };

// One member of one ACL. An ACL is (kind, org, key); key is an object type (kObjects) or a
// destination type (kDestinations), "" for the org-wide "all types" ACL. username "*" is everybody of
// the org.
struct AclEntry {
  AclKind kind = AclKind::kObjects;
  std::string org;
  std::string key;
  std::string username;
  std::string user_type = "user";  // user | node
  std::string role = "aclWriter";  // aclWriter | aclReader; "na" for destination ACLs

  bool operator==(const AclEntry&) const = default;
};

struct Organization {
  std::string org;
  std::string address;  // the org's messaging broker address (kept for MMS clients; edgesync uses HTTP)
  int64_t updated_at_ms = 0;

  bool operator==(const Organization&) const = default;
};

inline const char* to_string(AclKind kind) {
  return kind == AclKind::kObjects ? "objects" : "destinations";
}

}  // namespace edgesync
