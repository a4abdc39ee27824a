// JSON codec for ObjectMetadata with the exact MMS field names.
//
// Reading is tolerant as MMS clients expect: missing fields and null take the defaults, unknown fields
// are ignored. A field of the wrong JSON type is an error naming that field (never silently dropped).
// Writing always emits every field, lists and the policy as null when absent.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/object_metadata.hpp"
#include "common/status.hpp"

namespace edgesync {

// Reads metadata from a parsed JSON value, which must be an object.
Result<ObjectMetadata> metadata_from_json(const nlohmann::json& json);

// Parses JSON text then reads metadata from it.
Result<ObjectMetadata> parse_metadata(std::string_view json_text);

nlohmann::json metadata_to_json(const ObjectMetadata& metadata);

// Text form; pretty means MMS's 2-space indentation. Exactly metadata_to_json(...).dump(), written
// without the DOM (metadata_text.cpp).
std::string metadata_to_text(const ObjectMetadata& metadata, bool pretty);

}  // namespace edgesync
