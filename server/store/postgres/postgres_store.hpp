// The PostgreSQL implementation of Store (libpqxx): the schema created or migrated when the store
// opens (schema.hpp), group commit on one writer connection and thread (group_commit.hpp), and a small
// pool of read connections beside it. Durability is the server's: a COMMIT returns once the server has
// flushed its WAL (synchronous_commit on, its default). Object data lives in the database too (open_data_files,
// blob_store.hpp).
//
// A lost server is an expected failure: reads and writes answer kUnavailable while it cannot be
// reached, and every connection reconnects on its next use, so the store works again once the server
// is back. Rows are read from the database on every call (no object cache): another edgesync instance
// may change them. The store owns its connections and writer thread; it is thread-safe, and closes
// itself when destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/store/store.hpp"

namespace edgesync {

struct PostgresStoreOptions {
  std::string url;                   // libpq connection string: postgresql://user@host:port/db or key=value
  uint32_t max_batch_writes = 1024;  // writes that may share one commit (at least 1)
  uint32_t read_connections = 4;     // concurrent reads beyond this many wait for a free connection
};

// Connects, creates or migrates the schema, and returns the store. Fails with kInvalidArgument for a
// URL libpq cannot parse, kUnavailable when the server cannot be reached, and kIoError when the schema
// cannot be migrated (or is newer than this edgesync).
Result<std::unique_ptr<Store>> open_postgres_store(const PostgresStoreOptions& options);

}  // namespace edgesync
