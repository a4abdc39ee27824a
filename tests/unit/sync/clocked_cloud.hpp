// A cloud's object service and CloudSync over a real store, on a clock the test moves by hand: the
// fixture of the sync tests that depend on time (delivery reconciliation, node events).
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "server/sync/cloud_sync.hpp"
#include "tests/unit/objects/node_storage.hpp"

namespace edgesync::test {

struct ClockedCloud : NodeStorage {
  NodeWaiters waiters;
  CloudPlanner planner{waiters, nullptr};
  SystemTime clock = std::chrono::system_clock::from_time_t(1'800'000'000);
  std::unique_ptr<ObjectService> objects;
  std::unique_ptr<CloudSync> sync;

  explicit ClockedCloud(const std::string& name) : NodeStorage(name) { open_services(); }

  // (Re)creates the object service and CloudSync over the current store (after a reopen, say); the
  // test sets its CloudSync policies again.
  void open_services() {
    sync.reset();
    ObjectService::Options options{NodeIdentity{}, 5 * 1024 * 1024, [this] { return clock; }};
    options.observer = &planner;
    objects = std::make_unique<ObjectService>(*store, *data_files, blocking, options);
    sync = std::make_unique<CloudSync>(*store, *objects, planner, waiters, [this] { return clock; });
  }

  template <class T>
  T run(boost::asio::awaitable<T> work) {
    boost::asio::io_context io;
    return run_to_completion(io, std::move(work));
  }
};

}  // namespace edgesync::test
