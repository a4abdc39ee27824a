// Runs a coroutine to its end on a test thread's io_context: how unit tests call the awaitable
// interfaces of the server's services without a server around them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <stdexcept>

namespace edgesync::test {

// Runs `work` on io until it finishes and returns its result; rethrows what it throws. (co_spawn wants
// a default-constructible result, which Result is not, so the value travels through an optional.)
template <class T>
T run_to_completion(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  std::optional<T> result;
  auto keep = [&result](boost::asio::awaitable<T> inner) -> boost::asio::awaitable<void> {
    result.emplace(co_await std::move(inner));
  };
  std::exception_ptr failure;
  boost::asio::co_spawn(io, keep(std::move(work)), [&failure](std::exception_ptr error) { failure = error; });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
  if (!result) throw std::logic_error("run_to_completion: the io_context stopped before the coroutine ended");
  return std::move(*result);
}

}  // namespace edgesync::test
