// metamanager_bench: throughput of the edge dispatcher for small objects.
//   1. dispatch only: messages through the per-resource lanes to a handler that answers at once;
//   2. full: cloud `update` messages of noData objects through the metamanager into a real SQLite store
//      (durable, group commit), 64 in flight over distinct resources, then the same again unchanged.
// Usage: metamanager_bench [messages=20000]. One line per figure on stdout.
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "server/metamanager/meta_manager.hpp"
#include "server/store/file_data_files.hpp"
#include "server/store/sqlite/sqlite_store.hpp"

using namespace edgesync;
using namespace edgesync::meta;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kInFlight = 64;

double run_parallel(asio::io_context& io, int messages, const std::function<asio::awaitable<void>(int)>& one) {
  std::atomic<int> next{0};
  const auto start = Clock::now();
  for (int worker = 0; worker < kInFlight; ++worker) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          while (next < messages) co_await one(next++);
        },
        asio::detached);
  }
  io.restart();
  std::thread helper([&] { io.run(); });
  io.run();
  helper.join();
  return messages / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int messages = argc > 1 ? std::atoi(argv[1]) : 20000;
  asio::io_context io;

  Dispatcher dispatcher(io.get_executor(),
                        [](Message message) -> asio::awaitable<Message> { co_return message.response("OK"); });
  const double dispatched = run_parallel(io, messages, [&](int i) -> asio::awaitable<void> {
    co_await dispatcher.call(Message::make(module::kCloud, op::kUpdate, "org/t/o" + std::to_string(i % 1000)));
  });
  std::printf("dispatch only: %.0f messages/s (%d in flight)\n", dispatched, kInFlight);

  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("metamanager-bench-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  auto store = open_sqlite_store(SqliteStoreOptions{(dir / "edge.db").string()});
  auto files = FileDataFiles::open(dir / "data");
  if (!store || !files) return 1;
  asio::thread_pool blocking(1);
  EdgeRouter router("org");
  ObjectService::Options options{NodeIdentity{NodeMode::kEdge, "org", "car", "e1"}, 5 * 1024 * 1024};
  options.observer = &router;
  ObjectService objects(**store, **files, blocking, options);
  MetaManager meta(io.get_executor(), objects, **store, router, MetaManager::Options{});
  auto update = [&](int i, int64_t instance) -> asio::awaitable<void> {
    ObjectMetadata metadata;
    metadata.destination_org_id = "org";
    metadata.object_type = "small";
    metadata.object_id = "o" + std::to_string(i);
    metadata.no_data = true;
    metadata.instance_id = instance;
    auto outcome = co_await meta.cloud_update(metadata);
    if (!outcome) std::fprintf(stderr, "update failed: %s\n", outcome.status().message().c_str());
  };
  const double stored = run_parallel(io, messages, [&](int i) { return update(i, 1000 + i); });
  std::printf("cloud updates of small objects, stored durably: %.0f messages/s\n", stored);
  const double unchanged = run_parallel(io, messages, [&](int i) { return update(i, 1000 + i); });
  std::printf("the same updates again (unchanged, nothing written): %.0f messages/s\n", unchanged);
  blocking.join();
  (*store)->close();
  fs::remove_all(dir);
  return 0;
}
