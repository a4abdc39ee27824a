// The SQLite implementation of Store: WAL mode, synchronous=FULL (a commit is on disk before any
// write is acknowledged), versioned migrations, group commit on one writer thread, and a small pool
// of read connections that run beside the writer. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/store/store.hpp"

namespace edgesync {

struct SqliteStoreOptions {
  std::string database_path;
  uint32_t max_batch_writes = 1024;  // writes that may share one commit
  uint32_t read_connections = 4;
};

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteStoreOptions& options);

// Statistics for tests and metrics: how many commits the writer made (fewer than writes under load).
uint64_t sqlite_store_commit_count(const Store& store);

}  // namespace edgesync
