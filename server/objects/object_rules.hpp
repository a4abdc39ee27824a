// The MMS rules for what an object PUT may contain (reference/mms-reference.md §1.3), as one pure
// function so that every rule is testable without a server. Messages are MMS's where the reference
// quotes them.
#pragma once

#include "common/object_metadata.hpp"
#include "common/object_status.hpp"
#include "common/resource_key.hpp"
#include "common/status.hpp"
#include "common/time_format.hpp"
#include "server/objects/node_identity.hpp"

namespace edgesync {

struct ObjectPutCheck {
  const ObjectMetadata& metadata;
  const ResourceKey& url_key;  // org/type/id from the URL
  const NodeIdentity& node;
  bool has_inline_data = false;
  SystemTime now;
};

// OK when the metadata may be stored; otherwise kInvalidArgument naming the field.
Status check_object_put(const ObjectPutCheck& check);

// True when two versions of an object's metadata differ only in what the service sets (instanceID,
// dataID, sizes, chunk sizes, owner, origin, the deleted flag, the policy's timestamp): an update that
// changes nothing a user wrote.
bool same_user_metadata(const ObjectMetadata& a, const ObjectMetadata& b);

// Data may be served in these statuses (GET …/data).
bool is_data_readable(ObjectStatus status);

// A `file:` URI with an empty host ("file:///abs/path"); returns the path, or nullopt.
std::optional<std::string> file_uri_path(const std::string& uri);

}  // namespace edgesync
