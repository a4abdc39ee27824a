// Awaitable wrappers for the two kinds of work a coroutine must not do on an io thread: waiting for
// a group commit to become durable, and blocking file work (fsync, hashing a large file).
//
// Both resume the coroutine on its own executor, so a session's strand is respected.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>

#include "common/status.hpp"
#include "server/store/store.hpp"

namespace boost::asio {
class thread_pool;
}

namespace edgesync {

// Submits the write and resumes once it is durable (or failed).
boost::asio::awaitable<Status> durable_write(Store& store, WriteFunction write);

// A durable write started now and collected later, so that a coroutine can go on with other work
// while the commit (and its fsync) happens: e.g. fetch the next chunk while the last one's progress
// is recorded. The write completes whether or not anyone waits for it.
class PendingWrite {
 public:
  PendingWrite() = default;  // nothing in flight: wait() answers OK at once
  static PendingWrite start(Store& store, WriteFunction write);
  // Resumes on the caller's executor with the write's Status once it is durable (or failed). Call at
  // most once per start.
  boost::asio::awaitable<Status> wait();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Runs `work` on the blocking pool and resumes on the caller's executor with its Status.
boost::asio::awaitable<Status> run_blocking(boost::asio::thread_pool& pool, std::function<Status()> work);

}  // namespace edgesync
