// The SQLite implementation of Store: WAL mode, synchronous=FULL (a commit is on disk before any
// write is acknowledged), versioned migrations (schema.hpp), group commit on one writer thread
// (group_commit.hpp), and a small pool of read-only connections that run beside the writer. The store
// owns every connection and its writer thread; it is thread-safe, and closes itself when destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/store/store.hpp"

namespace edgesync {

struct SqliteStoreOptions {
  std::string database_path;         // a file; created and migrated to the latest schema when new
  uint32_t max_batch_writes = 1024;  // writes that may share one commit (at least 1)
  uint32_t read_connections = 4;     // concurrent reads beyond this many wait for a free connection
};

// Opens (creating and migrating when needed) the database. Fails with kInvalidArgument for a path that
// is not a file, and kIoError when the file cannot be opened or was written by a newer schema version.
Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteStoreOptions& options);

}  // namespace edgesync
