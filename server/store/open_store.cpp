#include "server/store/open_store.hpp"

#include <filesystem>

#include "server/store/plugin/store_plugin_loader.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

namespace edgesync {

Result<std::unique_ptr<Store>> open_store(const Config& config) {
  switch (config.store.backend) {
    case StoreBackend::kPostgres:
      return open_plugin_store(StorePluginRequest{"postgres", config.store.postgres_plugin, config.store.postgres_url,
                                                  config.store.max_batch_writes});
    case StoreBackend::kSqlite: break;
  }
  return open_sqlite_store(SqliteStoreOptions{(std::filesystem::path(config.data_dir) / "edgesync.db").string(),
                                              config.store.max_batch_writes});
}

}  // namespace edgesync
