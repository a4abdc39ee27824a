#include "common/json_text.hpp"

#include <nlohmann/json.hpp>

namespace edgesync {

std::string json_text(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgesync
