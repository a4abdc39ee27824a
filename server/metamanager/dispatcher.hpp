// Dispatcher: the metamanager's queue. Messages for one resource are handled one at a time in the order
// they arrived; messages for different resources run concurrently on the executor (KubeEdge handles
// everything serially; per-resource lanes keep its ordering guarantee without its bottleneck).
// A message of a type-wide resource ("<org>/<type>") or with no resource has a lane of its own.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/metamanager/message.hpp"

namespace edgesync::meta {

class Dispatcher {
 public:
  using Handler = std::function<boost::asio::awaitable<Message>(Message)>;

  Dispatcher(boost::asio::any_io_executor executor, Handler handler);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Queues the message on its resource's lane and resumes the caller with the handler's answer.
  boost::asio::awaitable<Message> call(Message message);
  // Queues the message; the answer is dropped (errors are logged).
  void post(Message message);

  // Messages queued or being handled right now (for health and tests).
  size_t queued() const;
  uint64_t handled() const;

 private:
  struct Lane;
  void enqueue(const std::string& resource, std::function<boost::asio::awaitable<void>()> task);
  boost::asio::awaitable<void> drain(std::string resource, std::shared_ptr<Lane> lane);

  boost::asio::any_io_executor executor_;
  Handler handler_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Lane>> lanes_;
  size_t queued_ = 0;
  uint64_t handled_ = 0;
};

}  // namespace edgesync::meta
