// IoPool: a node's io threads, one io_context per thread (nginx's worker model). A connection is
// placed on one context when it is accepted and stays there, so its handlers never pass between
// threads. With one io_context shared by every thread, each completion woke whichever thread was
// free and the two threads of a 2-core machine kept handing connections to each other: GET metadata
// served 91,700 req/s with two threads and 98,600 with one (tests/bench/RESULTS.md).
//
// Context 0 is the node's own io_context (timers, the uplink, store completions): it takes
// connections too. The others exist only for connections.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace edgesync::http {

class IoPool {
 public:
  // `threads` contexts in all (at least 1): `main` and threads - 1 of the pool's own.
  IoPool(boost::asio::io_context& main, int threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // The context for a new connection, in turn. Thread-safe.
  boost::asio::io_context& next();
  // Runs `main` on the calling thread and every other context on a thread of its own; returns once
  // `main` has stopped (or run out of work) and the others have been stopped and joined.
  void run();
  // Stops every context (safe from any thread, also from a handler).
  void stop();

 private:
  struct Owned;
  boost::asio::io_context& main_;
  std::vector<std::unique_ptr<Owned>> owned_;
  std::atomic<size_t> turn_{0};
};

}  // namespace edgesync::http
