#include "server/store/data_name.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

#include "server/store/sha256.hpp"

namespace edgesync {

std::string generate_data_name(const ResourceKey& key) {
  Sha256 hash;
  const std::string text = key.org + '\0' + key.object_type + '\0' + key.object_id;
  hash.update(text.data(), text.size());
  thread_local std::mt19937_64 random{std::random_device{}()};
  char token[17];
  std::snprintf(token, sizeof token, "%016llx", static_cast<unsigned long long>(random()));
  return hash.hex().substr(0, 32) + "-" + token;
}

bool is_data_name(const std::string& name) {
  constexpr size_t kMaxNameBytes = 255;  // NAME_MAX of common file systems
  if (name.empty() || name.size() > kMaxNameBytes || !std::isalnum(static_cast<unsigned char>(name.front()))) {
    return false;
  }
  if (name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace edgesync
