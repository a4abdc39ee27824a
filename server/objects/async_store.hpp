// Awaitable wrappers for the two kinds of work a coroutine must not do on an io thread: waiting for
// a group commit to become durable, and blocking file work (fsync, hashing a large file).
//
// Both resume the coroutine on its own executor, so a session's strand is respected.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>

#include "common/status.hpp"
#include "server/store/store.hpp"

namespace boost::asio {
class thread_pool;
}

namespace edgesync {

// Submits the write and resumes once it is durable (or failed).
boost::asio::awaitable<Status> durable_write(Store& store, WriteFunction write);

// Runs `work` on the blocking pool and resumes on the caller's executor with its Status.
boost::asio::awaitable<Status> run_blocking(boost::asio::thread_pool& pool, std::function<Status()> work);

}  // namespace edgesync
