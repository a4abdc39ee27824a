#include "server/sync/node_waiters.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace edgesync {

namespace asio = boost::asio;

struct NodeWaiters::Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  bool woken = false;  // under the NodeWaiters mutex
};

uint64_t NodeWaiters::generation(const NodeAddress& node) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(node);
  return found == entries_.end() ? 0 : found->second.generation;
}

asio::awaitable<bool> NodeWaiters::wait(const NodeAddress& node, uint64_t seen, std::chrono::milliseconds timeout) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_after(timeout);
  {
    std::lock_guard lock(mutex_);
    if (stopped_) co_return false;
    Entry& entry = entries_[node];
    if (entry.generation != seen) co_return true;  // woken between the caller's read and now
    entry.waiters.push_back(waiter);
  }
  co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  std::lock_guard lock(mutex_);
  auto found = entries_.find(node);
  if (found != entries_.end()) {
    auto& waiters = found->second.waiters;
    waiters.erase(std::remove(waiters.begin(), waiters.end(), waiter), waiters.end());
  }
  co_return waiter->woken;
}

std::vector<std::shared_ptr<NodeWaiters::Waiter>> NodeWaiters::take_woken(Entry& entry) {
  for (auto& waiter : entry.waiters) waiter->woken = true;
  return entry.waiters;
}

void NodeWaiters::cancel_timers(const std::vector<std::shared_ptr<Waiter>>& woken) {
  // The timer belongs to its waiter's executor: cancel it there, not from this thread.
  for (auto& waiter : woken) {
    asio::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
  }
}

void NodeWaiters::wake(const NodeAddress& node) {
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    // Entries are never removed (one small entry per node): a wake must bump the generation even when
    // nobody waits yet, or a poll between its read and its wait would miss it.
    Entry& entry = entries_[node];
    ++entry.generation;
    woken = take_woken(entry);
  }
  cancel_timers(woken);
}

uint64_t NodeWaiters::begin_poll(const NodeAddress& node) {
  std::vector<std::shared_ptr<Waiter>> woken;
  uint64_t poll = 0;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[node];
    poll = ++entry.current_poll;
    woken = take_woken(entry);  // all of them are older polls of the node
  }
  cancel_timers(woken);
  return poll;
}

bool NodeWaiters::is_current_poll(const NodeAddress& node, uint64_t poll) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(node);
  return found != entries_.end() && found->second.current_poll == poll;
}

void NodeWaiters::stop() {
  std::vector<std::shared_ptr<Waiter>> all;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [node, entry] : entries_) all.insert(all.end(), entry.waiters.begin(), entry.waiters.end());
  }
  cancel_timers(all);
}

size_t NodeWaiters::waiting() const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& [node, entry] : entries_) count += entry.waiters.size();
  return count;
}

bool NodeWaiters::is_waiting(const NodeAddress& node) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(node);
  return found != entries_.end() && !found->second.waiters.empty();
}

}  // namespace edgesync
