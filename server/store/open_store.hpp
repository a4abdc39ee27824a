// The store factory: opens the backend a node's configuration names (store.backend) — SQLite in
// data_dir/edgesync.db, or PostgreSQL at store.postgres.url — so that nothing above the store needs to
// know which one it got.
#pragma once

#include <cstdint>
#include <memory>

#include "common/config.hpp"
#include "server/store/store.hpp"

namespace edgesync {

// Errors name the backend's target (the file, or the server's host:port/database; never a password).
Result<std::unique_ptr<Store>> open_store(const Config& config);

// Commits made by the store's writer so far, whichever backend (for tests and statistics).
uint64_t store_commit_count(const Store& store);

}  // namespace edgesync
