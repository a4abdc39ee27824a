// Loading a store plugin (store_plugin.hpp): find the module of a backend, check that it was built for
// this binary, and open its store. Used by open_store() for store.backend: postgres; nothing is
// loaded for the built-in SQLite store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "server/store/store.hpp"

namespace edgesync {

struct StorePluginRequest {
  std::string backend;        // "postgres": the module is edgesync-store-postgres.so
  std::string explicit_path;  // store.<backend>.plugin: when set, the only file tried
  std::string url;            // the backend's connection string
  uint32_t max_batch_writes = 1024;
  uint32_t read_connections = 4;
};

// The files tried, in order: the explicit path alone when there is one; otherwise the module next to
// the running executable (a build tree, or a copy of the binary with its plugins), under
// <executable's directory>/../<libdir>/edgesync (an install, wherever its prefix was moved), and under
// the libdir of the configured install prefix.
std::vector<std::filesystem::path> store_plugin_candidates(const StorePluginRequest& request);

// Loads the first candidate that opens and carries this binary's ABI tag, and opens its store. When
// none does: kUnavailable naming every path tried and why each failed (dlerror(), or the tags that
// differ). The store's own errors (a bad URL, an unreachable server) come back as the plugin made them.
Result<std::unique_ptr<Store>> open_plugin_store(const StorePluginRequest& request);

}  // namespace edgesync
