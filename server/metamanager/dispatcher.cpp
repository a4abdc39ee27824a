#include "server/metamanager/dispatcher.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

namespace edgesync::meta {

namespace asio = boost::asio;

struct Dispatcher::Lane {
  std::deque<std::function<asio::awaitable<void>()>> tasks;  // under the dispatcher's mutex
};

Dispatcher::Dispatcher(asio::any_io_executor executor, Handler handler)
    : executor_(std::move(executor)), handler_(std::move(handler)) {}

void Dispatcher::enqueue(const std::string& resource, std::function<asio::awaitable<void>()> task) {
  std::shared_ptr<Lane> start;
  {
    std::lock_guard lock(mutex_);
    ++queued_;
    auto& lane = lanes_[resource];
    if (!lane) {
      lane = std::make_shared<Lane>();
      start = lane;  // an idle resource: its drainer starts now
    }
    lane->tasks.push_back(std::move(task));
  }
  if (start) asio::co_spawn(executor_, drain(resource, start), asio::detached);
}

asio::awaitable<void> Dispatcher::drain(std::string resource, std::shared_ptr<Lane> lane) {
  while (true) {
    std::function<asio::awaitable<void>()> task;
    {
      std::lock_guard lock(mutex_);
      if (lane->tasks.empty()) {
        lanes_.erase(resource);  // the next message for it starts a new drainer
        co_return;
      }
      task = std::move(lane->tasks.front());
      lane->tasks.pop_front();
    }
    try {
      co_await task();
    } catch (const std::exception& error) {
      spdlog::error("metamanager: a message for {} failed: {}", resource, error.what());
    }
    std::lock_guard lock(mutex_);
    --queued_;
    ++handled_;
  }
}

asio::awaitable<Message> Dispatcher::call(Message message) {
  using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, Message)>;
  auto answer = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
  message.header.sync = true;
  const std::string resource = message.router.resource;
  enqueue(resource, [this, answer, request = std::make_shared<Message>(std::move(message))]() -> asio::awaitable<void> {
    Message reply = co_await handler_(std::move(*request));
    answer->try_send(boost::system::error_code{}, std::move(reply));
  });
  auto [error, reply] = co_await answer->async_receive(asio::as_tuple(asio::use_awaitable));
  if (error) co_return Message::make(module::kMetaManager, op::kError, resource, {{"error", error.message()}});
  co_return reply;
}

void Dispatcher::post(Message message) {
  const std::string resource = message.router.resource;
  enqueue(resource, [this, request = std::make_shared<Message>(std::move(message))]() -> asio::awaitable<void> {
    const std::string operation = request->router.operation;
    Message reply = co_await handler_(std::move(*request));
    if (reply.is_error())
      spdlog::warn("metamanager: {} of {} failed: {}", operation, reply.router.resource, reply.status().message());
  });
}

size_t Dispatcher::queued() const {
  std::lock_guard lock(mutex_);
  return queued_;
}

uint64_t Dispatcher::handled() const {
  std::lock_guard lock(mutex_);
  return handled_;
}

}  // namespace edgesync::meta
