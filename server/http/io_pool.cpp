#include "server/http/io_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace edgesync::http {

namespace asio = boost::asio;

// A context of the pool's own, kept running while it has no connection by its work guard.
struct IoPool::Owned {
  asio::io_context io{1};  // one thread: Asio may skip the locking a shared context needs
  asio::executor_work_guard<asio::io_context::executor_type> keep_running{io.get_executor()};
};

IoPool::IoPool(asio::io_context& main, int threads) : main_(main) {
  for (int i = 1; i < threads; ++i) owned_.push_back(std::make_unique<Owned>());
}

IoPool::~IoPool() = default;

asio::io_context& IoPool::next() {
  const size_t index = turn_.fetch_add(1, std::memory_order_relaxed) % (owned_.size() + 1);
  return index == 0 ? main_ : owned_[index - 1]->io;
}

void IoPool::run() {
  std::vector<std::thread> threads;
  for (auto& owned : owned_) threads.emplace_back([&io = owned->io] { io.run(); });
  main_.run();
  stop();
  for (auto& thread : threads) thread.join();
}

void IoPool::stop() {
  main_.stop();
  for (auto& owned : owned_) owned->io.stop();
}

}  // namespace edgesync::http
