#include "server/objects/async_store.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>
#include <optional>

namespace edgesync {

namespace asio = boost::asio;

// Whichever comes second, the store's completion or the waiter, hands the Status over.
struct PendingWrite::State {
  std::mutex mutex;
  std::optional<Status> result;
  std::function<void(Status)> waiter;  // posts to the waiting coroutine's executor
};

PendingWrite PendingWrite::start(Store& store, WriteFunction write) {
  PendingWrite pending;
  pending.state_ = std::make_shared<State>();
  store.submit_write(std::move(write), [state = pending.state_](Status status) {
    std::function<void(Status)> waiter;
    {
      std::lock_guard lock(state->mutex);
      if (!state->waiter) {
        state->result = std::move(status);
        return;
      }
      waiter = std::move(state->waiter);
    }
    waiter(std::move(status));
  });
  return pending;
}

asio::awaitable<Status> PendingWrite::wait() {
  if (!state_) co_return Status::ok();
  auto initiate = [state = state_](auto handler) {
    auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
    auto resume = [shared_handler](Status status) {
      auto executor = asio::get_associated_executor(*shared_handler);
      asio::post(executor,
                 [shared_handler, status = std::move(status)]() mutable { (*shared_handler)(std::move(status)); });
    };
    std::optional<Status> ready;
    {
      std::lock_guard lock(state->mutex);
      if (state->result) {
        ready = std::move(state->result);
      } else {
        state->waiter = resume;
      }
    }
    if (ready) resume(std::move(*ready));
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Status)>(std::move(initiate),
                                                                                       asio::use_awaitable);
}

asio::awaitable<Status> durable_write(Store& store, WriteFunction write) {
  co_return co_await PendingWrite::start(store, std::move(write)).wait();
}

asio::awaitable<Status> run_blocking(asio::thread_pool& pool, std::function<Status()> work) {
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(pool, asio::use_awaitable);
  Status status;
  try {
    status = work();
  } catch (const std::exception& error) {
    status = Status::internal(error.what());
  }
  co_await asio::post(home, asio::use_awaitable);
  co_return status;
}

}  // namespace edgesync
