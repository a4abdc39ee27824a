// Test support for the services that run on a node's storage (ObjectService, CloudSync, the
// metamanager): a real SQLite store and data directory in a fresh temporary directory, a one-thread
// blocking pool, and a way to run a coroutine to completion from a test.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "server/store/file_data_files.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "tests/support/run_coroutine.hpp"

namespace edgesync::test {

struct NodeStorage {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<DataFiles> data_files;
  boost::asio::thread_pool blocking{1};

  explicit NodeStorage(const std::string& name)
      : dir(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(dir);
    auto opened = open_sqlite_store(SqliteStoreOptions{(dir / "node.db").string()});
    BOOST_REQUIRE(opened.is_ok());
    store = std::move(*opened);
    auto files = FileDataFiles::open(dir / "data");
    BOOST_REQUIRE(files.is_ok());
    data_files = std::move(*files);
  }
  ~NodeStorage() {
    blocking.join();
    store->close();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

}  // namespace edgesync::test
