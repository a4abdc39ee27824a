// The PostgreSQL store as a plugin (edgesync-store-postgres.so): the two exported functions of
// store_plugin.hpp. Nothing else of the module is visible (exports.map).
#include <exception>
#include <string>

#include "server/store/plugin/host_log_sink.hpp"
#include "server/store/plugin/store_plugin.hpp"
#include "server/store/postgres/postgres_store.hpp"

extern "C" {

__attribute__((visibility("default"))) const char* edgesync_store_plugin_abi() {
  return edgesync::kStorePluginAbi;
}

__attribute__((visibility("default"))) edgesync::Store* edgesync_store_plugin_open(const EdgesyncStorePluginArgs* args,
                                                                                   edgesync::Status* error) {
  using edgesync::Status;
  // Every exception ends here: none may reach the host (store_plugin.hpp).
  try {
    edgesync::route_logs_to_host(*args);
    auto store = edgesync::open_postgres_store(
        edgesync::PostgresStoreOptions{args->url, args->max_batch_writes, args->read_connections});
    if (!store) {
      *error = store.status();
      return nullptr;
    }
    return store->release();
  } catch (const std::exception& exception) {
    *error = Status::internal(std::string("the PostgreSQL store plugin failed: ") + exception.what());
  } catch (...) {
    *error = Status::internal("the PostgreSQL store plugin failed with an unknown exception");
  }
  return nullptr;
}

}  // extern "C"
