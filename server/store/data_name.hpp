// The names of data files (DataFiles): generated, never taken from a request, and checked again when
// they come back from a database row, so that a corrupt row cannot reach outside the data directory
// (files) or name something unexpected (PostgreSQL).
#pragma once

#include <string>

#include "common/resource_key.hpp"

namespace edgesync {

// A hash of the key (so the data of one object sorts together) and a random 64-bit token, as
// "<32 hex>-<16 hex>".
std::string generate_data_name(const ResourceKey& key);

// Whether a name is shaped like a generated one (a safe file name: no separators, no "..", at most 255
// bytes, starting with a letter or digit).
bool is_data_name(const std::string& name);

}  // namespace edgesync
