// ResourceKey: "<org>/<objectType>/<objectID>", the key of one object everywhere in edgesync
// (metamanager resources, store keys, log lines). A two-part key "<org>/<objectType>" names every
// object of a type.
#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace edgesync {

struct ResourceKey {
  std::string org;
  std::string object_type;
  std::string object_id;  // empty for a type-wide key

  bool is_type_wide() const { return object_id.empty(); }
  std::string to_string() const;  // "org/type/id" or "org/type"

  bool operator==(const ResourceKey&) const = default;
  auto operator<=>(const ResourceKey&) const = default;
};

// Parses two- or three-part keys; every part must be a valid name (names.hpp). Errors name the part.
Result<ResourceKey> parse_resource_key(std::string_view text);

}  // namespace edgesync
