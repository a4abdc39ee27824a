// The store factory: opens the backend a node's configuration names (store.backend) — SQLite in
// data_dir/edgesync.db, built in, or PostgreSQL at store.postgres.url, from its plugin
// (plugin/store_plugin_loader.hpp) — so that nothing above the store needs to know which one it got.
#pragma once

#include <memory>

#include "common/config.hpp"
#include "server/store/store.hpp"

namespace edgesync {

// Errors name the backend's target (the file, or the server's host:port/database; never a password),
// or the plugin files tried when the backend's plugin cannot be loaded.
Result<std::unique_ptr<Store>> open_store(const Config& config);

}  // namespace edgesync
