// A fresh directory per test, removed afterwards, and a helper to build stored objects.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include "server/store/store.hpp"

namespace edgesync::test {

struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("edgesync-store-test-" + std::to_string(std::random_device{}()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline StoredObject make_object(const std::string& org, const std::string& type, const std::string& id) {
  StoredObject object;
  object.metadata.destination_org_id = org;
  object.metadata.object_type = type;
  object.metadata.object_id = id;
  object.status = ObjectStatus::kReady;
  object.updated_at_ms = 1;
  return object;
}

}  // namespace edgesync::test
