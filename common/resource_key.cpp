#include "common/resource_key.hpp"

#include <vector>

#include "common/names.hpp"

namespace edgesync {

std::string ResourceKey::to_string() const {
  std::string text = org + "/" + object_type;
  if (!object_id.empty()) text += "/" + object_id;
  return text;
}

Result<ResourceKey> parse_resource_key(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3)
    return Status::invalid("resource (" + html_escape(text) + ") must be org/type or org/type/id", "resource");
  const char* what[] = {"Organization ID", "object Type", "object ID"};
  const char* field[] = {"orgID", "objectType", "objectID"};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!is_valid_name(parts[i]))
      return Status::invalid(std::string(what[i]) + " (" + html_escape(parts[i]) + ") contains invalid characters",
                             field[i]);
  }
  return ResourceKey{parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string()};
}

}  // namespace edgesync
