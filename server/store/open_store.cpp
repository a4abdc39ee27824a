#include "server/store/open_store.hpp"

#include <filesystem>

#include "server/store/postgres/postgres_store.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace edgesync {

Result<std::unique_ptr<Store>> open_store(const Config& config) {
  switch (config.store.backend) {
    case StoreBackend::kPostgres:
      return open_postgres_store(PostgresStoreOptions{config.store.postgres_url, config.store.max_batch_writes});
    case StoreBackend::kSqlite: break;
  }
  return open_sqlite_store(SqliteStoreOptions{(std::filesystem::path(config.data_dir) / "edgesync.db").string(),
                                              config.store.max_batch_writes});
}

uint64_t store_commit_count(const Store& store) {
  return sqlite_store_commit_count(store) + postgres_store_commit_count(store);
}

}  // namespace edgesync
